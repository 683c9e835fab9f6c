import pytest


@pytest.fixture
def frozen_today(monkeypatch):
    """Freeze `timezone.localdate()`/`now()` for the dues code at a given day."""
    from datetime import datetime, time

    from django.utils import timezone

    def freeze(day):
        moment = timezone.make_aware(datetime.combine(day, time(12)))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return freeze

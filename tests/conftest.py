import json

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and cached values never leak between tests."""
    cache.clear()
    yield


@pytest.fixture
def sms_outbox():
    """The messages the file SMS backend wrote during the test, as a list of dicts."""
    path = settings.SMS_FILE_PATH
    path.unlink(missing_ok=True)

    class Outbox:
        def messages(self):
            if not path.exists():
                return []
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return Outbox()


@pytest.fixture
def world(db):
    """A small county: two committees (A and B) with branches, staff and members."""
    return factories.build_world()


@pytest.fixture
def api():
    return APIClient()


def client_for(user):
    client = APIClient()
    if user is not None:
        token, _ = factories.token_for(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def as_user():
    return client_for

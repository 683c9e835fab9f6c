import pytest

from tests.tiers import add_host_staff


@pytest.fixture
def hw(world, django_capture_on_commit_callbacks):
    """world plus host staff hosting member_a (tests.tiers.add_host_staff)."""
    with django_capture_on_commit_callbacks(execute=True):
        add_host_staff(world)
    return world

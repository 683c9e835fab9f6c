import pytest

from tests.transfers.factories import extend_world


@pytest.fixture
def tw(world):
    """The transfers world (tests/transfers/factories.extend_world)."""
    return extend_world(world)

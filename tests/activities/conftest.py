import pytest

from tests.activities.factories import extend_world


@pytest.fixture
def aw(world):
    """The activities world: `world` plus a temporary branch, a host organisation and its
    staff, a hosted member and a second member of branch A1."""
    return extend_world(world)

import pytest

from tests.appraisals.factories import extend_world


@pytest.fixture
def aw(world):
    """The appraisals world (tests/appraisals/factories.extend_world)."""
    return extend_world(world)

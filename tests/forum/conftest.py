import pytest

from tests import factories


@pytest.fixture
def forum_world(world):
    """The common world plus a second activated member in committee A."""
    world.member_a3 = factories.activated_member(world.branch_a2, name="赵敏")
    return world


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"

import pytest

from tests import factories
from tests.tiers import extend_world


@pytest.fixture
def ww(db):
    """The tier world (county, committee, group, host staff, members, nobody)."""
    return extend_world(factories.build_world())


@pytest.fixture
def wx(wechat_fake, settings):
    """The WeChat fake, with the browser page of 网页授权 on the same address."""
    settings.WECHAT_OPEN_BASE_URL = wechat_fake.url
    wechat_fake.oauth_domains = frozenset({"testserver"})
    return wechat_fake

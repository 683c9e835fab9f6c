"""The tier matrix's reads and lists with versioned answer caching on (sanyuan/respcache.py,
issue 26): every principal reads every URL three times (the first read learns the view's
tables, the second stores the answer, the third is served from the cache), interleaved with
the other principals, and the cached answer is exactly the built one: same status, same
body, never another principal's."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import resolve

from sanyuan import respcache
from tests.hardening.test_tier_matrix import (
    ANON,
    COMMITTEE,
    COUNTY,
    GROUP,
    HOST,
    LISTS,
    MEMBER,
    READS,
    call,
)

pytestmark = pytest.mark.django_db

TIERS = [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON]


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.RESPONSE_CACHE_SECONDS = 60


def _cached_view(url: str) -> bool:
    view = resolve(urlsplit(url).path).func
    return issubclass(getattr(view, "view_class", object), respcache.CachedAnswerMixin)


def _urls(w):
    """The matrix's GET URLs served by views whose answers are cached."""
    for name, method, url, _reach in READS:
        if method == "get":
            yield name, url(w.a)
            yield name, url(w.b)
    for url, _key in LISTS:
        yield url, url


def test_cached_answers_are_the_built_ones_for_every_tier(scoped_world):
    w = scoped_world
    urls = [(name, url) for name, url in _urls(w) if _cached_view(url)]
    assert len(urls) >= 8, urls
    first = {}
    for _round in range(3):
        for tier in TIERS:
            for name, url in urls:
                response = call(w, tier, "get", url)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                answer = (response.status_code, body)
                if (tier, url) not in first:
                    first[(tier, url)] = answer
                elif answer != first[(tier, url)]:
                    pytest.fail(f"{tier} {name} {url}: a later read differs from the first")
    # The cache was used: answers were served without building them.
    assert cache.keys(f"{respcache.ENTRY_PREFIX}*"), "no answer was cached"


def test_cached_pages_are_the_built_ones_for_every_tier(scoped_world, settings):
    """首页 (respcache.CachedPageMixin) for every principal: built with the cache off, then
    read three times each with it on, interleaved; every read is the built page, and each
    signed-in principal's page was kept."""
    from tests.hardening.test_tier_matrix_routes import _page_client, _user

    w = scoped_world
    clients = {tier: _page_client(_user(w, tier)) for tier in TIERS}
    settings.RESPONSE_CACHE_SECONDS = 0
    built = {tier: clients[tier].get("/") for tier in TIERS}
    assert all(r.status_code == 200 for r in built.values()), built
    settings.RESPONSE_CACHE_SECONDS = 60
    for _round in range(3):
        for tier in TIERS:
            response = clients[tier].get("/")
            assert (response.status_code, response.content) == (200, built[tier].content), tier
    kept = cache.keys(f"{respcache.ENTRY_PREFIX}learning.views.HomeView:*")
    assert len(kept) == len(TIERS) - 1, kept  # not the anonymous visitor's

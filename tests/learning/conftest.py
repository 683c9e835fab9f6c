import pytest

from members.permissions import scope_forget
from tests.learning import factories as lf


@pytest.fixture
def library(world):
    """world plus one published article of each audience, and a draft."""
    w = world
    w.public = lf.article(w.county, audience=lf.A.PUBLIC, title="公开的新闻")
    w.county_wide = lf.article(w.county, audience=lf.A.COUNTY, title="全县的通知")
    w.county_subtree = lf.article(w.county, audience=lf.A.SUBTREE, title="县委面向下级的资料")
    w.for_a = lf.article(w.committee_a, title="城关街道的资料")
    w.for_a1 = lf.article(w.branch_a1, title="东关社区支部的资料")
    w.for_a2 = lf.article(w.branch_a2, title="西关社区支部的资料")
    w.for_b = lf.article(w.committee_b, title="陵前镇的资料")
    w.draft = lf.article(w.county, audience=lf.A.PUBLIC, title="草稿不可见", published=False)
    return w


def fresh(user):
    """Each request computes grants and audiences afresh."""
    scope_forget(user)
    return user

"""继续学习 and 我的学习 (issue 20, item 8) list only articles the member may still open: one
whose audience the member left (moved to another branch) or that was withdrawn is neither
linked (it would answer 404) nor fetched ahead for offline reading."""

import pytest
from django.urls import reverse

from learning.offline import precache_urls
from learning.selectors import home_sections, study_history
from learning.services.articles import article_withdraw
from learning.services.study import study_record_touch
from members.permissions import scope_forget
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def listed(user):
    scope_forget(user)
    return (
        [r.article_id for r in home_sections(user=user).continue_studying],
        [r.article_id for r in study_history(user=user).results],
        precache_urls(user),
    )


def test_an_article_of_a_branch_the_member_left_is_no_longer_offered(world):
    member = world.member_a
    branch_only = lf.article(world.branch_a1, title="东关社区支部学习材料")
    county_wide = lf.article(world.county, audience=lf.A.COUNTY, title="全县学习材料")
    for article in (branch_only, county_wide):
        study_record_touch(member=member, article=article)
    url = reverse("learning:article", args=[branch_only.pk])

    studying, history, precache = listed(member.user)
    assert set(studying) == set(history) == {branch_only.pk, county_wide.pk}
    assert url in precache

    member.organization = world.branch_b1
    member.save(update_fields=["organization"])
    studying, history, precache = listed(member.user)
    assert studying == history == [county_wide.pk]
    assert url not in precache


def test_a_withdrawn_article_is_no_longer_offered(world):
    member = world.member_a
    article = lf.article(world.county, audience=lf.A.COUNTY)
    study_record_touch(member=member, article=article)
    article_withdraw(actor=None, article=article)
    studying, history, precache = listed(member.user)
    assert studying == history == []
    assert reverse("learning:article", args=[article.pk]) not in precache

"""收藏: a member keeps articles to read later; the phone keeps them for offline reading."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from learning.models import SavedArticle
from tests.conftest import client_for
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def _session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_saves_an_article_and_finds_it_in_my_study(world):
    article = lf.article(world.county, audience=lf.A.COUNTY, title="党章学习辅导")
    client = _session(world.member_a.user)
    page = client.get(reverse("learning:article", args=[article.pk])).content.decode()
    assert "收藏，离线也能读" in page

    response = client.post(reverse("learning:article-save", args=[article.pk]), {"saved": "1"})
    assert response.status_code == 302
    assert SavedArticle.objects.filter(member=world.member_a, article=article).count() == 1
    assert "已收藏" in client.get(reverse("learning:article", args=[article.pk])).content.decode()
    my_study = client.get(reverse("learning:my-study")).content.decode()
    assert "我的收藏" in my_study and "党章学习辅导" in my_study

    client.post(reverse("learning:article-save", args=[article.pk]), {"saved": "1"})  # again
    assert SavedArticle.objects.filter(member=world.member_a).count() == 1
    client.post(reverse("learning:article-save", args=[article.pk]), {"saved": "0"})
    assert not SavedArticle.objects.filter(member=world.member_a).exists()


def test_saved_articles_are_fetched_ahead_for_offline_reading(world):
    article = lf.article(world.county, audience=lf.A.COUNTY)
    _session(world.member_a.user).post(reverse("learning:article-save", args=[article.pk]))
    urls = _session(world.member_a.user).get(reverse("pwa-precache")).json()["urls"]
    assert reverse("learning:article", args=[article.pk]) in urls


def test_a_member_cannot_save_an_article_of_another_committee(world):
    other = lf.article(world.committee_b, title="陵前镇的通知")
    response = _session(world.member_a.user).post(reverse("learning:article-save", args=[other.pk]))
    assert response.status_code == 404
    assert not SavedArticle.objects.exists()


def test_staff_and_visitors_have_no_saved_articles(world):
    article = lf.article(world.county, audience=lf.A.COUNTY)
    url = reverse("learning:article-save", args=[article.pk])
    assert _session(world.staff_a).post(url).status_code == 404
    assert Client().post(url).status_code == 302  # to the login page
    assert not SavedArticle.objects.exists()


def test_an_article_no_longer_visible_drops_out_of_the_list(world):
    article = lf.article(world.county, audience=lf.A.COUNTY, title="将被撤回的文章")
    client = client_for(world.member_a.user)
    assert client.put(reverse("api:article-saved", args=[article.pk])).status_code == 204
    article.status = "draft"
    article.save(update_fields=["status"])
    assert client.get(reverse("api:saved-article-list")).json() == []


def test_the_saved_api_puts_lists_and_deletes(world):
    first = lf.article(world.county, audience=lf.A.COUNTY, title="第一篇")
    second = lf.article(world.county, audience=lf.A.COUNTY, title="第二篇")
    client = client_for(world.member_a.user)
    for article in (first, second):
        assert client.put(reverse("api:article-saved", args=[article.pk])).status_code == 204
    titles = [row["title"] for row in client.get(reverse("api:saved-article-list")).json()]
    assert titles == ["第二篇", "第一篇"]
    assert client.delete(reverse("api:article-saved", args=[first.pk])).status_code == 204
    assert [r["title"] for r in client.get(reverse("api:saved-article-list")).json()] == ["第二篇"]


def test_the_saved_api_is_for_members_only_and_in_scope(world, api):
    article = lf.article(world.county, audience=lf.A.COUNTY)
    other = lf.article(world.committee_b)
    url = reverse("api:article-saved", args=[article.pk])
    assert api.put(url).status_code == 401
    assert client_for(world.staff_a).put(url).status_code == 403
    member = client_for(world.member_a.user)
    assert member.put(reverse("api:article-saved", args=[other.pk])).status_code == 404
    assert member.put(reverse("api:article-saved", args=[999999])).status_code == 404
    assert not SavedArticle.objects.exists()


def test_listing_saved_articles_costs_the_same_queries_for_many(world):
    client = client_for(world.member_a.user)

    def save(count):
        for _ in range(count):
            article = lf.article(world.county, audience=lf.A.COUNTY)
            client.put(reverse("api:article-saved", args=[article.pk]))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("api:saved-article-list")).status_code == 200
        return len(captured.captured_queries)

    save(2)
    few = queries()
    save(12)
    assert queries() == few

"""Member pages: query counts that do not grow with the number of articles, bad input."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.services.articles import article_set_cover
from tests.factories import login_staff
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def _queries(client, url):
    client.get(url)  # warm per-user caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("url", ["/", "/study/", "/study/?category=news", "/study/mine/"])
def test_member_pages_cost_the_same_for_few_or_many_articles(client, world, as_user, url):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    api = as_user(world.member_a.user)

    def add(n):
        for _ in range(n):
            article = lf.article(world.county, audience=lf.A.COUNTY, category="news")
            article_set_cover(actor=None, article=article, upload=lf.jpeg(size=(700, 400)))
            api.post(f"/api/articles/{article.pk}/study/", {}, format="json")

    add(1)
    few = _queries(client, url)
    add(6)
    assert _queries(client, url) == few


def test_the_home_page_lazy_loads_cover_thumbnails_sized_for_the_screen(client, world):
    article = lf.article(world.county, audience=lf.A.PUBLIC, category="news", title="带图新闻")
    article_set_cover(actor=None, article=article, upload=lf.jpeg())
    body = client.get("/").content.decode()
    tag = body.split('class="article-item__cover"')[1].split(">")[0]
    assert 'loading="lazy"' in tag and "320w" in tag and "640w" in tag and "sizes=" in tag


def test_a_forged_cursor_on_the_study_page_is_a_400_page(client, world):
    response = client.get("/study/?cursor=zz")
    assert response.status_code == 400 and "分页游标无效" in response.content.decode()
    assert client.get("/study/mine/?cursor=zz").status_code == 302  # login first


def test_an_unknown_category_falls_back_to_all(client, world):
    lf.article(world.county, audience=lf.A.PUBLIC, title="公开资料")
    assert "公开资料" in client.get("/study/?category=nope").content.decode()


def test_staff_opening_my_study_are_sent_to_their_figures(client, world):
    login_staff(client, world.county_staff)
    response = client.get("/study/mine/")
    assert response.status_code == 302 and response["Location"] == "/staff/study/"

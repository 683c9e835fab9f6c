"""Members find texts by the names they use (issue 20, item 3): 党章 finds 中国共产党章程 in
学习 and in the 党内法规 library, by a well-known short name or one staff typed; and 必学 or
党内法规 items cannot be published with nothing to read."""

import pytest

from learning.models import Article
from learning.selectors import article_list, regulation_list
from learning.services.articles import (
    ArticleInput,
    article_attachment_add,
    article_create,
    article_publish,
    article_publish_due,
)
from sanyuan.errors import ServiceError
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db

CHARTER = "中国共产党章程"


def regulation(world, title=CHARTER, body="<p>第一章 党员</p>", **extra):
    return lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category=lf.C.REGULATION,
        title=title,
        body=body,
        issuing_body="中国共产党全国代表大会",
        **extra,
    )


def titles(qs):
    return [a.title for a in qs]


def test_the_short_name_of_a_well_known_text_finds_it_in_study_and_in_the_regulations(world):
    regulation(world)
    lf.article(world.county, audience=lf.A.COUNTY, title="流动党员管理办法")
    member = world.member_a.user
    assert titles(article_list(user=member, q="党章").results) == [CHARTER]
    assert titles(regulation_list(user=member, q="党章")) == [CHARTER]


def test_short_names_typed_by_staff_are_searched_too(world):
    lf.article(
        world.county,
        audience=lf.A.COUNTY,
        title="关于加强新时代流动党员教育管理的意见",
        short_names="流动党员意见， 教育管理意见",
    )
    article = Article.objects.get()
    assert article.short_names == "流动党员意见、教育管理意见"
    found = article_list(user=world.member_a.user, q="教育管理意见").results
    assert titles(found) == [article.title]


def test_without_a_short_name_the_search_still_finds_nothing_for_it(world):
    lf.article(world.county, audience=lf.A.COUNTY, title="三原县流动党员服务指南")
    assert article_list(user=world.member_a.user, q="党章").results == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"category": lf.C.REGULATION, "issuing_body": "中央"}, "党内法规需要有正文或附件"),
        ({"required": True}, "必学资料需要有正文、视频或附件"),
    ],
)
def test_an_empty_required_or_regulation_item_cannot_be_published(world, extra, message):
    data = ArticleInput(
        title=CHARTER,
        organization=world.county,
        audience=lf.A.COUNTY,
        body="<p> </p>",
        **{"category": lf.C.NEWS, **extra},
    )
    draft = article_create(actor=None, data=data)
    with pytest.raises(ServiceError, match=message):
        article_publish(actor=world.county_staff, article=draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    article_attachment_add(actor=world.county_staff, article=draft, upload=lf.pdf())
    article_publish(actor=world.county_staff, article=draft)
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED


def test_an_empty_regulation_scheduled_earlier_stays_a_draft(world):
    from datetime import timedelta

    from django.utils import timezone

    draft = regulation(world, body="", published=False)
    Article.objects.filter(pk=draft.pk).update(scheduled_at=timezone.now() - timedelta(minutes=1))
    assert article_publish_due() == 0
    draft.refresh_from_db()
    assert (draft.status, draft.scheduled_at) == (Article.Status.DRAFT, None)


def test_an_ordinary_news_item_without_a_body_may_still_be_published(world):
    lf.article(world.county, title="图片新闻", body="")
    assert Article.objects.get().status == Article.Status.PUBLISHED

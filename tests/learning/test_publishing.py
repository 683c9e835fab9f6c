"""Sanitising, scheduled publishing, notices exactly once, and skill-targeted training."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.models import Article
from learning.services.articles import (
    ArticleInput,
    article_create,
    article_publish,
    article_publish_due,
    article_withdraw,
)
from learning.tasks import article_publish_due_task
from members import selectors as member_selectors
from members.models import Notice, Skill
from sanyuan.errors import ServiceError, StateConflict
from tests import factories
from tests.learning import factories as lf
from tests.learning.conftest import fresh

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">点我</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">点我</a>',
    '<svg onload="alert(1)"><circle r="5"/></svg>',
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">段落</p>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<object data=\"javascript:alert(1)\"></object><embed src='x.swf'>",
    '<IMG SRC="jav&#x09;ascript:alert(1);">',
]


@pytest.mark.parametrize("payload", XSS)
def test_bodies_are_sanitised_against_the_usual_xss_payloads(world, payload):
    article = lf.article(world.county, body=f"<h2>标题</h2><p>正文</p>{payload}")
    stored = Article.objects.get(pk=article.pk).body
    lowered = stored.lower()
    for bad in (
        "<script",
        "onerror",
        "onload",
        "onclick",
        "javascript:",
        "data:",
        "<svg",
        "<iframe",
        "<math",
        "<object",
        "<embed",
        "style=",
    ):
        assert bad not in lowered, (payload, stored)
    assert "<h2>标题</h2>" in stored and "<p>正文</p>" in stored


def test_rich_text_keeps_its_structure(world):
    body = (
        "<h3>小标题</h3><ul><li>一</li></ul><table><tr><td>表格</td></tr></table>"
        '<a href="https://example.cn/x">链接</a><img src="https://img.example.cn/a.jpg" alt="图">'
    )
    stored = lf.article(world.county, body=body).body
    for kept in (
        "<h3>",
        "<ul>",
        "<li>",
        "<table>",
        "<td>",
        'href="https://example.cn/x"',
        'src="https://img.example.cn/a.jpg"',
    ):
        assert kept in stored
    assert 'rel="noopener noreferrer nofollow"' in stored


def test_an_article_page_never_renders_a_script_from_the_body(client, world):
    article = lf.article(world.county, audience=lf.A.PUBLIC, body=XSS[0] + XSS[1])
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "alert(1)" not in page


@pytest.mark.parametrize("url", ["http://v.example.cn/1.mp4", "javascript:alert(1)", "ftp://x/y"])
def test_video_links_must_be_https(world, url):
    with pytest.raises(ServiceError) as info:
        lf.article(world.county, video_url=url)
    assert info.value.field == "video_url"


def test_training_provinces_must_be_province_codes(world):
    with pytest.raises(ServiceError) as info:
        lf.article(world.county, category="training", target_provinces=("440300",))
    assert info.value.field == "target_provinces"


def test_a_scheduled_article_is_published_by_the_beat_task_once_with_one_notice(world):
    draft = lf.article(world.county, category="announcement", published=False, title="定时通知")
    when = timezone.now() + timedelta(hours=1)
    article_publish(actor=world.county_staff, article=draft, at=when)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT and draft.scheduled_at == when
    assert article_publish_due_task.delay().get() == 0  # not due yet
    assert not Notice.objects.filter(title="定时通知").exists()

    later = when + timedelta(seconds=1)
    assert article_publish_due(now=later) == 1
    assert article_publish_due(now=later) == 0  # a second run finds nothing
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED and draft.published_at == when
    assert Notice.objects.filter(title="定时通知", kind=Notice.Kind.ARTICLE).count() == 1

    # Withdrawn and published again: still one notice.
    article_withdraw(actor=world.county_staff, article=draft)
    article_publish(actor=world.county_staff, article=draft)
    assert Notice.objects.filter(title="定时通知").count() == 1


def test_publishing_twice_is_a_conflict(world):
    article = lf.article(world.county)
    with pytest.raises(StateConflict):
        article_publish(actor=world.county_staff, article=article)


def test_staff_cannot_publish_an_article_outside_their_scope(world):
    from django.http import Http404

    article = lf.article(world.committee_b, published=False)
    with pytest.raises(Http404):
        article_publish(actor=world.staff_a, article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_a_plain_news_article_sends_no_notice(world):
    lf.article(world.county, category="news", title="普通新闻")
    assert not Notice.objects.filter(title="普通新闻").exists()


@pytest.fixture
def trades(world):
    """Members with skills and destinations, in committee A and B."""
    w = world
    w.welder = Skill.objects.create(name="电焊")
    w.cook = Skill.objects.create(name="厨师")
    a1 = w.branch_a1
    w.welder_a = factories.activated_member(a1, name="焊工甲")
    w.welder_a.skills.add(w.welder)
    w.cook_gd = factories.activated_member(a1, name="厨师乙", destination_province="440000")
    w.cook_gd.skills.add(w.cook)
    w.cook_js = factories.activated_member(
        w.branch_a2, name="厨师丙", destination_province="320000"
    )
    w.cook_js.skills.add(w.cook)
    w.welder_b = factories.activated_member(w.branch_b1, name="焊工丁")
    w.welder_b.skills.add(w.welder)
    w.nobody_gd = factories.activated_member(
        w.branch_a2, name="无技能戊", destination_province="440000"
    )
    return w


def _reached(w, notice) -> set[str]:
    names = set()
    for member in (
        w.member_a,
        w.member_b,
        w.welder_a,
        w.cook_gd,
        w.cook_js,
        w.welder_b,
        w.nobody_gd,
    ):
        inbox = member_selectors.notice_inbox(user=fresh(member.user), page_size=50).results
        if any(n.pk == notice.pk for n in inbox):
            names.add(member.name)
    return names


def test_a_training_offer_notifies_exactly_the_members_with_a_matching_skill_or_destination(
    trades,
):
    w = trades
    article = article_create(
        actor=w.staff_a,
        data=ArticleInput(
            title="电焊培训（广东）",
            category="training",
            organization=w.committee_a,
            target_skills=(w.welder,),
            target_provinces=("440000",),
        ),
    )
    article_publish(actor=w.staff_a, article=article)
    notices = Notice.objects.filter(kind=Notice.Kind.TRAINING)
    assert notices.count() == 1  # one row, however many members match
    notice = notices.get()
    assert notice.link == f"/articles/{article.pk}/"
    # Welder in A, cook and no-skill member in Guangdong (A); not the welder in B (outside the
    # subtree), not the cook in Jiangsu, not member_a (no skill, no destination).
    assert _reached(w, notice) == {"焊工甲", "厨师乙", "无技能戊"}

    from learning import selectors

    figures = selectors.article_figures(user=fresh(w.staff_a), article=article)
    assert figures.audience == 3 and figures.opened == 0


def test_staff_see_how_many_were_reached_and_how_many_opened(trades, as_user):
    w = trades
    article = lf.article(
        w.county,
        category="training",
        audience=lf.A.COUNTY,
        target_skills=(w.welder,),
    )
    as_user(w.welder_a.user).post(f"/api/articles/{article.pk}/study/", {}, format="json")
    as_user(w.member_a.user).post(f"/api/articles/{article.pk}/study/", {}, format="json")
    county = as_user(w.county_staff).get(f"/api/articles/{article.pk}/study-figures/").json()
    # Reached: the two welders. Opened among them: one (member_a is not a welder).
    assert county == {"audience": 2, "opened": 1, "finished": 0, "not_opened": 1, "seconds": 0}
    b = as_user(w.staff_b).get(f"/api/articles/{article.pk}/study-figures/").json()
    assert b["audience"] == 1 and b["opened"] == 0
    assert (
        as_user(w.member_a.user).get(f"/api/articles/{article.pk}/study-figures/").status_code
        == 403
    )

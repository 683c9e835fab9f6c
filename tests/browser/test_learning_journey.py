import pytest
from playwright.sync_api import expect

from learning.models import StudyRecord
from learning.services.articles import article_set_cover
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db(transaction=True)

LONG_BODY = "".join(
    f"<h3>第{n}部分</h3><p>流动党员离乡不离党，流动不失联。"
    + "认真学习党章党规，自觉参加组织生活。" * 12
    + "</p>"
    for n in range(1, 7)
)


def _library(world):
    pinned = lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category="announcement",
        title="关于开展流动党员信息集中核查工作的通知",
        pinned=True,
        required=True,
    )
    news = lf.article(
        world.county, audience=lf.A.PUBLIC, title="县委组织部赴深圳看望慰问三原籍流动党员"
    )
    article_set_cover(actor=None, article=news, upload=lf.jpeg(color=(183, 20, 27)))
    lf.article(world.committee_a, category="highlight", title="城关街道：“一人一档”让管理有抓手")
    lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category="exemplar",
        title="先锋党员：在工地上亮身份、作表率",
    )
    study = lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category="theory",
        title="党员的八项义务和八项权利",
        body=LONG_BODY,
    )
    article_set_cover(actor=None, article=study, upload=lf.jpeg(color=(200, 120, 40)))
    return pinned, news, study


def test_a_member_reads_an_article_to_the_end_and_finds_it_in_their_history(
    phone, screenshot, settings
):
    settings.LEARNING_FINISH_MIN_SECONDS = 2
    world = factories.build_world()
    member = world.member_a
    _pinned, _news, study = _library(world)

    page = phone
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    expect(page.get_by_text(f"{member.name}，您好！")).to_be_visible()
    expect(page.get_by_role("heading", name="通知公告")).to_be_visible()
    expect(page.get_by_text("关于开展流动党员信息集中核查工作的通知").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "learning-01-home")

    page.get_by_role("link", name="学习", exact=True).click()
    page.get_by_role("link", name="理论知识", exact=True).click()
    page.get_by_role("link", name="党员的八项义务和八项权利").click()
    page.wait_for_url(f"**/articles/{study.pk}/")
    expect(page.get_by_role("heading", name="党员的八项义务和八项权利")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "learning-02-article")

    # Read to the end: the page marks it finished once the end is reached after 2 s visible.
    page.locator("[data-study-end]").scroll_into_view_if_needed()
    page.get_by_text("已学完，已记入学习记录").wait_for(timeout=10000)
    record = StudyRecord.objects.get(member=member, article=study)
    assert record.finished_at is not None and record.seconds >= 1

    page.get_by_role("link", name="学习", exact=True).click()
    page.get_by_role("link", name="我的学习").click()
    history = page.get_by_role("list", name="学习记录")
    expect(history.get_by_text("党员的八项义务和八项权利")).to_be_visible()
    expect(history.get_by_text("已学完").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "learning-03-my-study")


def test_an_anonymous_visitor_sees_public_articles_at_360px(phone, screenshot):
    world = factories.build_world()
    _library(world)
    page = phone
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/")
    expect(page.get_by_role("link", name="激活档案")).to_be_visible()
    expect(page.get_by_text("县委组织部赴深圳看望慰问三原籍流动党员")).to_be_visible()
    assert page.get_by_text("党员的八项义务和八项权利").count() == 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "learning-04-home-anonymous-360")

"""A member's 民主评议 on a phone: Chromium started with --lang=zh-CN at 360×640 opens the
round from 我的, writes the self-assessment, fills the secret ballot (a missing rating is
refused in place, nothing stored) and sends it; screenshots in
test-artifacts/screenshots/appraisal-*."""

import pytest
from playwright.sync_api import expect

from appraisals.models import BallotRegister, BallotTally, SelfAssessment
from tests import factories
from tests.appraisals.factories import extend_world, open_round
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, assert_no_horizontal_scroll
from tests.browser.mobile_data import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


@pytest.fixture(scope="module")
def chinese_chromium(browser):
    chinese = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=zh-CN"]
    )
    yield chinese
    chinese.close()


def test_a_member_writes_the_self_assessment_and_votes_on_a_small_phone(
    chinese_chromium, live_server, screenshot
):
    w = extend_world(factories.build_world())
    appraisal = open_round(w, actor=w.staff_a)
    context = chinese_chromium.new_context(
        viewport=SMALL_PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        locale="zh-CN",
    )
    context.set_default_timeout(15000)
    sign_in(context, live_server.url, w.member_a.user)
    page = context.new_page()
    assert page.evaluate("navigator.language") == "zh-CN"

    page.goto("/me/")
    page.get_by_role("link", name="民主评议党员").click()
    page.wait_for_url("**/me/appraisals/")
    screenshot(page, "appraisal-1-list")
    page.get_by_role("link", name=f"{appraisal.year}年度民主评议党员：请投票").click()
    page.get_by_role("textbox", name="自我评价").fill(
        "一年来在深圳务工，坚持线上学习，按时交纳党费；不足是参加集中学习少。"
    )
    assert_no_horizontal_scroll(page)
    screenshot(page, "appraisal-2-self-assessment")
    page.get_by_role("button", name="提交自我评价").click()
    expect(page.get_by_text("自我评价已保存")).to_be_visible()
    assert SelfAssessment.objects.get(member=w.member_a).text.startswith("一年来在深圳务工")

    page.get_by_role("link", name="去投票").click()
    page.wait_for_url("**/ballot/")
    for name in ("赵六", "钱七", "孙八"):
        expect(page.get_by_role("group", name=name)).to_be_visible()
    assert page.get_by_role("group", name="张三").count() == 0  # not themselves
    page.get_by_role("group", name="赵六").get_by_label("优秀").check()
    page.get_by_role("group", name="钱七").get_by_label("合格", exact=True).check()
    assert_no_horizontal_scroll(page)
    screenshot(page, "appraisal-3-ballot")
    page.get_by_role("button", name="提交投票").click()
    expect(page.get_by_text("请评价孙八。")).to_be_visible()
    assert not BallotRegister.objects.exists()
    screenshot(page, "appraisal-4-ballot-missing")
    page.get_by_role("group", name="孙八").get_by_label("基本合格").check()
    page.get_by_role("button", name="提交投票").click()
    expect(page.get_by_text("投票成功")).to_be_visible()
    expect(page.get_by_text("您已投票")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "appraisal-5-voted")

    assert BallotRegister.objects.filter(appraisal=appraisal, voter=w.member_a).exists()
    moved = dict(
        BallotTally.objects.filter(appraisal=appraisal, count=1).values_list("member_id", "rating")
    )
    assert moved == {
        w.voter2.pk: "excellent",
        w.probationary.pk: "qualified",
        w.paper.pk: "basically_qualified",
    }
    context.close()

"""The member's side of hometown ties on a 360×640 phone (Chromium with --lang=zh-CN): joining
the 后援团 with what they offer and consent to publicity, recording a contribution that
waits for the branch's confirmation, and asking for help for the family at home. Screenshots
in test-artifacts/screenshots/hometown-*."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hometown.models import Contribution, SupportCase, SupportGroupMembership
from hometown.services import campaign_publish, contribution_decide
from members.models import Member
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.mobile_data import sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SMALL_PHONE = {"width": 360, "height": 640}


@pytest.fixture
def zh_phone(context_for):
    """A 360×640 phone context (the session's Chromium runs with --lang=zh-CN)."""
    return context_for(None, viewport=SMALL_PHONE)


def test_a_member_joins_the_support_group_records_a_contribution_and_asks_for_help(
    zh_phone, live_server, screenshot
):
    world = factories.build_world()
    member = world.member_a
    campaign_publish(
        actor=world.county_staff,
        year=timezone.localdate().year,
        title=f"{timezone.localdate().year}年“回馈家乡·助力振兴”行动",
        rules="当年有经党组织确认的回馈家乡贡献，本人同意宣传的，可评为回馈标兵。",
    )
    sign_in(zh_phone, live_server.url, member.user)
    page = zh_phone.new_page()

    page.goto("/me/")
    page.get_by_role("link", name="家乡后援团").click()
    page.wait_for_url("**/me/support-group/")
    expect(page.get_by_role("heading", name="加入家乡后援团")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "hometown-01-join-form-360")

    # Nothing ticked: a Chinese message, nothing saved.
    page.get_by_role("button", name="加入后援团").click()
    expect(page.get_by_text("请至少选择一项可以提供的支持。")).to_be_visible()
    assert not SupportGroupMembership.objects.exists()

    page.get_by_label("提供岗位").check()
    page.get_by_label("投资兴业").check()
    page.get_by_label("补充说明（可不填）").fill("可为家乡提供电焊岗位5个")
    page.get_by_label("同意党组织宣传报道我的回馈事迹（可随时撤回）").check()
    screenshot(page, "hometown-02-join-filled-360")
    page.get_by_role("button", name="加入后援团").click()
    expect(page.get_by_text("欢迎加入家乡后援团！")).to_be_visible()
    expect(page.get_by_role("heading", name="您是家乡后援团成员")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "hometown-03-joined-360")
    membership = SupportGroupMembership.objects.get(member=member)
    assert membership.offers == ["jobs", "investment"] and membership.publicity_consent
    assert Member.objects.get(pk=member.pk).support_group

    page.get_by_label("类型").select_option(label="提供就业岗位")
    page.get_by_label("事项").fill("为家乡劳动力提供电焊岗位")
    page.get_by_label("岗位数（可不填）").fill("5")
    page.get_by_label("日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("已登记，等待党组织确认。")).to_be_visible()
    expect(page.get_by_text("待确认").first).to_be_visible()
    screenshot(page, "hometown-04-contribution-recorded-360")

    contribution = Contribution.objects.get(member=member)
    contribution_decide(actor=world.staff_a, contribution=contribution, confirm=True)
    page.reload()
    expect(page.get_by_text("已确认").first).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "hometown-05-contribution-confirmed-360")

    page.goto("/me/")
    page.get_by_role("link", name="家庭困难帮扶").click()
    page.get_by_label("困难类型").select_option(label="农忙生产")
    page.get_by_label("家中的困难和需要的帮助").fill("家里5亩小麦麦收缺劳力，老人干不动")
    screenshot(page, "hometown-06-ask-for-help-360")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("已提交，党组织会尽快联系您。")).to_be_visible()
    expect(page.get_by_text("待受理")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "hometown-07-case-requested-360")
    assert SupportCase.objects.get(member=member).status == "requested"

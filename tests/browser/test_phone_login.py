"""短信验证码登录 in Chromium at 360×640 (issue 18 item 4): from the login page's link, the
number, 获取验证码, the code from the text, 登录. Screenshots in
test-artifacts/screenshots/phone-login-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members.models import Member
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


def test_a_member_signs_in_with_a_text_message_code(context_for, screenshot, sms_outbox):
    world = factories.build_world()
    member = world.member_a
    Member.objects.filter(pk=member.pk).update(
        phone_confirmed_at=timezone.now() - timedelta(days=3)
    )
    page = context_for(viewport=SMALL_PHONE).new_page()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="短信验证码登录").click()
    page.wait_for_url("**/accounts/login/phone/")
    page.get_by_label("手机号码").fill(member.phone)
    assert_no_horizontal_scroll(page)
    screenshot(page, "phone-login-01-number")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_text("验证码已发送").wait_for()
    code = next(
        m["params"]["code"]
        for m in sms_outbox.messages()
        if m["phone"] == member.phone and m["template"] == "one_time_code"
    )
    page.get_by_label("短信验证码").fill(code)
    screenshot(page, "phone-login-02-code")
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url("**/")
    page.goto("/me/")
    expect(page.get_by_text(member.name).first).to_be_visible()
    screenshot(page, "phone-login-03-signed-in")

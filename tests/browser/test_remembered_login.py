"""Logging in on a remembered phone (issue 20, item 5): the first time name, ID number and
password with 记住我; afterwards the login page greets the member by name and masked ID
number and asks only for the password; 我的 → 登录设备 lists the phone and removes it.
Chromium at 360×640; screenshots in test-artifacts/screenshots/remember-*.png."""

import pytest
from playwright.sync_api import expect

from members.models import RememberedDevice
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


def test_a_remembered_phone_asks_only_for_the_password(context_for, screenshot):
    world = factories.build_world()
    member = world.member_a
    context = context_for(viewport=SMALL_PHONE)
    page = context.new_page()

    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_label("记住我").check()
    screenshot(page, "remember-01-first-login")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    device_cookie = next(c for c in context.cookies() if c["name"] == "sanyuan_device")
    assert device_cookie["httpOnly"]
    assert page.evaluate("document.cookie").find("sanyuan_device") == -1  # out of scripts' reach
    stored = page.evaluate("JSON.stringify(localStorage) + document.cookie")
    assert member.id_number not in stored

    page.goto("/me/")
    page.get_by_role("link", name="退出登录").click()
    expect(page.get_by_text("这部手机仍会记住您")).to_be_visible()
    screenshot(page, "remember-02a-logout-confirm")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    greeting = page.get_by_label("这部手机记住的党员")
    expect(greeting.get_by_text(member.name)).to_be_visible()
    expect(greeting.get_by_text(member.id_number_masked)).to_be_visible()
    assert page.get_by_label("身份证号码").count() == 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "remember-02-password-only")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    page.goto("/me/")
    page.get_by_role("link", name="登录设备").click()
    expect(page.get_by_text("本机")).to_be_visible()
    screenshot(page, "remember-03-devices")
    page.get_by_role("button", name="移除").click()
    page.get_by_text("已移除").wait_for()
    assert RememberedDevice.objects.get().revoked_at is not None
    screenshot(page, "remember-04-device-removed")

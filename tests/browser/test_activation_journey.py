import pytest
from playwright.sync_api import expect

from members.services.accounts import one_time_code_issue
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "Qinling-Road-2026"


def test_a_demo_member_activates_with_a_staff_issued_code_logs_in_and_sees_home(phone, screenshot):
    world = factories.build_world()
    member = world.member_a2  # not activated yet
    issued = one_time_code_issue(staff=world.staff_a, member=member, reason="手机号已更换", ip=None)

    page = phone
    page.goto("/accounts/login/")
    screenshot(page, "01-login")
    page.get_by_role("link", name="首次使用？激活档案").click()

    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="我已有工作人员签发的验证码").click()

    page.get_by_label("验证码").fill(issued.code)
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意《个人信息保护告知》").check()
    assert member.id_number_masked in page.content()
    assert member.id_number not in page.content()
    assert_no_horizontal_scroll(page)
    screenshot(page, "02-activate-confirm")
    page.get_by_role("button", name="激活并登录").click()

    page.wait_for_url("**/")
    expect(page.get_by_text("档案激活成功")).to_be_visible()
    expect(page.get_by_text(f"{member.name}，您好！")).to_be_visible()
    expect(page.get_by_role("navigation", name="主导航")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "03-home-after-activation")

    # Log out from 我的, then log in with name + ID number + password.
    page.get_by_role("link", name="我的").click()
    expect(page.get_by_text(member.id_number_masked)).to_be_visible()
    screenshot(page, "04-me")
    page.get_by_role("link", name="退出登录").click()
    page.get_by_role("button", name="退出登录").click()  # 确定要退出登录吗？
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    expect(page.get_by_text(f"{member.name}，您好！")).to_be_visible()


def test_a_wrong_code_shows_a_clear_chinese_error(phone):
    world = factories.build_world()
    member = world.member_a2
    issued = one_time_code_issue(staff=world.staff_a, member=member, reason="手机号已更换", ip=None)
    wrong = "000000" if issued.code != "000000" else "111111"
    page = phone
    page.goto("/accounts/activate/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number + "1")
    page.get_by_role("button", name="我已有工作人员签发的验证码").click()
    expect(page.get_by_text("身份证号码应为18位")).to_be_visible()
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_role("button", name="我已有工作人员签发的验证码").click()
    page.get_by_label("验证码").fill(wrong)
    page.get_by_label("设置密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label("我已阅读并同意《个人信息保护告知》").check()
    page.get_by_role("button", name="激活并登录").click()
    expect(page.get_by_text("验证码不正确")).to_be_visible()

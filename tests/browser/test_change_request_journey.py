import pytest
from PIL import Image
from playwright.sync_api import expect

from members.models import Member
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def login_member(page, member):
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def test_a_member_asks_to_change_the_name_with_a_photo_and_staff_approve(
    browser, live_server, phone, screenshot, tmp_path
):
    world = factories.build_world()
    member = world.member_a
    photo = tmp_path / "户口本.jpg"
    Image.new("RGB", (800, 600), (230, 230, 220)).save(photo, format="JPEG")

    page = phone
    login_member(page, member)
    page.goto("/me/archive/")
    expect(page.get_by_text(member.id_number_masked)).to_be_visible()
    screenshot(page, "10-my-archive")
    page.get_by_role("link", name="信息有变化？申请修改").click()
    page.get_by_label("姓名").fill("张三丰")
    page.get_by_label("工作单位").fill("比亚迪股份有限公司")
    page.get_by_label("申请理由").fill("户籍已更名，并换了工作")
    page.set_input_files("#id_evidence", str(photo))
    assert_no_horizontal_scroll(page)
    screenshot(page, "11-change-request-form")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("修改申请已提交").wait_for()  # sent by upload.js, then opened
    screenshot(page, "12-change-request-submitted")

    staff_context = browser.new_context(
        viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="zh-CN"
    )
    staff = staff_context.new_page()
    staff.goto("/accounts/login/?as=staff")
    staff.get_by_label("用户名").fill("staff_a")
    staff.get_by_label("密码").fill(factories.PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto("/staff/change-requests/")
    staff.get_by_role("link", name="审核", exact=True).click()
    expect(staff.get_by_role("img", name="依据：户口本.jpg")).to_be_visible()
    expect(staff.get_by_text("张三丰")).to_be_visible()
    screenshot(staff, "13-staff-review")
    staff.get_by_label("审核意见").fill("已核对户口本")
    staff.get_by_role("button", name="通过并更新档案").click()
    expect(staff.get_by_text("已通过").first).to_be_visible()
    staff_context.close()

    assert Member.objects.get(pk=member.pk).name == "张三丰"
    page.goto("/notices/")
    expect(page.get_by_text("您的档案修改申请已通过")).to_be_visible()
    page.goto("/me/archive/")
    expect(page.get_by_text("张三丰").first).to_be_visible()
    screenshot(page, "14-archive-after-approval")

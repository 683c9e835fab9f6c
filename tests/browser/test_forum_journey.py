"""A member posts a request with a photo, committee staff answer officially, the member sees
the badge (党组织回复) and the notice. Chromium at 390×844; screenshots in
test-artifacts/screenshots/forum-*.png."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import PHONE, assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)


def new_phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        base_url=live_server.url,
        locale="zh-CN",
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def log_in_member(page, member):
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(member.name)
    page.get_by_label("身份证号码").fill(member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def log_in_staff(page, username):
    page.goto("/accounts/login/?as=staff")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/staff/")


def photo_file(tmp_path):
    path = tmp_path / "证明材料.jpg"
    image = Image.new("RGB", (1200, 900), (230, 226, 220))
    for x in range(100, 1100):
        for y in range(380, 520, 7):
            image.putpixel((x, y), (60, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def image_loaded(page, locator) -> bool:
    """Whether the image loads (waits for it: a busy machine may still be fetching it)."""
    return locator.evaluate(
        """img => (img.complete ? Promise.resolve() : new Promise(done => {
             img.addEventListener('load', done); img.addEventListener('error', done); }))
           .then(() => img.naturalWidth > 0)"""
    )


def test_a_request_with_a_photo_is_answered_officially_and_the_member_is_told(
    phone, browser, live_server, screenshot, tmp_path
):
    world = factories.build_world()
    page = phone
    log_in_member(page, world.member_a)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="论坛").click()
    page.wait_for_url("**/forum/")
    assert_no_horizontal_scroll(page)
    screenshot(page, "forum-01-board-empty")

    page.get_by_role("link", name="发帖").click()
    page.get_by_label("诉求").check()
    page.get_by_label("标题").fill("在西安工地受伤，工伤认定要回三原办吗？")
    page.get_by_label("内容").fill(
        "上个月在西安工地扭伤了腰，老板说工伤要回老家办。\n\n请问工伤认定在哪里申请？附上病历照片。"
    )
    page.get_by_label("照片").set_input_files(str(photo_file(tmp_path)))
    page.locator(".photo-tiles img").first.wait_for()
    assert_no_horizontal_scroll(page)
    screenshot(page, "forum-02-new-request")
    page.get_by_role("button", name="发布").click()

    page.get_by_text("发布成功").wait_for()
    expect(page.get_by_text("等待党组织答复")).to_be_visible()
    photo = page.get_by_role("img", name="张三上传的第1张图片")
    photo.wait_for()
    assert image_loaded(page, photo)
    assert_no_horizontal_scroll(page)
    screenshot(page, "forum-03-request-posted")
    thread_url = page.url

    staff_context, staff = new_phone(browser, live_server)
    try:
        log_in_staff(staff, "staff_a")
        staff.get_by_role("link", name="论坛待回复").click()
        staff.get_by_role("link", name="在西安工地受伤，工伤认定要回三原办吗？").wait_for()
        expect(staff.get_by_role("cell", name="东关社区党支部")).to_be_visible()
        assert_no_horizontal_scroll(staff)
        screenshot(staff, "forum-04-staff-queue")
        staff.get_by_role("link", name="在西安工地受伤，工伤认定要回三原办吗？").click()
        identity = staff.get_by_label("回复身份")
        assert identity.input_value() == str(world.committee_a.pk)
        staff.get_by_label("回复内容").fill(
            "您好！工伤认定应向用人单位所在地（西安市）社会保险行政部门申请，一般在受伤之日起1年内提出。"
            "请保留好就医记录，支部会帮您联系西安的流动党员服务站。"
        )
        staff.get_by_role("button", name="发表回复").click()
        staff.get_by_text("回复成功").wait_for()
        expect(staff.locator(".post--official .badge-official").first).to_be_visible()
        screenshot(staff, "forum-05-staff-official-reply")
    finally:
        staff_context.close()

    page.goto("/forum/")
    bell = page.get_by_role("link", name="消息，1条未读")
    expect(bell).to_be_visible()
    expect(page.get_by_text("已答复").first).to_be_visible()
    screenshot(page, "forum-06-member-sees-badge-in-list")
    bell.click()
    notice = page.get_by_text(
        "城关街道党工委回复了您的诉求：在西安工地受伤，工伤认定要回三原办吗？"
    )
    expect(notice).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "forum-07-member-notices")
    notice.click()
    page.wait_for_url(f"{thread_url}?post=*")
    official = page.locator(".post--official")
    expect(official.get_by_text("党组织回复")).to_be_visible()
    expect(official.get_by_text("城关街道党工委").first).to_be_visible()
    expect(page.get_by_text("党组织已答复")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "forum-08-member-sees-official-reply")
    page.goto(thread_url)
    screenshot(page, "forum-09-thread-full")

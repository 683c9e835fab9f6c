"""Form errors on a small phone (issue 20, item 6): every field is checked at once, a summary
at the top names the fields to change, the cursor is in the first one and below the fixed
top bar, and what was typed (new passwords too) and the chosen photo stay; the same
scroll-padding-top keeps 活动日历's day links clear of the bar. Chromium at 360×640;
screenshots in test-artifacts/screenshots/errors-*.png."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import SCREENSHOTS, assert_no_horizontal_scroll
from tests.browser.test_member_photos import phone_photo

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}


def view_shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def below_the_top_bar(page, locator) -> bool:
    bar = page.locator(".topbar").bounding_box()
    box = locator.bounding_box()
    return box["y"] >= bar["y"] + bar["height"] - 1 and box["y"] + box["height"] <= 640


def test_a_post_with_two_mistakes_names_both_and_keeps_the_photo(
    context_for, screenshot, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = factories.build_world()
    page = context_for(world.member_a.user, viewport=SMALL_PHONE).new_page()
    page.goto("/forum/new/")
    page.get_by_label("内容").fill("村里的路灯坏了很久了。")
    page.get_by_label("添加照片").set_input_files(
        str(phone_photo(tmp_path / "路灯.jpg", (900, 600)))
    )
    page.get_by_role("button", name="发布").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    expect(summary.get_by_role("link", name="类型")).to_be_visible()
    expect(summary.get_by_role("link", name="标题")).to_be_visible()  # both at once
    expect(page.get_by_label("留言")).to_be_focused()
    assert page.get_by_label("内容").input_value() == "村里的路灯坏了很久了。"
    assert page.get_by_label("换照片").evaluate("input => input.files.length") == 1
    assert_no_horizontal_scroll(page)
    screenshot(page, "errors-01-forum-summary")

    summary.get_by_role("link", name="标题").click()
    title = page.get_by_label("标题")
    assert below_the_top_bar(page, title)  # scroll-padding-top for the fixed bar
    view_shot(page, "errors-02-jump-below-top-bar")


def test_a_wrong_current_password_keeps_the_new_one_typed(context_for, screenshot):
    world = factories.build_world()
    page = context_for(world.member_a.user, viewport=SMALL_PHONE).new_page()
    page.goto("/me/password/")
    page.get_by_label("当前密码").fill("not-my-password")
    page.get_by_label("新密码", exact=True).fill("Another-Horse-27")
    page.get_by_label("再次输入新密码").fill("Another-Horse-27")
    page.get_by_role("button", name="修改密码").click()
    page.get_by_text("当前密码不正确。").wait_for()
    expect(page.get_by_label("当前密码")).to_be_focused()
    assert page.get_by_label("新密码", exact=True).input_value() == "Another-Horse-27"
    assert page.get_by_label("再次输入新密码").input_value() == "Another-Horse-27"
    expect(
        page.locator("[data-error-summary]").get_by_role("link", name="当前密码")
    ).to_be_visible()
    view_shot(page, "errors-03-password")
    page.get_by_label("当前密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    page.get_by_text("密码已修改").wait_for()


def test_a_calendar_day_link_lands_below_the_top_bar(context_for):
    """The same scroll-padding-top: tapping a day in 活动日历 jumps to that day's list with its
    heading below the sticky top bar, not under it."""
    from datetime import datetime, timedelta

    from django.utils import timezone

    from tests.activities import factories as af

    world = factories.build_world()
    today = timezone.localdate()
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month
    now = timezone.now()
    for day in (3, 8, 10, 13, 16, 19, 22, 25, 28):  # a long list after the first day
        at = datetime(month.year, month.month, day, 9, 30, tzinfo=timezone.get_current_timezone())
        af.activity(world.branch_a1, title=f"{month.month}月{day}日主题党日", starts_in=at - now)
    page = context_for(world.member_a.user, viewport=SMALL_PHONE).new_page()
    page.goto(f"/activities/calendar/?month={month:%Y-%m}")

    page.get_by_role("link", name=f"{month.month}月3日，1项活动").tap()
    page.wait_for_url(f"**#day-{month:%Y-%m}-03")
    heading = page.locator(f"#day-{month:%Y-%m}-03")
    page.wait_for_function("() => window.scrollY > 0")  # the jump did scroll the page
    assert below_the_top_bar(page, heading), (
        heading.bounding_box(),
        page.locator(".topbar").bounding_box(),
    )
    view_shot(page, "errors-04-calendar-day-below-top-bar")

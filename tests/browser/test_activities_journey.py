"""A member sees an upcoming 主题党日, asks for leave (请假) with a reason, and the staff
attendance sheet shows it. Screenshots at 390×844 (and the staff sheet at 1366×768)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity, ActivityMaterial, Attendance
from tests import factories
from tests.activities import factories as af
from tests.browser.conftest import SCREENSHOTS, assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "在深圳工地上夜班，无法赶回"


def _log_in_as_staff(browser_context, user, live_server):
    """Reuse a Django session (staff log in with username and password elsewhere; here
    the journey is the sheet, not the login form)."""
    client = Client()
    client.force_login(user, backend="members.backends.StaffBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    browser_context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_a_member_asks_for_leave_from_a_theme_day_and_staff_see_it(
    phone, browser, live_server, screenshot
):
    world = factories.build_world()
    theme_day = af.activity(
        world.branch_a1,
        kind=Activity.Kind.THEME_DAY,
        title="“重温入党誓词·牢记初心使命”主题党日",
        starts_in=timedelta(days=3),
        place="东关社区党群服务中心",
        online_url="https://meeting.tencent.com/dm/123456789",
        host_name="支部书记",
        agenda="一、重温入党誓词\n二、学习党章第一章\n三、流动党员视频连线交流",
    )
    held = af.past(
        world.branch_a1, kind=Activity.Kind.PARTY_LECTURE, title="书记讲党课：离乡不离党"
    )
    ActivityMaterial.objects.create(
        activity=held, kind="minutes", title="党课会议纪要", body="<p>到会21人，线上9人。</p>"
    )
    af.activity(world.branch_b1, title="陵前村主题党日")  # another branch's: never shown

    page = phone
    page.goto("/accounts/login/")
    page.get_by_label("姓名").fill(world.member_a.name)
    page.get_by_label("身份证号码").fill(world.member_a.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="活动").click()
    page.wait_for_url("**/activities/")
    upcoming = page.get_by_role("region", name="即将开始")
    expect(upcoming.get_by_text(theme_day.title)).to_be_visible()
    expect(page.get_by_role("region", name="往期活动").get_by_text("党课会议纪要")).to_be_visible()
    assert page.get_by_text("陵前村主题党日").count() == 0
    assert_no_horizontal_scroll(page)
    screenshot(page, "activities-01-list")

    page.get_by_role("link", name="日历").click()
    page.wait_for_url("**/activities/calendar/")
    starts = timezone.localtime(theme_day.starts_at)
    if (starts.year, starts.month) != (timezone.localdate().year, timezone.localdate().month):
        # Three days ahead can be next month (the 29th and after): the member turns the page.
        page.get_by_role("link", name=f"下个月（{starts.year}年{starts.month}月）").click()
        page.wait_for_url(f"**/activities/calendar/?month={starts:%Y-%m}")
    expect(page.get_by_text(theme_day.title).first).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "activities-02-calendar")
    page.set_viewport_size({"width": 360, "height": 740})  # the narrowest phones
    assert_no_horizontal_scroll(page)
    page.set_viewport_size({"width": 390, "height": 844})

    page.get_by_text(theme_day.title).first.click()
    page.wait_for_url(f"**/activities/{theme_day.pk}/")
    expect(page.get_by_role("heading", name=theme_day.title)).to_be_visible()
    expect(page.get_by_role("button", name="参加")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "activities-03-detail")

    page.get_by_text("不能参加？请假").click()
    page.get_by_role("button", name="提交请假").click()  # without a reason first
    expect(page.get_by_text("请假需要填写事由")).to_be_visible()
    page.get_by_label("请假事由").fill(REASON)
    screenshot(page, "activities-04-excuse-form")
    page.get_by_role("button", name="提交请假").click()
    page.wait_for_url(f"**/activities/{theme_day.pk}/")
    expect(page.get_by_text("已请假，请及时补学活动资料")).to_be_visible()
    expect(page.get_by_text(f"您已请假：{REASON}")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "activities-05-excused")
    # Full-page shots draw the fixed tab bar mid-page; this one shows the reply as seen.
    page.evaluate("document.getElementById('reply-title').scrollIntoView()")
    page.screenshot(path=str(SCREENSHOTS / "activities-05b-excused-viewport.png"))
    row = Attendance.objects.get(activity=theme_day)
    assert (row.member_id, row.status, row.reason) == (world.member_a.pk, "excused", REASON)

    # The staff of committee A open the attendance sheet: wide screen, then phone width.
    for name, viewport in (
        ("activities-06-staff-sheet-1366", {"width": 1366, "height": 768}),
        ("activities-07-staff-sheet-390", {"width": 390, "height": 844}),
    ):
        context = browser.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN")
        _log_in_as_staff(context, world.staff_a, live_server)
        staff = context.new_page()
        staff.goto(f"/staff/activities/{theme_day.pk}/attendance/")
        sheet = staff.get_by_role("table", name="参会情况表")
        excused_row = sheet.get_by_role("row").filter(has_text=world.member_a.name)
        expect(excused_row.get_by_text("请假", exact=True)).to_be_visible()
        expect(excused_row.get_by_text(REASON)).to_be_visible()
        expect(staff.get_by_role("link", name="请假 1")).to_be_visible()
        screenshot(staff, name)
        if viewport["width"] == 390:
            assert_no_horizontal_scroll(staff)
        context.close()

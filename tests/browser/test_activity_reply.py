"""Replying to an activity on a small phone (issue 20, item 2): 参加 / 请假 in a bar that stays
on screen, a failed 请假 shows its error where the member is looking, and the list marks
activities still waiting for a reply (待回复); a 支委会 meeting is shown only to the members
holding a seat on its branch's committee. Chromium at 360×640; screenshots in
test-artifacts/screenshots/reply-*.png."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from activities.models import Activity, Attendance
from members.models import BranchCommitteeSeat
from tests import factories
from tests.activities import factories as af
from tests.browser.conftest import SCREENSHOTS, assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}
AGENDA = "\n".join(f"{n}、学习党章第{n}章，联系在外务工实际谈体会" for n in range(1, 12))


def view_shot(page, name):
    """What the member sees without scrolling (the full-page shots hide fixed bars)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def in_viewport(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= SMALL_PHONE["height"]


def test_the_reply_bar_stays_on_screen_and_a_failed_leave_shows_its_error_in_view(
    context_for, screenshot
):
    world = factories.build_world()
    theme_day = af.activity(
        world.branch_a1,
        kind=Activity.Kind.THEME_DAY,
        title="十二月主题党日：重温入党誓词",
        place="东关社区党群服务中心",
        agenda=AGENDA,
        starts_in=timedelta(days=2),
    )
    lecture = af.activity(
        world.branch_a1,
        kind=Activity.Kind.PARTY_LECTURE,
        title="书记讲党课：离乡不离党",
        starts_in=timedelta(days=5),
    )
    page = context_for(world.member_a.user, viewport=SMALL_PHONE).new_page()

    page.goto("/activities/")
    theme_item = page.locator(".act-item", has_text=theme_day.title)
    expect(theme_item.get_by_text("待回复")).to_be_visible()
    expect(page.locator(".act-item", has_text=lecture.title).get_by_text("待回复")).to_be_visible()
    screenshot(page, "reply-01-list-waiting")

    page.goto(f"/activities/{theme_day.pk}/")
    bar = page.get_by_role("region", name="回复本次活动")
    assert in_viewport(bar.get_by_role("button", name="参加"))
    assert in_viewport(bar.get_by_role("link", name="请假"))
    view_shot(page, "reply-02-detail")
    page.mouse.wheel(0, 900)
    assert in_viewport(bar.get_by_role("button", name="参加"))  # still there after scrolling

    bar.get_by_role("link", name="请假").click()
    reason = page.get_by_label("请假事由")
    expect(page.get_by_label("请假事由")).to_be_focused()
    assert in_viewport(reason)
    page.get_by_role("button", name="提交请假").click()  # no reason given
    error = page.get_by_text("请假需要填写事由。")
    error.wait_for()
    expect(page.get_by_label("请假事由")).to_be_focused()
    assert in_viewport(error)
    assert not Attendance.objects.filter(activity=theme_day).exists()
    assert_no_horizontal_scroll(page)
    view_shot(page, "reply-03-error")

    page.get_by_label("请假事由").fill("在深圳工地上夜班，无法赶回")
    page.get_by_role("button", name="提交请假").click()
    page.get_by_text("已请假，请及时补学活动资料。").wait_for()
    assert page.get_by_role("region", name="回复本次活动").count() == 0
    row = Attendance.objects.get(activity=theme_day, member=world.member_a)
    assert row.status == Attendance.Status.EXCUSED

    page.goto(f"/activities/{lecture.pk}/")
    page.get_by_role("region", name="回复本次活动").get_by_role("button", name="参加").click()
    page.get_by_text("已报名参加，请准时参加。").wait_for()

    page.goto("/activities/")
    expect(
        page.locator(".act-item", has_text=theme_day.title).get_by_text("已请假")
    ).to_be_visible()
    expect(page.locator(".act-item", has_text=lecture.title).get_by_text("已报名")).to_be_visible()
    assert page.get_by_text("待回复").count() == 0
    screenshot(page, "reply-04-list-answered")


def test_a_committee_meeting_is_shown_only_to_the_branchs_committee(context_for):
    """支委会 (item 2): an ordinary member of the branch does not see it in 活动; a member with
    a seat on the branch's committee sees it and replies from the bar."""
    world = factories.build_world()
    secretary = world.member_a
    BranchCommitteeSeat.objects.create(
        organization=world.branch_a1, member=secretary, role=BranchCommitteeSeat.Role.SECRETARY
    )
    ordinary = factories.activated_member(world.branch_a1, name="赵六")
    meeting = af.activity(
        world.branch_a1, kind=Activity.Kind.COMMITTEE_MEETING, title="十二月支委会：研究发展党员"
    )
    af.activity(world.branch_a1, title="十二月主题党日", starts_in=timedelta(days=4))

    page = context_for(ordinary.user, viewport=SMALL_PHONE).new_page()
    page.goto("/activities/")
    expect(page.get_by_text("十二月主题党日")).to_be_visible()  # the branch's other activity
    assert page.get_by_text("十二月支委会").count() == 0
    assert page.get_by_text("支委会").count() == 0
    assert_no_horizontal_scroll(page)
    view_shot(page, "reply-05-committee-ordinary-member")
    assert page.goto(f"/activities/{meeting.pk}/").status == 404

    page = context_for(secretary.user, viewport=SMALL_PHONE).new_page()
    page.goto("/activities/")
    item = page.locator(".act-item", has_text="十二月支委会")
    expect(item.get_by_text("支委会", exact=True)).to_be_visible()
    expect(item.get_by_text("待回复")).to_be_visible()
    item.get_by_role("link").first.click()
    page.wait_for_url(f"**/activities/{meeting.pk}/")
    bar = page.get_by_role("region", name="回复本次活动")
    assert in_viewport(bar.get_by_role("button", name="参加"))
    assert in_viewport(bar.get_by_role("link", name="请假"))
    assert_no_horizontal_scroll(page)
    view_shot(page, "reply-06-committee-member")
    bar.get_by_role("button", name="参加").click()
    page.get_by_text("已报名参加，请准时参加。").wait_for()
    row = Attendance.objects.get(activity=meeting)
    assert (row.member, row.status) == (secretary, Attendance.Status.ATTENDING)

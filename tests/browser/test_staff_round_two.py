"""The county staff's pages in Chromium started with --lang=zh-CN at 1366×768, as a county
office sees them: what JavaScript writes (the admin's 技能 selector, the region selects that
reload from the region API) reads in Chinese and works under the Content-Security-Policy; the
pages changed for issue 21 are saved as screenshots (test-artifacts/screenshots/staff2-*)."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from activities.models import Activity
from forum.models import Thread
from members.models import Member, Organization, User
from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.test_security_headers import Watch
from tests.factories import login_staff
from tests.visible_text import foreign_words

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1366, "height": 768}
# Everything a person reads on the rendered page, JavaScript's text included.
READ = """
() => {
  const texts = [document.title, document.body.innerText];
  for (const el of document.querySelectorAll('[title],[placeholder],[aria-label],[alt]')) {
    for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts;
}
"""


@pytest.fixture(scope="module")
def chinese_chromium(browser):
    """Chromium as a Chinese-language office computer starts it (a second browser of the
    session's Playwright)."""
    chinese = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=zh-CN"]
    )
    yield chinese
    chinese.close()


def staff_page(browser, live_server, user):
    """A 1366×768 page signed in as `user` (second factor verified), watched for CSP
    violations, console errors and failed requests."""
    client = login_staff(Client(), user)
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, locale="zh-CN")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )
    watch = Watch(context)
    return context.new_page(), watch


def read_in_chinese(page, identifiers=()) -> dict:
    return foreign_words(page.evaluate(READ), identifiers)


def test_the_admin_skill_picker_and_region_selects_speak_chinese(
    chinese_chromium, live_server, screenshot
):
    world = factories.build_world()
    from members.models import Skill

    for name in ("电焊", "厨师", "货车驾驶"):
        Skill.objects.create(name=name)
    page, watch = staff_page(chinese_chromium, live_server, world.county_staff)
    watch.visit(page, f"/admin/members/member/{world.member_a.pk}/change/")
    page.wait_for_selector(".selector-chooseall")
    text = page.inner_text("#content")
    assert "可用 技能" in text and "选中的 技能" in text
    assert page.inner_text(".selector-chooseall").strip() == "全选技能"
    assert read_in_chinese(page, {"county_staff"}) == {}
    # Province → city → district, refilled from the region API as the staff choose.
    page.select_option('select[name="destination_province"]', "440000")
    page.wait_for_selector(
        'select[name="destination_city"] option[value="440300"]', state="attached"
    )
    page.select_option('select[name="destination_city"]', "440300")
    page.wait_for_selector(
        'select[name="destination_district"] option[value="440306"]', state="attached"
    )
    assert (
        page.locator('select[name="destination_district"] option[value="440306"]').inner_text()
        == "宝安区"
    )
    page.select_option('select[name="destination_district"]', "440306")
    screenshot(page, "staff2-admin-member-regions-skills")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url("**/admin/members/member/")
    member = Member.objects.get(pk=world.member_a.pk)
    assert (member.destination_city, member.destination_district) == ("440300", "440306")
    assert watch.errors == [] and page.evaluate("window.__violations") == []


def test_the_pages_changed_for_the_county_staff(chinese_chromium, live_server, screenshot):
    call_command("seed_demo", "--members", "60", "--seed", "21", verbosity=0)
    county = User.objects.get(username="county_admin")
    from transfers.models import IntroductionLetter

    identifiers = {
        *Organization.objects.values_list("code", flat=True),
        *User.objects.filter(is_staff=True).values_list("username", flat=True),
        # Letter numbers come from the provincial platform (e.g. SX2026-6104220003).
        *IntroductionLetter.objects.values_list("number", flat=True),
    }
    page, watch = staff_page(chinese_chromium, live_server, county)
    member = Member.objects.filter(user__isnull=False, destination_district__gt="").first()
    thread = Thread.objects.filter(board="forum").order_by("-pk").first()
    without_account = Member.objects.filter(user__isnull=True, status="away").first()
    upcoming = (
        # A 主题党日 invites the whole branch (a 支委会 only its seats, a 党小组会 a group),
        # and one is published every month, whatever today's date.
        Activity.objects.filter(
            status="published",
            organization=without_account.organization,
            kind=Activity.Kind.THEME_DAY,
        )
        .order_by("starts_at")
        .first()
    )
    pages = [
        ("workbench", "/staff/"),
        ("members", "/staff/members/?destination_province=440000"),
        ("member", f"/staff/members/{member.pk}/"),
        ("audit", "/staff/audit/"),
        ("attendance", f"/staff/activities/{upcoming.pk}/attendance/"),
        ("admin-members", "/admin/members/member/"),
        ("admin-audit", "/admin/members/auditevent/"),
        ("notices-as-staff", "/notices/"),
        ("forum-thread-as-staff", f"/forum/threads/{thread.pk}/"),
    ]
    problems = []
    for name, url in pages:
        watch.visit(page, url)
        found = read_in_chinese(page, identifiers)
        if found:
            problems.append(f"{url}: {found}")
        if page.locator(".tabbar").count():
            problems.append(f"{url}: the member tab bar")
        if name == "attendance" and not page.get_by_text("未激活（短信通知）").first.is_visible():
            problems.append(f"{url}: no invitee marked 未激活（短信通知）")
        screenshot(page, f"staff2-{name}")
    assert problems == []


def test_an_empty_workbench_says_so(chinese_chromium, live_server, screenshot):
    county = factories.organization("三原县", Organization.Kind.COUNTY, code="C-EMPTY")
    committee = factories.organization("新设党工委", Organization.Kind.COMMITTEE, county)
    staff = factories.staff("new_committee", "committee", committee)
    page, watch = staff_page(chinese_chromium, live_server, staff)
    watch.visit(page, "/staff/")
    expect(page.get_by_text("目前没有需要处理的事项")).to_be_visible()
    screenshot(page, "staff2-workbench-empty")

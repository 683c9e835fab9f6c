"""A look at every page (issue 9): every member page at 360×640 and 390×844 and the staff
pages at 1366×768, with screenshots in test-artifacts/screenshots/walk-*; nothing scrolls
sideways and no text is cut off on phones; no serious or critical axe-core violation on any
member page; 大字模式 makes type and targets larger and darker and hides nothing."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser import mobile_data
from tests.browser.pages import (
    axe_violations,
    look,
    member_pages,
    remembered_phone_pages,
    staff_pages,
    visitor_pages,
)

pytestmark = pytest.mark.django_db(transaction=True)

# What shows that a page is seen as on the member's remembered phone.
REMEMBERED_STATE = {
    "my-devices": ".devices__item .tag:text('本机')",
    "logout-confirm": "text=这部手机仍会记住您",
    "login-remembered": ".remembered",
}
PHONES = [{"width": 360, "height": 640}, {"width": 390, "height": 844}]
DESKTOP = {"width": 1366, "height": 768}


def _walk(page, screenshot, pages, prefix, *, vertical=False) -> list[str]:
    problems = []
    for number, (name, path) in enumerate(pages, start=1):
        problems += look(page, path, vertical=vertical)
        screenshot(page, f"{prefix}-{number:02d}-{name}")
    return problems


@pytest.mark.parametrize("viewport", PHONES, ids=["360x640", "390x844"])
def test_every_member_page_fits_a_phone(context_for, live_server, screenshot, viewport):
    w = mobile_data.build()
    size = f"{viewport['width']}x{viewport['height']}"
    member = context_for(w.member.user, viewport=viewport, device_scale_factor=1).new_page()
    problems = _walk(member, screenshot, member_pages(w), f"walk-{size}")
    visitor = context_for(None, viewport=viewport, device_scale_factor=1).new_page()
    problems += _walk(visitor, screenshot, visitor_pages(), f"walk-{size}-visitor")
    remembered = context_for(None, viewport=viewport, device_scale_factor=1)
    mobile_data.remember_phone(remembered, live_server.url, w.device_token)
    pages = remembered_phone_pages()
    problems += _walk(remembered.new_page(), screenshot, pages, f"walk-{size}-remembered")
    assert problems == []


def test_the_staff_pages_fit_a_desktop_screen(context_for, screenshot):
    w = mobile_data.build()
    page = context_for(w.county_staff_user, viewport=DESKTOP).new_page()
    problems = _walk(page, screenshot, staff_pages(w), "walk-1366x768-staff")
    assert problems == []


def test_no_member_page_has_a_serious_accessibility_violation(context_for, live_server):
    w = mobile_data.build()
    # bypass_csp: axe-core is added to each page as a script of the test's own.
    member = context_for(w.member.user, bypass_csp=True)
    # The member's own phone remembers them: 登录设备 marks it 本机, 退出登录 says so.
    mobile_data.remember_phone(member, live_server.url, w.device_token)
    visitor = context_for(None, bypass_csp=True)
    remembered = context_for(None, bypass_csp=True)
    mobile_data.remember_phone(remembered, live_server.url, w.device_token)
    found = {}
    for context, pages in (
        (member, member_pages(w)),
        (visitor, visitor_pages()),
        (remembered, remembered_phone_pages()),
    ):
        page = context.new_page()
        for name, path in pages:
            page.goto(path)
            found[f"{name} {path}"] = axe_violations(page)
            if name in REMEMBERED_STATE:  # the state meant, not the page for a stranger
                assert page.locator(REMEMBERED_STATE[name]).count() == 1, name
    report = Path(settings.BASE_DIR) / "test-artifacts" / "axe-member-pages.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert {path: v for path, v in found.items() if v} == {}


def test_large_text_mode_is_larger_darker_and_loses_nothing(context_for, screenshot):
    w = mobile_data.build()
    viewport = PHONES[0]
    page = context_for(w.member.user, viewport=viewport).new_page()
    page.goto(reverse("members:me"))
    normal = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="开启大字模式").click()
    page.get_by_text("已开启大字模式。").wait_for()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.evaluate("document.body.classList.contains('large-text')")
    large = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= 20 and large > normal
    sizes = page.evaluate(
        """() => ({
          tab: document.querySelector('.tabbar__item').getBoundingClientRect().height,
          button: document.querySelector('.setting .button').getBoundingClientRect().height,
          muted: getComputedStyle(document.querySelector('.muted')).color,
        })"""
    )
    assert sizes["tab"] >= 64 and sizes["button"] >= 52
    assert sizes["muted"] == "rgb(47, 47, 47)"  # darker than the usual #555
    screenshot(page, "large-text-00-me")

    problems = _walk(page, screenshot, member_pages(w), "large-text-360x640", vertical=True)
    assert problems == []

    # Remembered on the account: another phone shows it too; switching off goes back.
    other = context_for(w.member.user, viewport=viewport).new_page()
    other.goto(reverse("learning:home"))
    assert other.evaluate("document.body.classList.contains('large-text')")
    other.goto(reverse("members:me"))
    other.get_by_role("button", name="关闭大字模式").click()
    other.get_by_text("已关闭大字模式。").wait_for()
    assert not other.evaluate("document.body.classList.contains('large-text')")

"""The arrival card at 360×640 (issue 20 item 9): the QR code counts down and is replaced
before it lapses; without a network the phone shows its 报到码 (computed in the page from
the secret it was handed once) with its own clock, and host staff type that code on the
hosting page."""

import re
import time
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from members.models import CheckinSecret, Hosting, Organization
from members.services import checkin
from tests import factories
from tests.browser import mobile_data
from tests.browser.conftest import assert_no_horizontal_scroll
from tests.browser.pages import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)

SMALL_PHONE = {"width": 360, "height": 640}
KEPT = "() => Object.keys(localStorage).filter(k => /^sanyuan-checkin:[0-9a-f]{32}$/.test(k))"


def _wait(page, script, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(script)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {script[:60]}…")


def test_the_qr_card_counts_down_and_fetches_a_fresh_code_before_it_lapses(context_for, screenshot):
    w = mobile_data.build()
    context = context_for(w.member.user, viewport=SMALL_PHONE, bypass_csp=True)
    page = context.new_page()
    page.clock.install(time=datetime.now(tz=UTC))
    page.goto("/me/qr/")
    clock = page.locator("[data-qr-clock]")
    first = clock.inner_text()
    # The fake clock also runs in real time: a loaded host may spend seconds in between.
    assert re.fullmatch(r"(10:00|9:[0-5]\d)", first), first
    page.clock.run_for(3000)
    assert re.fullmatch(r"9:[0-5]\d", clock.inner_text())
    assert clock.inner_text() != first
    expect(page.get_by_text("自动换新码")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "checkin-01-qr-countdown")
    old_svg = page.locator("[data-qr-code]").inner_html()
    with page.expect_response(lambda r: "/me/qr/card/" in r.url):
        page.clock.run_for(9 * 60 * 1000 + 40 * 1000)  # 30 seconds before it lapses
    # The answer has arrived; wait for the page's own handler to swap in the new code.
    page.wait_for_function(
        "old => document.querySelector('[data-qr-code]').innerHTML !== old", arg=old_svg
    )
    assert not page.locator(".qr-card--expired").count()
    page.clock.run_for(1000)
    assert re.fullmatch(r"(10:00|9:[0-5]\d)", clock.inner_text()), clock.inner_text()
    assert page.locator("[data-qr-code]").inner_html() != old_svg
    assert axe_violations(page) == []


def test_offline_the_card_shows_the_checkin_code_and_host_staff_type_it(context_for, screenshot):
    w = mobile_data.build()
    host = factories.organization(
        "深圳市宝安区流动党员服务中心党委", Organization.Kind.HOST, None, code="HOST-SZ"
    )
    host_staff = factories.staff("host_staff", "committee", host)
    context = context_for(w.member.user, viewport=SMALL_PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/me/qr/")
    page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    # The hand-over finishes before the reload (a reload cutting it short asks again, as a
    # phone that never got its secret should; on a loaded host that made two).
    assert len(_wait(page, KEPT)) == 1
    page.reload()  # now under the worker, which keeps the offline page and checkin.js
    assert len(_wait(page, KEPT)) == 1
    assert CheckinSecret.objects.filter(member=w.member).count() == 1  # handed over once
    secret = CheckinSecret.objects.get(member=w.member).secret
    assert secret not in page.content()  # kept by the phone, never written into the page

    context.set_offline(True)
    page.goto("/me/qr/")
    box = page.locator("[data-checkin]")
    box.wait_for(state="visible")
    expect(page.get_by_role("heading", name="没有网络时，请出示报到码")).to_be_visible()
    expect(page.get_by_role("heading", name="这个页面还没有保存在手机上")).not_to_be_visible()
    page.wait_for_function(
        "() => /^\\d{3} \\d{3}$/.test(document.querySelector('[data-checkin-code]').textContent)"
    )
    shown = page.locator("[data-checkin-code]").inner_text().replace(" ", "")
    step = checkin.current_step()
    assert shown in {checkin.totp(secret, s) for s in (step - 1, step, step + 1)}
    clock_text = page.locator("[data-checkin-clock]").inner_text()
    assert re.fullmatch(r"\d{1,2}:\d\d", clock_text)
    expect(page.locator("[data-checkin-clock]")).not_to_have_text(clock_text)  # it counts
    assert w.member.id_number not in page.content()
    assert_no_horizontal_scroll(page)
    screenshot(page, "checkin-02-offline-code")
    assert axe_violations(page) == []

    staff = context_for(host_staff, viewport=SMALL_PHONE, bypass_csp=True).new_page()
    staff.goto("/staff/hosting/")
    staff.get_by_role("textbox", name="姓名", exact=True).fill(w.member.name)
    staff.get_by_label("身份证号码").fill(w.member.id_number)
    staff.get_by_role("textbox", name="报到码", exact=True).fill(
        "000000" if shown != "000000" else "111111"
    )
    staff.get_by_role("button", name="确认报到").click()
    expect(staff.get_by_role("alert").filter(has_text="报到码不正确")).to_be_visible()
    screenshot(staff, "checkin-03-host-wrong-code")
    staff.get_by_role("textbox", name="报到码", exact=True).fill(shown)
    staff.get_by_role("button", name="确认报到").click()
    expect(staff.get_by_text(f"{w.member.name}已在{host.name}报到")).to_be_visible()
    assert Hosting.objects.get(member=w.member).via == "code"
    assert_no_horizontal_scroll(staff)
    screenshot(staff, "checkin-04-host-accepted")
    assert axe_violations(staff) == []

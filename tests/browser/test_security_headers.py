"""Chromium under the Content-Security-Policy: member pages, staff pages, the Django admin,
the API docs and the county login with its authenticator enrolment raise no CSP violation
and no console error."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import Member
from tests import factories
from tests.activities import factories as af
from tests.factories import login_staff, totp_now
from tests.forum import factories as ff
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db(transaction=True)

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' @' + e.sourceFile + ':' + e.lineNumber);
});
"""


class Watch:
    """Console errors, page errors and CSP violations of one browser context."""

    def __init__(self, context):
        self.errors = []
        self.pending = {}  # page -> its requests still on the wire
        context.add_init_script(LISTEN)
        context.on("page", self.attach)

    def attach(self, page):
        pending = self.pending.setdefault(page, set())
        page.on("request", lambda r: pending.add(r))
        page.on("requestfinished", lambda r: pending.discard(r))
        page.on("requestfailed", lambda r: pending.discard(r))
        page.on(
            "console",
            lambda msg: self.errors.append(f"console: {msg.text}") if msg.type == "error" else None,
        )
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        page.on(
            "response",
            lambda r: self.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )

    def visit(self, page, url):
        response = page.goto(url)
        assert response.status < 400, (url, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        # Every request the page started has answered (what a CSP violation or a failing
        # fetch would come from). Not Playwright's "networkidle": on a loaded CI host a
        # page's 500 ms of silence can take longer than its timeout to come.
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # fetches started by scripts after "load"
        pending = self.pending.setdefault(page, set())
        for _ in range(600):
            if not pending:
                break
            page.wait_for_timeout(100)
        assert not pending, (url, "still loading", sorted(r.url for r in pending))
        violations = page.evaluate("window.__violations")
        assert violations == [], (url, violations)
        assert self.errors == [], (url, self.errors)


def _session_cookie(context, client, live_server):
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def _world():
    world = factories.build_world()
    lf.article(world.branch_a1, title="流动党员学习资料")
    activity = af.activity(world.branch_a1, title="主题党日")
    thread = ff.thread(world.member_a.user, title="请问社保转移怎么办理", images=[ff.photo()])
    return world, activity, thread


def test_member_pages_raise_no_csp_violation(browser, live_server, screenshot, settings):
    settings.MEDIA_ROOT = str(settings.TEST_RUN_DIR) + "/media-csp"
    world, activity, thread = _world()
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
    watch = Watch(context)
    page = context.new_page()
    for url in ["/accounts/login/", "/accounts/activate/", "/privacy/"]:
        watch.visit(page, url)
    client = Client()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    _session_cookie(context, client, live_server)
    for url in [
        "/",
        "/me/",
        "/me/archive/",
        "/me/archive/change/",
        "/notices/",
        f"/activities/{activity.pk}/",
        f"/forum/threads/{thread.pk}/",
        "/forum/new/",
        "/activities/",
        "/me/devices/",
        "/me/password/",
        "/accounts/logout/",
    ]:
        watch.visit(page, url)
    if Client().get("/sw.js").status_code == 200:  # the service worker (another issue)
        watch.visit(page, "/")
        state = page.evaluate(
            "navigator.serviceWorker.register('/sw.js').then(() => 'ok', (e) => String(e))"
        )
        assert state == "ok"
    context.close()


def test_staff_pages_admin_and_api_docs_raise_no_csp_violation(browser, live_server, settings):
    settings.MEDIA_ROOT = str(settings.TEST_RUN_DIR) + "/media-csp"
    world, activity, thread = _world()
    member = Member.objects.get(pk=world.member_a.pk)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    watch = Watch(context)
    page = context.new_page()
    _session_cookie(context, login_staff(Client(), world.county_staff), live_server)
    for url in [
        "/staff/",
        "/staff/members/",
        f"/staff/members/{member.pk}/",
        "/staff/change-requests/",
        "/staff/contacts/overdue/",
        "/staff/study/",
        "/staff/activities/",
        "/staff/forum/",
        "/staff/audit/",
        "/staff/second-factor/",
        "/admin/",
        "/admin/members/member/",
        f"/admin/members/member/{member.pk}/change/",
        "/admin/members/auditevent/",
        "/admin/learning/article/add/",
        "/api/docs/",
    ]:
        watch.visit(page, url)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20000)  # the docs really render
    assert page.evaluate("window.__violations") == []
    context.close()


def test_a_county_account_enrols_its_authenticator_in_the_browser(browser, live_server, screenshot):
    world = factories.build_world()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, locale="zh-CN"
    )
    watch = Watch(context)
    page = context.new_page()
    page.goto("/accounts/login/?as=staff")
    page.get_by_label("用户名").fill("county_staff")
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/accounts/login/verify/")
    qr = page.get_by_role("img", name="身份验证器绑定二维码")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.evaluate("window.__violations") == [] and watch.errors == []
    screenshot(page, "security-01-enrol-authenticator")
    device = TOTPDevice.objects.get(user=world.county_staff, confirmed=False)
    page.get_by_label("动态验证码").fill(totp_now(device))
    page.get_by_role("button", name="完成绑定并登录").click()
    page.wait_for_url("**/staff/")
    screenshot(page, "security-02-logged-in")
    watch.visit(page, "/admin/")
    context.close()

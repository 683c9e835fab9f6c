"""Installable and readable offline (issue 9): the manifest and the service worker, pages
read without a network, the outbox that sends replies and study time exactly once when the
network returns, caches that belong to one person and go at logout, and pages that work
without service workers (WeChat's in-app browser)."""

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from activities.models import Attendance
from learning.models import StudyRecord
from tests import factories
from tests.browser import mobile_data
from tests.browser.conftest import PHONE, assert_no_horizontal_scroll

pytestmark = pytest.mark.django_db(transaction=True)

CACHED = """async (path) => {
  for (const name of await caches.keys()) {
    if (!name.startsWith('sanyuan-pages-')) continue;
    const cache = await caches.open(name);
    if (await cache.match(path, {ignoreVary: true})) return name;
  }
  return null;
}"""
PAGE_CACHES = "async () => (await caches.keys()).filter(n => n.startsWith('sanyuan-pages-'))"
LOSE_FIRST_ANSWER = """() => {
  const realFetch = window.fetch;
  window.__sends = [];
  window.fetch = function (url, options) {
    const sent = realFetch(url, options);
    if (!String(url).includes('/study/')) return sent;
    window.__sends.push(options.headers['Idempotency-Key']);
    if (window.__sends.length > 1) return sent;
    return sent.then(() => { throw new TypeError('Failed to fetch'); });
  };
}"""
OUTBOX = """() => Object.keys(localStorage).filter(k => k.startsWith('sanyuan-outbox:'))
  .flatMap(k => JSON.parse(localStorage.getItem(k)))"""


@pytest.fixture
def phone_context(browser, live_server):
    contexts = []

    def make(user=None, **options):
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            base_url=live_server.url,
            locale="zh-CN",
            **options,
        )
        context.set_default_timeout(15000)
        if user is not None:
            mobile_data.sign_in(context, live_server.url, user)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def _wait(page, script, arg=None, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = page.evaluate(script, arg)
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {script[:60]}… ({arg})")


def _wait_db(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out waiting for the server to record it")


def _worker_ready(page):
    return page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")


def test_the_app_is_installable_with_its_manifest_and_service_worker(phone_context, screenshot):
    w = mobile_data.build()
    page = phone_context(w.member.user).new_page()
    page.goto("/")
    assert _worker_ready(page).endswith("/")
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["name"] == "同心三原 流动e家" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        status = page.evaluate(
            "src => fetch(src).then(r => r.status + ' ' + r.headers.get('content-type'))",
            icon["src"],
        )
        assert status == "200 image/png", icon
    cdp = page.context.new_cdp_session(page)
    app_manifest = cdp.send("Page.getAppManifest")
    assert app_manifest["errors"] == [], app_manifest["errors"]
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    # Playwright's contexts are incognito profiles, where Chromium never offers to install;
    # every other reason (manifest, icons, worker, secure origin) would be listed here.
    assert [e["errorId"] for e in errors if e["errorId"] != "in-incognito"] == [], errors
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    screenshot(page, "mobile-01-installable-home")


def test_a_member_reads_articles_activities_and_the_inbox_without_a_network(
    phone_context, screenshot
):
    w = mobile_data.build()
    context = phone_context(w.member.user)
    page = context.new_page()
    page.goto(reverse("learning:article", args=[w.article.pk]))
    _worker_ready(page)
    # Read once online: the page is kept; the worker also fetches the upcoming activities,
    # their materials and the inbox in the background.
    page.reload()
    activity_url = reverse("activities:detail", args=[w.activity.pk])
    material_url = reverse("activities:material-file", args=[w.material.pk])
    for path in (
        reverse("learning:article", args=[w.article.pk]),
        activity_url,
        material_url,
        reverse("members:notices"),
    ):
        _wait(page, CACHED, path)
    page.goto(reverse("members:my-archive"))  # read online, but never kept
    assert page.evaluate(CACHED, reverse("members:my-archive")) is None

    context.set_offline(True)
    page.goto(reverse("learning:article", args=[w.article.pk]))
    expect(page.get_by_role("heading", name="党员的八项义务和八项权利")).to_be_visible()
    expect(page.get_by_text("当前没有网络")).to_be_visible()
    assert_no_horizontal_scroll(page)
    screenshot(page, "mobile-02-offline-article")

    page.goto(activity_url)  # never opened by the member: fetched ahead by the worker
    expect(page.get_by_role("heading", name="十二月主题党日：重温入党誓词")).to_be_visible()
    expect(page.get_by_text("党章第一章学习提纲").first).to_be_visible()
    size = page.evaluate(
        "u => fetch(u).then(r => r.ok ? r.blob() : null).then(b => b && b.size)", material_url
    )
    assert size and size > 20
    screenshot(page, "mobile-03-offline-activity")

    page.goto(reverse("members:notices"))
    expect(page.get_by_text("十二月主题党日将于三天后举行")).to_be_visible()

    page.goto(reverse("members:my-archive"))
    expect(page.get_by_role("heading", name="这个页面还没有保存在手机上")).to_be_visible()
    assert w.member.id_number_masked not in page.content()
    saved = page.get_by_role("list").filter(has_text="党员的八项义务和八项权利")
    saved.wait_for()
    screenshot(page, "mobile-04-offline-fallback")


def test_a_reply_made_offline_is_sent_once_when_the_network_returns(phone_context, screenshot):
    w = mobile_data.build()
    context = phone_context(w.member.user)
    page = context.new_page()
    activity_url = reverse("activities:detail", args=[w.activity.pk])
    page.goto(activity_url)
    _worker_ready(page)
    page.reload()
    _wait(page, CACHED, activity_url)

    context.set_offline(True)
    page.goto(activity_url)
    page.get_by_role("button", name="参加", exact=True).click()
    page.get_by_text("已保存“参加”，联网后自动提交。").wait_for()
    expect(page.get_by_text("有 1 条记录待发送")).to_be_visible()
    screenshot(page, "mobile-05-offline-reply-queued")
    time.sleep(0.5)
    assert not Attendance.objects.filter(activity=w.activity).exists()

    keys = []
    page.on(
        "request",
        lambda request: (
            keys.append(request.headers.get("idempotency-key"))
            if request.method == "POST"
            else None
        ),
    )
    context.set_offline(False)
    _wait_db(lambda: Attendance.objects.filter(activity=w.activity, member=w.member).exists())
    page.get_by_text("您已报名参加").wait_for()  # the page reloads itself once sent
    page.wait_for_load_state("load")
    assert page.evaluate(OUTBOX) == []
    row = Attendance.objects.get(activity=w.activity, member=w.member)
    assert row.status == "attending"
    assert len(keys) == 1 and keys[0]


def test_study_time_read_offline_counts_once_even_when_the_answer_is_lost(phone_context):
    w = mobile_data.build()
    context = phone_context(w.member.user)
    page = context.new_page()
    article_url = reverse("learning:article", args=[w.article.pk])
    page.goto(article_url)
    _worker_ready(page)
    page.reload()
    _wait(page, CACHED, article_url)
    _wait(page, CACHED, reverse("learning:home"))
    before = StudyRecord.objects.get(member=w.member, article=w.article).seconds

    context.set_offline(True)
    page.goto(article_url)
    page.wait_for_timeout(3500)  # reading, without a network
    page.goto(reverse("learning:home"))  # leaving the article queues the time read
    queued = _wait(page, OUTBOX)
    assert len(queued) == 1
    seconds = int(dict(queued[0]["pairs"])["seconds"])
    assert seconds >= 3

    # The first send reaches the server, but its answer is lost on the way back (the phone
    # sees a network error after the server has counted it).
    page.evaluate(LOSE_FIRST_ANSWER)
    context.set_offline(False)
    _wait(page, "() => window.__sends.length >= 1")
    page.evaluate("window.sanyuanOutbox.flush()")
    _wait(page, "() => window.sanyuanOutbox.pending() === 0")
    sends = page.evaluate("window.__sends")
    assert len(sends) == 2 and sends[0] == sends[1], sends
    record = StudyRecord.objects.get(member=w.member, article=w.article)
    assert record.seconds == before + seconds


def test_caches_belong_to_one_person_and_go_at_logout(phone_context, screenshot):
    w = mobile_data.build()
    context = phone_context(w.member.user)
    page = context.new_page()
    article_url = reverse("learning:article", args=[w.article.pk])
    page.goto(article_url)
    _worker_ready(page)
    page.reload()
    first_cache = _wait(page, CACHED, article_url)
    assert str(w.member.user.pk) not in first_cache.removeprefix("sanyuan-pages-")
    page.evaluate(
        "localStorage.setItem(`sanyuan-outbox:${document.querySelector('meta[name=offline-key]').content}`, '[]')"
    )

    page.goto(reverse("members:me"))
    page.get_by_role("link", name="退出登录").click()
    page.get_by_role("button", name="退出登录").click()  # 确定要退出登录吗？
    page.wait_for_url("**/accounts/login/")
    _wait(page, f"async () => !(await caches.keys()).includes({first_cache!r})")
    assert page.evaluate(OUTBOX) == []

    # Somebody else signs in on the same phone: they never see the first person's pages.
    mobile_data.sign_in(context, page.url.split("/accounts")[0], w.member_b.user)
    page.goto(reverse("learning:home"))
    _worker_ready(page)
    page.reload()
    context.set_offline(True)
    page.goto(article_url)
    expect(page.get_by_role("heading", name="这个页面还没有保存在手机上")).to_be_visible()
    assert page.get_by_text("党员的八项义务和八项权利").count() == 0
    caches_now = page.evaluate(PAGE_CACHES)
    assert first_cache not in caches_now
    screenshot(page, "mobile-06-other-person-offline")


def test_every_page_works_online_where_service_workers_are_missing(phone_context):
    w = mobile_data.build()
    context = phone_context(service_workers="block")
    page = context.new_page()
    page.add_init_script("delete Navigator.prototype.serviceWorker;")
    page.goto(reverse("members:login"))
    page.get_by_label("姓名").fill(w.member.name)
    page.get_by_label("身份证号码").fill(w.member.id_number)
    page.get_by_label("密码").fill(factories.PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    assert page.evaluate("'serviceWorker' in navigator") is False
    page.goto(reverse("activities:detail", args=[w.activity.pk]))
    page.get_by_role("button", name="参加", exact=True).click()
    page.get_by_text("已报名参加，请准时参加。").wait_for()
    assert Attendance.objects.filter(activity=w.activity, member=w.member).count() == 1
    page.goto(reverse("learning:article", args=[w.article.pk]))
    expect(page.get_by_role("heading", name="党员的八项义务和八项权利")).to_be_visible()

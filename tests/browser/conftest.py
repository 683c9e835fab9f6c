"""Headless Chromium (Debian's package) driven by Playwright, at a phone viewport.

Browser tests run on one xdist worker (`xdist_group`), serially, against pytest-django's
live server. Screenshots go to test-artifacts/screenshots/.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A loaded CI host can take seconds to render the next page; expect() waits that long.
expect.set_options(timeout=15_000)

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",  # the browser's own words (date pickers, validation bubbles) in Chinese
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(autouse=True)
def regions(transactional_db):
    """The region table (GB/T 2260) a data migration loads: browser tests are transactional,
    and the flush after each one empties it, so it is put back for the next."""
    import importlib

    from django.apps import apps

    from members.models import Region

    if not Region.objects.exists():
        importlib.import_module("members.migrations.0005_load_regions").load(apps, None)


@pytest.fixture
def phone(browser, live_server):
    """A fresh browser context at 390×844 with the live server as base URL."""
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
    yield page
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def assert_no_horizontal_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px"


@pytest.fixture
def context_for(browser, live_server):
    """`context_for(user=None, viewport=PHONE, **options)`: a new browser context (phone-like
    unless the viewport is wide), signed in as `user` without the login form; closed after
    the test."""
    from tests.browser.mobile_data import sign_in

    contexts = []

    def make(user=None, viewport=PHONE, **options):
        phone_like = viewport["width"] < 800
        options.setdefault("device_scale_factor", 2 if phone_like else 1)
        context = browser.new_context(
            viewport=viewport,
            is_mobile=phone_like,
            has_touch=phone_like,
            base_url=live_server.url,
            locale="zh-CN",
            **options,
        )
        context.set_default_timeout(15000)
        if user is not None:
            sign_in(context, live_server.url, user)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Live-server tests run in transactions that are flushed afterwards, which empties the
    tables data migrations filled (the GB/T 2260 regions): load them again where missing, so
    that every browser test sees region names whatever ran before it."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    import importlib

    from django.apps import apps

    from members.archive_fields import forget_regions
    from members.models import Region

    if not Region.objects.exists():
        importlib.import_module("members.migrations.0005_load_regions").load(apps, None)
    forget_regions()
    _InFlight.installed_on(request.getfixturevalue("live_server"))
    yield
    _drain(request.getfixturevalue("live_server"))


def _drain(live_server, timeout=20.0):
    """Wait for the live server's requests in flight before the flush after the test: a page
    the test left (a service worker still fetching, say) keeps a request, and its database
    transaction, open; the flush's TRUNCATE then deadlocks with it, and the next test on
    the worker starts on the leftovers. The test's own browser contexts are closed by now
    (its fixtures are torn down before this autouse one). Idle keep-alive connections of
    contexts a test leaves open hold nothing and are not waited for."""
    in_flight = _InFlight.installed_on(live_server)
    if in_flight is not None:
        in_flight.wait_idle(timeout)


class _InFlight:
    """WSGI middleware counting the live server's requests from the call to the close of the
    response (where Django sends request_finished and lets the database connection go)."""

    def __init__(self, app):
        import threading

        self.app = app
        self.count = 0
        self.idle = threading.Condition()

    @classmethod
    def installed_on(cls, live_server):
        httpd = getattr(live_server.thread, "httpd", None)
        if httpd is None:
            return None
        app = httpd.get_app()
        if not isinstance(app, cls):
            app = cls(app)
            httpd.set_app(app)
        return app

    def __call__(self, environ, start_response):
        with self.idle:
            self.count += 1
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _Closing(result, self._done)

    def _done(self):
        with self.idle:
            self.count -= 1
            self.idle.notify_all()

    def wait_idle(self, timeout):
        with self.idle:
            self.idle.wait_for(lambda: self.count <= 0, timeout)


class _Closing:
    def __init__(self, result, done):
        self.result = result
        self.done = done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.done()

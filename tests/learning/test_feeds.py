"""Feed sync against a local HTTP server playing each source: RSS, Atom, the WeChat API,
repeated entries, a broken feed, disallowed hosts and private addresses, size limits."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry

from learning.feeds.fetch import FetchError, fetch
from learning.feeds.sync import FeedSyncError, feed_source_sync, feed_sources_claim_due
from learning.models import Article, FeedSource
from learning.tasks import feed_source_sync_task, feed_sync_due_task
from members.models import Notice

pytestmark = pytest.mark.django_db

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>三原县党建</title>
{items}
</channel></rss>"""
ITEM = """<item><title>{title}</title><link>https://mp.weixin.qq.com/s/{guid}</link>
<guid>{guid}</guid><pubDate>Mon, 23 Nov 2026 08:00:00 +0800</pubDate>
<description>摘要{guid}</description>
<content:encoded><![CDATA[<p>正文{guid}</p><img src="https://mmbiz.qpic.cn/{guid}.jpg" onerror="alert(1)"><script>alert(1)</script>]]></content:encoded>
</item>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>三原县党建</title>
<entry><id>urn:sanyuan:1</id><title>Atom条目</title><link href="https://mp.weixin.qq.com/s/a1"/>
<updated>2026-11-20T10:00:00+08:00</updated><content type="html">&lt;p&gt;Atom正文&lt;/p&gt;</content></entry>
</feed>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><item><title>&lol2;</title><guid>x</guid></item></channel></rss>"""


class FeedServer:
    """Serves whatever the test puts in `routes` ({path: (status, content_type, body)})."""

    def __init__(self):
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        routes, requests = self.routes, self.requests

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                requests.append(self.path)
                status, content_type, body = routes.get(
                    self.path.split("?")[0], (404, "text/plain", b"not found")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if status in (301, 302):
                    self.send_header("Location", body.decode())
                    body = b""
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path, host="localhost"):
        return f"http://{host}:{self.port}{path}"

    def rss(self, path, guids):
        items = "".join(ITEM.format(title=f"公众号文章{g}", guid=g) for g in guids)
        self.routes[path] = (200, "application/rss+xml", RSS.format(items=items).encode())

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def feed_server(settings):
    settings.LEARNING_FEED_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.LEARNING_FEED_ALLOW_HTTP = True
    settings.LEARNING_FEED_RETRY_BACKOFF_BASE = 0
    server = FeedServer()
    yield server
    server.stop()


@pytest.fixture
def source(world, feed_server):
    return FeedSource.objects.create(
        name="三原县党建",
        kind=FeedSource.Kind.RSS,
        url=feed_server.url("/feed.xml"),
        organization=world.county,
        category="news",
        audience="public",
        publish_immediately=True,
    )


def test_new_entries_become_sanitised_published_articles(source, feed_server):
    feed_server.rss("/feed.xml", ["a1", "a2", "a3"])
    assert feed_source_sync(source_id=source.pk) == 3
    articles = Article.objects.filter(feed_source=source).order_by("feed_entry_id")
    assert [a.feed_entry_id for a in articles] == ["a1", "a2", "a3"]
    first = articles[0]
    assert first.status == "published" and first.category == "news" and first.audience == "public"
    assert "<script" not in first.body and "onerror" not in first.body
    assert 'src="https://mmbiz.qpic.cn/a1.jpg"' in first.body  # images kept as links
    assert first.source_url == "https://mp.weixin.qq.com/s/a1" and "阅读原文" in first.body
    source.refresh_from_db()
    assert source.last_success_at and source.last_error == "" and source.last_imported == 3


def test_repeated_entries_are_imported_once(source, feed_server):
    feed_server.rss("/feed.xml", ["a1", "a2"])
    feed_source_sync(source_id=source.pk)
    feed_server.rss("/feed.xml", ["a1", "a2", "a3"])
    assert feed_source_sync(source_id=source.pk) == 1
    assert feed_source_sync(source_id=source.pk) == 0
    assert Article.objects.filter(feed_source=source).count() == 3


def test_a_source_may_import_drafts_for_review(source, feed_server):
    source.publish_immediately = False
    source.save()
    feed_server.rss("/feed.xml", ["d1"])
    feed_source_sync(source_id=source.pk)
    assert Article.objects.get(feed_entry_id="d1").status == "draft"


def test_atom_feeds_work_the_same(source, feed_server):
    feed_server.routes["/feed.xml"] = (200, "application/atom+xml", ATOM.encode())
    assert feed_source_sync(source_id=source.pk) == 1
    article = Article.objects.get(feed_source=source)
    assert article.title == "Atom条目" and "<p>Atom正文</p>" in article.body


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ((200, "application/rss+xml", b"<rss><channel><item><title>"), "RSS/Atom"),
        ((200, "application/rss+xml", BILLION_LAUGHS.encode()), "RSS/Atom"),
        ((500, "text/plain", b"oops"), "HTTP 500"),
        ((200, "text/html", b"<html>not a feed</html>"), "RSS"),
    ],
)
def test_a_broken_feed_imports_nothing_and_is_reported(source, feed_server, route, message):
    feed_server.routes["/feed.xml"] = route
    with pytest.raises(FeedSyncError):
        feed_source_sync(source_id=source.pk)
    assert not Article.objects.exists()
    source.refresh_from_db()
    assert message in source.last_error and source.failure_count == 1
    assert source.last_success_at is None


def test_a_run_is_all_or_nothing(source, feed_server, monkeypatch):
    """If importing fails half-way, the entries before the failure are not kept either."""
    from learning.feeds import sync

    feed_server.rss("/feed.xml", ["ok1", "ok2", "boom"])
    real = sync.article_create

    def flaky(**kwargs):
        if kwargs["feed_entry_id"] == "boom":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(sync, "article_create", flaky)
    with pytest.raises(FeedSyncError):
        feed_source_sync(source_id=source.pk)
    assert not Article.objects.exists()
    monkeypatch.setattr(sync, "article_create", real)
    assert feed_source_sync(source_id=source.pk) == 3


def test_a_failing_source_is_retried_by_the_task_and_staff_are_told_after_repeated_failures(
    source, feed_server, world
):
    from members.services.accounts import staff_account_upsert

    staff_account_upsert(
        username="county2", password="Pass-Word-123", tier="county", organization=world.county
    )
    feed_server.routes["/feed.xml"] = (503, "text/plain", b"busy")
    # Eager Celery does not run the retry itself: it raises Retry with the countdown.
    with pytest.raises(Retry):
        feed_source_sync_task.delay(source.pk)
    for attempt in (1, 2):
        with pytest.raises(Retry):
            feed_source_sync_task.apply(args=[source.pk], retries=attempt, throw=True)
    # The last attempt gives up quietly; beat tries again at the next poll.
    assert feed_source_sync_task.apply(args=[source.pk], retries=3).get() == 0
    source.refresh_from_db()
    assert source.failure_count == 4 and "HTTP 503" in source.last_error
    assert feed_server.requests.count("/feed.xml") == 4
    assert Notice.objects.filter(kind=Notice.Kind.SYSTEM, audience="staff").count() == 1
    feed_server.rss("/feed.xml", ["r1"])
    feed_source_sync_task.delay(source.pk)
    source.refresh_from_db()
    assert source.failure_count == 0 and source.last_error == ""


def test_beat_polls_only_enabled_sources_that_are_due(source, feed_server, world):
    feed_server.rss("/feed.xml", ["b1"])
    FeedSource.objects.create(
        name="停用", url=feed_server.url("/off.xml"), organization=world.county, enabled=False
    )
    assert feed_sync_due_task.delay().get() == 1
    assert Article.objects.filter(feed_entry_id="b1").exists()
    assert feed_sources_claim_due() == []  # next poll moved forward
    assert "/off.xml" not in feed_server.requests


def test_a_host_that_is_not_allowed_is_refused_before_connecting(source, feed_server, settings):
    settings.LEARNING_FEED_ALLOWED_HOSTS = ["mp.weixin.qq.com"]
    feed_server.rss("/feed.xml", ["x1"])
    with pytest.raises(FeedSyncError):
        feed_source_sync(source_id=source.pk)
    source.refresh_from_db()
    assert "不在允许同步的站点名单中" in source.last_error
    assert feed_server.requests == []


def test_private_and_loopback_addresses_are_refused_unless_allowed(feed_server, settings):
    settings.LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.LEARNING_FEED_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "169.254.169.254", "10.0.0.1"]
    feed_server.rss("/feed.xml", ["x"])
    for host in ("localhost", "127.0.0.1"):
        with pytest.raises(FetchError, match="内部网络"):
            fetch(feed_server.url("/feed.xml", host=host))
    for url in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/"):
        with pytest.raises(FetchError, match="内部网络"):
            fetch(url)
    assert feed_server.requests == []


def test_redirects_are_checked_like_the_first_hop(feed_server, settings):
    settings.LEARNING_FEED_ALLOWED_HOSTS = ["localhost"]
    feed_server.routes["/moved"] = (302, "text/plain", b"http://127.0.0.1/secret")
    with pytest.raises(FetchError, match="不在允许"):
        fetch(feed_server.url("/moved"))


def test_https_is_required_unless_configured(settings):
    settings.LEARNING_FEED_ALLOW_HTTP = False
    with pytest.raises(FetchError, match="https"):
        fetch("http://mp.weixin.qq.com/feed")
    with pytest.raises(FetchError, match="https"):
        fetch("file:///etc/passwd")


def test_responses_over_the_size_limit_are_refused(feed_server, settings):
    settings.LEARNING_FEED_MAX_BYTES = 1000
    feed_server.routes["/big"] = (200, "application/rss+xml", b"x" * 5000)
    with pytest.raises(FetchError, match="上限"):
        fetch(feed_server.url("/big"))


def test_a_slow_source_times_out(feed_server, settings):
    import socket

    settings.LEARNING_FEED_TIMEOUT_SECONDS = 0.5
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    try:
        with pytest.raises(FetchError, match="超时"):
            fetch(f"http://localhost:{silent.getsockname()[1]}/feed.xml")
    finally:
        silent.close()


def test_the_wechat_official_account_api_is_the_second_source(world, feed_server, settings):
    settings.LEARNING_WECHAT_API_BASE = feed_server.url("")
    settings.LEARNING_WECHAT_APP_ID = "wx-test-app"
    settings.LEARNING_WECHAT_APP_SECRET = "test-secret"
    feed_server.routes["/cgi-bin/token"] = (
        200,
        "application/json",
        json.dumps({"access_token": "TOKEN-1", "expires_in": 7200}).encode(),
    )
    published = {
        "total_count": 1,
        "item_count": 1,
        "item": [
            {
                "article_id": "AID-1",
                "update_time": 1763856000,
                "content": {
                    "news_item": [
                        {
                            "title": "三原县召开流动党员工作会",
                            "digest": "会议部署下一阶段工作",
                            "content": "<p>会议内容</p><script>x</script>",
                            "url": "https://mp.weixin.qq.com/s/AID-1",
                            "is_deleted": False,
                        },
                        {"title": "第二条", "content": "<p>二</p>", "url": "", "is_deleted": False},
                    ]
                },
            }
        ],
    }
    feed_server.routes["/cgi-bin/freepublish/batchget"] = (
        200,
        "application/json",
        json.dumps(published, ensure_ascii=False).encode(),
    )
    source = FeedSource.objects.create(
        name="公众号接口",
        kind=FeedSource.Kind.WECHAT,
        organization=world.county,
        publish_immediately=True,
    )
    assert feed_source_sync(source_id=source.pk) == 2
    article = Article.objects.get(feed_entry_id="AID-1:0")
    assert article.title == "三原县召开流动党员工作会" and "<script" not in article.body
    assert article.summary == "会议部署下一阶段工作"
    assert any(
        r.startswith("/cgi-bin/freepublish/batchget?access_token=TOKEN-1")
        for r in feed_server.requests
    )
    # The token is cached: a second run asks for it no more.
    feed_source_sync(source_id=source.pk)
    assert sum(r.startswith("/cgi-bin/token") for r in feed_server.requests) == 1

    feed_server.routes["/cgi-bin/freepublish/batchget"] = (
        200,
        "application/json",
        b'{"errcode": 40001, "errmsg": "invalid credential"}',
    )
    with pytest.raises(FeedSyncError):
        feed_source_sync(source_id=source.pk)
    source.refresh_from_db()
    assert "40001" in source.last_error

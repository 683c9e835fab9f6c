"""Stored XSS: the usual payloads, sent as rich text, plain text, titles and quotes, never
reach a page or the API as markup that runs. (The same payloads run in Chromium in
tests/browser/test_forum_xss.py.)"""

from html.parser import HTMLParser

import pytest

from forum import services
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=1">',
    '<svg onload="window.__xss=1"><circle r="1"/></svg>',
    '<a href="javascript:window.__xss=1">点我</a>',
    '<a href="data:text/html,<script>window.__xss=1</script>">数据链接</a>',
    '<iframe src="javascript:window.__xss=1"></iframe>',
    '<p style="background:url(javascript:window.__xss=1)" onmouseover="window.__xss=1">悬停</p>',
    '<math><mtext><table><mglyph><style><img src=x onerror="window.__xss=1">',
    '"><script>window.__xss=1</script>',
    "<details open ontoggle=window.__xss=1>",
    '<a href="JaVaScRiPt:window.__xss=1">大小写</a>',
    '<a href="&#106;avascript:window.__xss=1">实体</a>',
]

RUNNABLE_TAGS = {"script", "svg", "iframe", "math", "style", "object", "embed", "frame", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"}


class _Markup(HTMLParser):
    """What a browser would build from the HTML: elements and attributes, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag in RUNNABLE_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag}[{name}]")
            cleaned = "".join((value or "").split()).lower()
            if name in URL_ATTRIBUTES and cleaned.startswith(("javascript:", "data:", "vbscript:")):
                self.problems.append(f"{tag}[{name}={value}]")


def runnable(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems


class _Dangerous:
    """`DANGEROUS.search(html)` for stored fragments: anything runnable in them."""

    @staticmethod
    def search(html: str):
        return runnable(html) or None


DANGEROUS = _Dangerous()


def forum_html(client, thread):
    return client.get(thread.get_absolute_url()).content.decode()


def body_of_posts(html: str) -> str:
    """The part of the page that holds user content (the rest is our own template)."""
    start = html.index('<section class="posts"')
    return html[start : html.index("</section>", start)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_rich_text_payloads_are_neutralised_on_save(forum_world, payload):
    thread = ff.thread(forum_world.member_a.user, title="安全测试主题标题")
    post = services.post_create(
        user=forum_world.member_b.user,
        thread=thread,
        body=f"<p>正文</p>{payload}",
        body_format="html",
    )
    assert not DANGEROUS.search(post.body_html), post.body_html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_never_reach_the_thread_page_as_markup(forum_world, client, payload, settings):
    settings.FORUM_POSTS_PER_MINUTE = 100
    thread = services.thread_create(
        user=forum_world.member_a.user,
        board="forum",
        kind="message",
        title=f"标题{payload}"[:60],
        body=f"<p>正文</p>{payload}",
        body_format="html",
    )
    rich = services.post_create(
        user=forum_world.member_b.user,
        thread=thread,
        body=f"<p>正文</p>{payload}",
        body_format="html",
    )
    services.post_create(user=forum_world.member_a3.user, thread=thread, body=payload)
    services.post_create(user=forum_world.member_a3.user, thread=thread, body="引用", quote=rich.pk)
    client.force_login(forum_world.member_b.user, backend="members.backends.MemberBackend")
    page = forum_html(client, thread)
    assert not DANGEROUS.search(body_of_posts(page))
    head = page[page.index('<section class="card thread-head"') :]
    head = head[: head.index("</section>")]
    assert not DANGEROUS.search(head), head
    listing = client.get("/forum/").content.decode()
    rows = listing[listing.index('<ul class="list">') :]
    assert "标题" in rows
    assert not runnable(rows[: rows.index("</ul>")])
    api = client.get(f"/api/forum/threads/{thread.pk}/posts/").json()
    for row in api["results"]:
        assert not DANGEROUS.search(row["body_html"] or "")

"""Reading at scale: keyset pages (no OFFSET, the same queries on page 1 and deep pages, the
same number whatever the page size), unread markers and Chinese search."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import selectors, services
from forum.models import Board, Post, Thread
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def captured(callable_):
    with CaptureQueriesContext(connection) as context:
        response = callable_()
    return response, [query["sql"] for query in context.captured_queries]


def walk(client, url):
    """Every page of a keyset list, following `next`."""
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        url = body["next"]
    return pages


def test_thread_pages_walk_the_whole_board_without_gaps_or_repeats(forum_world):
    ff.bulk_threads(forum_world.branch_a1, 95)
    client = client_for(forum_world.member_b.user)
    pages = walk(client, "/api/forum/threads/?page_size=20")
    ids = [row["id"] for page in pages for row in page["results"]]
    assert len(pages) == 5 and len(ids) == 95 == len(set(ids))
    assert ids == list(
        Thread.objects.order_by("-is_pinned", "-last_posted_at", "-id").values_list("id", flat=True)
    )
    back = client.get(pages[3]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in pages[2]["results"]]


def test_a_deep_thread_page_costs_the_queries_of_the_first_and_uses_no_offset(forum_world):
    ff.bulk_threads(forum_world.branch_a1, 250)
    client = client_for(forum_world.member_b.user)
    first, first_sql = captured(lambda: client.get("/api/forum/threads/?page_size=10"))
    cursor = first.json()["next"]
    for _ in range(15):
        cursor = client.get(cursor).json()["next"]
    deep, deep_sql = captured(lambda: client.get(cursor))
    assert deep.status_code == 200 and len(deep.json()["results"]) == 10
    assert len(deep_sql) == len(first_sql)
    assert not any("OFFSET" in sql.upper() for sql in first_sql + deep_sql)
    list_sql = next(sql for sql in deep_sql if 'FROM "forum_thread"' in sql)
    assert "LIMIT 11" in list_sql
    assert (
        '("forum_thread"."is_pinned", "forum_thread"."last_posted_at", "forum_thread"."id") <'
        in list_sql
    )


@pytest.mark.parametrize(
    "path", ["/api/forum/threads/", "/api/forum/threads/?board=reflections&view=all"]
)
def test_thread_list_queries_do_not_grow_with_the_page_size(forum_world, path):
    ff.bulk_threads(forum_world.branch_a1, 60)
    ff.bulk_threads(forum_world.branch_a1, 60, board=Board.REFLECTIONS, kind=Thread.Kind.REFLECTION)
    client = client_for(forum_world.staff_a)
    sep = "&" if "?" in path else "?"
    client.get(f"{path}{sep}page_size=1")  # warm the per-user caches (grants)
    small, small_sql = captured(lambda: client.get(f"{path}{sep}page_size=5"))
    large, large_sql = captured(lambda: client.get(f"{path}{sep}page_size=50"))
    assert len(small.json()["results"]) == 5 and len(large.json()["results"]) == 50
    assert len(small_sql) == len(large_sql)


def test_post_page_queries_do_not_grow_with_the_number_of_posts(forum_world, media_root):
    thread = ff.thread(forum_world.member_a.user, images=[ff.photo()])
    ff.bulk_posts(thread, 120, author_member=forum_world.member_b, author=forum_world.member_b.user)
    quoted = thread.posts.order_by("id")[3]
    Post.objects.filter(pk__in=thread.posts.order_by("id").values("pk")[10:60]).update(quote=quoted)
    services.post_create(
        user=forum_world.staff_a, thread=thread, body="答复", organization=forum_world.committee_a
    )
    client = client_for(forum_world.member_a3.user)
    url = f"/api/forum/threads/{thread.pk}/posts/"
    small, small_sql = captured(lambda: client.get(f"{url}?page_size=5"))
    large, large_sql = captured(lambda: client.get(f"{url}?page_size=100"))
    assert len(small.json()["results"]) == 5 and len(large.json()["results"]) == 100
    assert len(small_sql) == len(large_sql)
    deep_cursor = large.json()["next"]
    deep, deep_sql = captured(lambda: client.get(deep_cursor))
    assert len(deep.json()["results"]) == 22 and deep.json()["next"] is None
    assert len(deep_sql) == len(large_sql)
    assert not any("OFFSET" in sql.upper() for sql in small_sql + large_sql + deep_sql)


def test_the_thread_page_queries_do_not_grow_with_the_number_of_posts(forum_world, client):
    thread = ff.thread(forum_world.member_a.user)
    client.force_login(forum_world.member_b.user, backend="members.backends.MemberBackend")
    ff.bulk_posts(thread, 3, author_member=forum_world.member_a3)
    client.get(thread.get_absolute_url())  # warm: the inbox badge count is cached after this
    few, few_sql = captured(lambda: client.get(thread.get_absolute_url()))
    ff.bulk_posts(thread, 60, author_member=forum_world.member_a3)
    many, many_sql = captured(lambda: client.get(thread.get_absolute_url()))
    assert few.status_code == many.status_code == 200
    assert many.content.decode().count('class="post') >= 20
    assert len(many_sql) == len(few_sql), "\n".join(many_sql)


def test_notice_links_start_the_page_at_the_reply(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    ff.bulk_posts(thread, 50, author_member=forum_world.member_b)
    target = thread.posts.order_by("id")[37]
    body = (
        client_for(forum_world.member_a.user)
        .get(f"/api/forum/threads/{thread.pk}/posts/?post={target.pk}&page_size=5")
        .json()
    )
    assert body["results"][0]["id"] == target.pk
    assert body["previous"] is not None
    previous = client_for(forum_world.member_a.user).get(body["previous"]).json()
    assert previous["results"][-1]["id"] < target.pk


def test_unread_markers_per_member(forum_world, client):
    reader = forum_world.member_b.user
    thread = ff.thread(forum_world.member_a.user, title="未读标记测试主题")
    page = selectors.thread_list(user=reader, board=Board.FORUM)
    assert page.results[0].is_unread
    client.force_login(reader, backend="members.backends.MemberBackend")
    client.get(thread.get_absolute_url())
    assert not selectors.thread_list(user=reader, board=Board.FORUM).results[0].is_unread
    ff.reply(forum_world.member_a3.user, thread, "新回复")
    row = selectors.thread_list(user=reader, board=Board.FORUM).results[0]
    assert row.is_unread
    listing = client.get("/forum/").content.decode()
    assert f"/forum/threads/{thread.pk}/?post={row.last_read_post_id + 1}" in listing
    # Another member's markers are theirs alone.
    assert (
        selectors.thread_list(user=forum_world.member_a3.user, board=Board.FORUM)
        .results[0]
        .is_unread
        is False
    )


def test_search_in_chinese_over_titles_and_bodies(forum_world):
    services.thread_create(
        user=forum_world.member_a.user,
        board="forum",
        kind="request",
        title="医保异地就医备案怎么办理",
        body="在苏州打工，孩子生病住院。",
    )
    other = ff.thread(forum_world.member_b.user, title="关于家乡苹果销售的建议", kind="suggestion")
    ff.reply(forum_world.member_a3.user, other, "可以在网上直播卖苹果，我在杭州做电商。")
    private = ff.thread(
        forum_world.member_b.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.REFLECTION,
        title="直播带货的一点体会",
        body="直播需要耐心",
    )
    client = client_for(forum_world.member_a.user)

    def hits(query, c=client):
        return [
            row["thread"] for row in c.get("/api/forum/search/", {"q": query}).json()["results"]
        ]

    assert len(hits("异地就医")) == 1
    assert hits("苹果") == [other.pk, other.pk]
    assert hits("直播") == [other.pk]  # the private reflection is not found by others
    assert set(hits("直播", client_for(forum_world.member_b.user))) == {other.pk, private.pk}
    assert hits("电商 杭州") == [other.pk]
    assert hits("火星") == []
    bad = client.get("/api/forum/search/", {"q": "苹果", "cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 400 and "cursor" in bad.json()


def test_search_finds_older_posts_beyond_the_newest_window_and_pages_on(forum_world, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", 5)
    thread = ff.thread(forum_world.member_a.user, title="关于社保转移的讨论")
    ff.bulk_posts(thread, 3, author_member=forum_world.member_b)  # "第i条回复"
    Post.objects.filter(thread=thread, is_opening=False).update(search_text="社保 转移 老帖")
    ff.bulk_posts(thread, 12, author_member=forum_world.member_b)  # newer, without the words
    user = forum_world.member_a3.user
    first = selectors.post_search(user=user, query="社保", page_size=2)
    second = selectors.post_search(user=user, query="社保", cursor=first.next_cursor, page_size=2)
    ids = [p.pk for p in first.results + second.results]
    expected = list(
        Post.objects.filter(search_text__contains="社保")
        .order_by("-id")
        .values_list("id", flat=True)
    )
    assert ids == expected and len(ids) == 4
    assert second.next_cursor is None

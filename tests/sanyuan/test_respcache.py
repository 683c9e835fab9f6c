"""Versioned caching of member API answers (sanyuan/respcache.py, issue 26): a second read is
served from the cache (fewer queries, same bytes, an ETag), and every kind of write that can
change an answer (an archive edit, a grant change, a move to another branch, a hidden post, a
queryset update, raw SQL, a write committed later) is seen at once; no answer ever crosses to
another account."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from guardian.shortcuts import assign_perm, remove_perm

from forum.models import Board
from forum.services.moderation import post_moderate
from members.models import Member, Skill
from members.permissions import MANAGE
from members.services.archive import member_update
from sanyuan import respcache
from tests.activities import factories as activity_factories
from tests.conftest import client_for
from tests.forum import factories as forum_factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.RESPONSE_CACHE_SECONDS = 60


def warm(client, path, times=2):
    """The first read learns the view's tables, the second stores the answer."""
    for _ in range(times):
        response = client.get(path)
        assert response.status_code == 200, response.content
    return response


def test_second_read_is_served_from_the_cache(world, django_assert_num_queries):
    client = client_for(world.member_a.user)
    first = warm(client, "/api/me/")
    with django_assert_num_queries(1):  # the token's lookup only
        again = client.get("/api/me/")
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again.json()["name"] == "张三"


def test_if_none_match_gets_304(world):
    client = client_for(world.member_a.user)
    etag = warm(client, "/api/me/")["ETag"]
    response = client.get("/api/me/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert client.get("/api/me/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_answers_never_cross_accounts(world):
    a = client_for(world.member_a.user)
    b = client_for(world.member_b.user)
    warm(a, "/api/me/", 3)
    assert b.get("/api/me/").json()["name"] == "王五"
    assert a.get("/api/me/").json()["name"] == "张三"


def test_an_archive_edit_is_seen_at_once(world):
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    member_update(actor=world.staff_a, member=world.member_a, employer="新单位有限公司")
    assert client.get("/api/me/").json()["employer"] == "新单位有限公司"


def test_a_queryset_update_and_raw_sql_are_seen(world):
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    Member.objects.filter(pk=world.member_a.pk).update(employer="批量更新")
    assert client.get("/api/me/").json()["employer"] == "批量更新"
    warm(client, "/api/me/", 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_member SET employer = %s WHERE id = %s", ["原始SQL", world.member_a.pk]
        )
    assert client.get("/api/me/").json()["employer"] == "原始SQL"


def test_a_move_to_another_branch_changes_the_activities(world):
    here = activity_factories.activity(world.branch_a1, title="东关支部主题党日")
    there = activity_factories.activity(world.branch_a2, title="西关支部主题党日")
    client = client_for(world.member_a.user)
    titles = {row["title"] for row in warm(client, "/api/activities/", 3).json()["results"]}
    assert here.title in titles and there.title not in titles
    member_update(actor=world.staff_a, member=world.member_a, organization=world.branch_a2)
    titles = {row["title"] for row in client.get("/api/activities/").json()["results"]}
    assert there.title in titles and here.title not in titles


def test_a_grant_change_changes_a_staff_answer(world):
    a = activity_factories.activity(world.committee_a, title="城关党工委集中学习")
    b = activity_factories.activity(world.committee_b, title="陵前镇党委集中学习")
    client = client_for(world.staff_a)
    titles = {row["title"] for row in warm(client, "/api/activities/", 3).json()["results"]}
    assert a.title in titles and b.title not in titles
    remove_perm(MANAGE, world.staff_a, world.committee_a)
    assign_perm(MANAGE, world.staff_a, world.committee_b)
    titles = {row["title"] for row in client.get("/api/activities/").json()["results"]}
    assert b.title in titles and a.title not in titles


def test_a_hidden_post_disappears(world):
    thread = forum_factories.thread(world.member_a.user, board=Board.FORUM)
    post = forum_factories.reply(world.member_b.user, thread, body="一条将被隐藏的回复")
    client = client_for(world.member_a.user)
    path = f"/api/forum/threads/{thread.pk}/posts/"
    assert "一条将被隐藏的回复" in warm(client, path, 3).content.decode()
    post_moderate(user=world.staff_a, post=post, action="hide", reason="与主题无关")
    assert "一条将被隐藏的回复" not in client.get(path).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_write_committed_later_bumps_again():
    """Answers other connections make between the write and the commit come from the rows
    as they were: the commit bumps the table once more."""
    key = respcache.VERSION_PREFIX + "members_skill"
    with transaction.atomic():
        skill = Skill.objects.create(name="电焊")
        during = cache.get(key)
        assert during is not None
        Skill.objects.filter(pk=skill.pk).update(name="电焊工")
        assert cache.get(key) == during  # nothing stored in between: once per transaction
    assert cache.get(key) not in (None, during)  # and again after the commit


def test_a_write_after_an_answer_in_the_same_transaction_bumps_again(world):
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    for employer in ("第一次", "第二次"):
        Member.objects.filter(pk=world.member_a.pk).update(employer=employer)
        assert client.get("/api/me/").json()["employer"] == employer


@pytest.mark.django_db(transaction=True)
def test_quiet_columns_and_untracked_tables_bump_nothing():
    from tests import factories

    member = factories.build_world().member_a2
    key = respcache.VERSION_PREFIX + "members_member"
    rows = Member.objects.filter(pk=member.pk)
    rows.update(employer="x")
    before = cache.get(key)
    assert before is not None
    rows.update(last_studied_at="2026-12-01T08:00:00Z")  # engagement stamp only
    assert cache.get(key) == before
    rows.update(last_studied_at="2026-12-02T08:00:00Z", employer="y")
    assert cache.get(key) != before


def test_unattributable_writes_throw_everything_away(world):
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    everything = cache.get(respcache.VERSION_PREFIX + respcache.ALL_TABLES)
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH moved AS (UPDATE members_member SET employer = %s WHERE id = %s RETURNING id) "
            "SELECT count(*) FROM moved",
            ["公用表表达式", world.member_a.pk],
        )
    assert cache.get(respcache.VERSION_PREFIX + respcache.ALL_TABLES) != everything
    assert client.get("/api/me/").json()["employer"] == "公用表表达式"


def test_an_evicted_version_is_a_miss_not_a_stale_answer(world):
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    cache.delete(respcache.VERSION_PREFIX + "members_member")  # evicted under memory pressure
    wrappers = connection.execute_wrappers
    wrappers.remove(respcache.execute_wrapper)  # a change the cache does not hear of
    try:
        Member.objects.filter(pk=world.member_a.pk).update(employer="驱逐之后")
    finally:
        wrappers.insert(0, respcache.execute_wrapper)
    assert client.get("/api/me/").json()["employer"] == "驱逐之后"


@pytest.mark.parametrize(
    "sql, tables",
    [
        ('SELECT "a"."id" FROM "members_member" a', set()),
        ('INSERT INTO "forum_post" ("body") VALUES (%s)', {"forum_post"}),
        ('UPDATE "forum_post" SET "is_hidden" = %s WHERE "id" = %s', {"forum_post"}),
        ('DELETE FROM "learning_article" WHERE "id" = %s', {"learning_article"}),
        ("UPDATE members_member SET employer = %s", {"members_member"}),
        ('UPDATE "members_member" SET "last_posted_at" = %s WHERE "id" = 1', set()),
        ('UPDATE "members_user" SET "last_login" = %s WHERE "id" = 1', set()),
        ('UPDATE "knox_authtoken" SET "expiry" = %s WHERE "digest" = %s', set()),
        ("WITH x AS (DELETE FROM forum_post RETURNING id) SELECT 1", None),
        ("TRUNCATE forum_post", None),
        ("SAVEPOINT s1", set()),
    ],
)
def test_written_tables(sql, tables):
    assert respcache._written_tables(sql) == tables


def test_a_view_that_writes_is_not_cached(world, settings):
    """Reading an article opens a study record (a write): every read builds its answer."""
    from tests.learning.factories import article

    item = article(world.branch_a1, title="学习党章")
    client = client_for(world.member_a.user)
    warm(client, f"/api/articles/{item.pk}/", 3)
    keys = [k for k in cache.keys(f"{respcache.ENTRY_PREFIX}learning.api.ArticleDetailApi*")]
    entry_written = bool(keys)
    # Either the view writes (never cached) or it does not (cached): both are checked here by
    # the state the cache holds against what the view did.
    assert entry_written == (not _view_writes(client, f"/api/articles/{item.pk}/"))


def _view_writes(client, path) -> bool:
    seen = []

    def spy(execute, sql, params, many, context):
        if respcache._written_tables(sql):
            seen.append(sql)
        return execute(sql, params, many, context)

    cache.clear()
    with connection.execute_wrapper(spy):
        client.get(path)
    return bool(seen)


def test_off_when_the_setting_is_zero(world, settings):
    settings.RESPONSE_CACHE_SECONDS = 0
    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    assert not cache.keys(f"{respcache.ENTRY_PREFIX}*")


def test_a_cached_answer_costs_one_redis_round_trip(world, monkeypatch):
    """Issue 26: at most one round trip per Redis instance per request; a cached member
    answer needs one (the versions and the answer in one MGET), the broker's Redis none."""
    import redis

    client = client_for(world.member_a.user)
    warm(client, "/api/me/", 3)
    sent = []
    original_command = redis.Redis.execute_command
    original_pipeline = redis.client.Pipeline.execute

    def command(self, *args, **kwargs):
        sent.append(args[0])
        return original_command(self, *args, **kwargs)

    def pipeline(self, *args, **kwargs):
        sent.append("PIPELINE")
        return original_pipeline(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "execute_command", command)
    monkeypatch.setattr(redis.client.Pipeline, "execute", pipeline)
    response = client.get("/api/me/")
    assert response.status_code == 200 and response.has_header("ETag")
    assert sent == ["MGET"]


# 首页, a server-rendered page cached whole (CachedPageMixin) -------------------------------


def _page_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user, backend="members.backends.MemberBackend")
    return client


def test_the_home_page_is_kept_per_account(world):
    from django.test.utils import CaptureQueriesContext

    a = _page_client(world.member_a.user)
    a.get("/")  # learns the tables the page is made from
    with CaptureQueriesContext(connection) as built:
        first = a.get("/")
    with CaptureQueriesContext(connection) as served:
        again = a.get("/")
    assert again.content == first.content
    assert "张三，您好" in again.content.decode()
    # The session and its account only: the page's own queries are gone.
    assert len(served) == 2 < len(built), [q["sql"][:60] for q in served]
    b = _page_client(world.member_b.user)
    assert "王五，您好" in b.get("/").content.decode()
    assert "张三" not in b.get("/").content.decode()


def test_the_home_page_shows_a_new_article_a_new_notice_and_a_rename_at_once(world):
    from members.models import Notice
    from members.services.notice_audience import Audience
    from members.services.notices import notice_publish
    from tests.learning import factories as learning_factories

    client = _page_client(world.member_a.user)
    page = warm(client, "/", 3).content.decode()
    assert "条未读消息" not in page
    learning_factories.article(world.branch_a1, title="新发布的支部学习资料")
    assert "新发布的支部学习资料" in client.get("/").content.decode()

    warm(client, "/", 2)
    with transaction.atomic():
        notice_publish(
            audience=Audience.user(world.member_a.user),
            kind=Notice.Kind.ACTIVITY,
            title="新的通知",
        )
    assert "1条未读消息" in client.get("/").content.decode()
    warm(client, "/", 2)  # the unread count is now served from its own cache too
    notice = Notice.objects.get(title="新的通知")
    assert client.get(f"/notices/{notice.pk}/").status_code in (200, 302)
    assert "条未读消息" not in client.get("/").content.decode()

    warm(client, "/", 2)
    Member.objects.filter(pk=world.member_a.pk).update(name="张三丰")
    assert "张三丰，您好" in client.get("/").content.decode()


def test_the_home_page_follows_a_move_to_another_branch(world):
    activity_factories.activity(world.branch_a1, title="东关支部主题党日")
    client = _page_client(world.member_a.user)
    assert "组织活动待回复" in warm(client, "/", 3).content.decode()
    member_update(actor=world.staff_a, member=world.member_a, organization=world.branch_a2)
    assert "组织活动待回复" not in client.get("/").content.decode()


def test_flash_messages_are_shown_on_a_cached_home_page(world):
    from django.contrib import messages
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    client = _page_client(world.member_a.user)
    warm(client, "/", 3)
    storage = CookieStorage(HttpRequest())
    storage.add(messages.SUCCESS, "资料已收藏")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    assert "资料已收藏" in client.get("/").content.decode()
    assert "资料已收藏" not in client.get("/").content.decode()


def test_visitors_get_the_home_page_built_every_time(world):
    from django.test import Client

    warm(Client(), "/", 3)
    assert not cache.keys(respcache.ENTRY_PREFIX + "learning.views.HomeView:*")
    warm(_page_client(world.member_a.user), "/", 2)
    assert cache.keys(respcache.ENTRY_PREFIX + "learning.views.HomeView:*")


def test_pages_depend_on_every_table_the_scope_reads_before_the_view():
    from members.permissions.scope import GRANT_TABLES

    assert set(GRANT_TABLES) <= set(respcache.PAGE_ACCOUNT_TABLES)


def test_a_grant_change_changes_a_staff_home_page(world):
    from tests.learning import factories as learning_factories

    learning_factories.article(world.committee_b, title="陵前镇党委的学习资料")
    client = _page_client(world.staff_a)
    assert "陵前镇党委的学习资料" not in warm(client, "/", 3).content.decode()
    assign_perm(MANAGE, world.staff_a, world.committee_b)
    assert "陵前镇党委的学习资料" in client.get("/").content.decode()

"""Posting: kinds fit boards, bodies are sanitised, photos re-encoded, counters kept on the
thread, quoting, edits within the window (with the previous body kept), soft deletion,
notices, engagement, read markers and flood limits."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from PIL import Image

from forum import services
from forum.models import Board, Post, PostRevision, Thread, ThreadRead
from members.models import Member, Notice, NoticeRecipient
from sanyuan.errors import RateLimited
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def notices_to(user, kind=None):
    qs = Notice.objects.filter(pk__in=NoticeRecipient.objects.filter(user=user).values("notice_id"))
    return list(qs.filter(kind=kind) if kind else qs)


@pytest.mark.parametrize(
    ("board", "kind"),
    [
        ("forum", "thought_report"),
        ("forum", "study_summary"),
        ("forum", "reflection"),
        ("reflections", "message"),
        ("reflections", "request"),
        ("reflections", "suggestion"),
    ],
)
def test_a_kind_that_does_not_fit_its_board_is_a_clear_400(forum_world, board, kind):
    response = client_for(forum_world.member_a.user).post(
        "/api/forum/threads/",
        {"board": board, "kind": kind, "title": "标题四个字以上", "body": "内容"},
        format="json",
    )
    assert response.status_code == 400
    assert "类型与版块不符" in response.json()["kind"][0]
    assert not Thread.objects.exists()


def test_bad_input_is_400_in_chinese_and_changes_nothing(forum_world):
    client = client_for(forum_world.member_a.user)
    cases = [
        ({"board": "forum", "kind": "request", "title": "短", "body": "内容"}, "title"),
        ({"board": "forum", "kind": "request", "title": "标题足够长", "body": "  "}, "body"),
        ({"board": "nope", "kind": "request", "title": "标题足够长", "body": "x"}, "board"),
        (
            {"board": "forum", "kind": "request", "title": "标题足够长", "body": "x" * 10_001},
            "body",
        ),
        (
            {
                "board": "forum",
                "kind": "request",
                "title": "标题足够长",
                "body": "x",
                "body_format": "markdown",
            },
            "body_format",
        ),
    ]
    for payload, field in cases:
        response = client.post("/api/forum/threads/", payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json(), response.json()
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_a_member_posts_a_request_and_the_thread_carries_its_counters(forum_world):
    client = client_for(forum_world.member_a.user)
    response = client.post(
        "/api/forum/threads/",
        {
            "board": "forum",
            "kind": "request",
            "title": "养老保险从深圳转回三原怎么办？",
            "body": "我在深圳交了五年社保，想转回老家。\n\n政策见 https://si.12333.gov.cn/ 吗？",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "request" and body["answered"] is False
    assert body["author_name"] == "张三" and body["organization_name"] == "东关社区党支部"
    thread = Thread.objects.get(pk=body["id"])
    opening = thread.posts.get()
    assert opening.is_opening
    assert '<a href="https://si.12333.gov.cn/"' in opening.body_html
    assert "<br>" not in opening.body_html and opening.body_html.count("<p>") == 2
    assert "养老保险" in opening.search_text
    assert thread.reply_count == 0 and thread.last_post_id == opening.pk
    member = Member.objects.get(pk=forum_world.member_a.pk)
    assert member.last_posted_at is not None


def test_replies_move_the_counters_with_the_post(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    first = ff.reply(forum_world.member_b.user, thread, "我也想知道")
    second = ff.reply(forum_world.member_a3.user, thread, "去人社局窗口问过")
    thread.refresh_from_db()
    assert thread.reply_count == 2
    assert thread.last_post_id == second.pk > first.pk
    assert thread.last_poster_name == "赵敏"
    assert thread.last_posted_at == second.created_at


def test_rich_text_is_sanitised_and_plain_text_is_escaped(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    rich = services.post_create(
        user=forum_world.member_b.user,
        thread=thread,
        body='<p onclick="x()">好<script>alert(1)</script><a href="javascript:alert(1)">点</a></p>',
        body_format="html",
    )
    assert "script" not in rich.body_html and "onclick" not in rich.body_html
    assert "javascript:" not in rich.body_html
    plain = ff.reply(forum_world.member_a3.user, thread, "<b>不是粗体</b>")
    assert "&lt;b&gt;" in plain.body_html


def test_photos_are_re_encoded_without_exif_and_limited_in_number(
    forum_world, media_root, settings
):
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x8825] = {2: (34.0, 36.0, 0.0)}  # GPS
    thread = ff.thread(
        forum_world.member_a.user,
        images=[ff.photo(exif=exif.tobytes()), ff.photo(name="b.jpg")],
    )
    images = list(thread.posts.get().images.order_by("position"))
    assert len(images) == 2
    with images[0].image.open("rb") as handle:
        data = handle.read()
    assert b"SecretPhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as stored:
        assert not stored.getexif()
    assert images[0].thumbnail.name != images[0].image.name

    settings.FORUM_MAX_IMAGES_PER_POST = 2
    response = client_for(forum_world.member_b.user).post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": "三张图", "images": [ff.photo(), ff.photo(), ff.photo()]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"images": ["每次最多上传2张图片。"]}
    not_an_image = ff.photo()
    not_an_image.file = io.BytesIO(b"<svg onload=alert(1)>")
    response = client_for(forum_world.member_b.user).post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": "图", "images": [not_an_image]},
        format="multipart",
    )
    assert response.status_code == 400 and "images" in response.json()
    assert thread.posts.count() == 1


def test_a_reply_may_quote_a_post_of_the_same_thread_only(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    other = ff.thread(forum_world.member_b.user, title="另一个主题标题")
    quoted = ff.reply(forum_world.member_b.user, thread, "原话")
    client = client_for(forum_world.member_a3.user)
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": "同意", "quote": quoted.pk},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["quote"] == {"id": quoted.pk, "author_name": "王五", "excerpt": "原话"}
    foreign = other.posts.get()
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts/", {"body": "x", "quote": foreign.pk}, format="json"
    )
    assert response.status_code == 400 and "quote" in response.json()


def test_the_author_edits_within_the_window_and_the_previous_body_is_kept(forum_world, settings):
    settings.FORUM_EDIT_WINDOW_SECONDS = 1800
    thread = ff.thread(forum_world.member_a.user)
    post = ff.reply(forum_world.member_a.user, thread, "初稿")
    client = client_for(forum_world.member_a.user)
    response = client.patch(f"/api/forum/posts/{post.pk}/", {"body": "修改稿"}, format="json")
    assert response.status_code == 200
    assert response.json()["edit_count"] == 1 and response.json()["edited_at"]
    post.refresh_from_db()
    assert "修改稿" in post.body_html and "修改稿" in post.search_text
    assert PostRevision.objects.get(post=post).body_html == "<p>初稿</p>"

    # Someone else may not edit it; the author may not once the window has passed.
    other = client_for(forum_world.member_b.user).patch(
        f"/api/forum/posts/{post.pk}/", {"body": "篡改"}, format="json"
    )
    assert other.status_code == 403
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        late = client.patch(f"/api/forum/posts/{post.pk}/", {"body": "太晚了"}, format="json")
    assert late.status_code == 409 and "30分钟" in late.json()["detail"]
    post.refresh_from_db()
    assert "修改稿" in post.body_html


def test_editing_the_opening_post_may_change_the_title(forum_world):
    thread = ff.thread(forum_world.member_a.user, title="原来的标题")
    opening = thread.posts.get()
    services.post_edit(
        user=forum_world.member_a.user, post=opening, body="新正文", title="修改后的标题"
    )
    thread.refresh_from_db()
    assert thread.title == "修改后的标题"
    revision = PostRevision.objects.get(post=opening)
    assert revision.title == "原来的标题"


def test_deletion_by_the_author_is_soft(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    post = ff.reply(forum_world.member_b.user, thread, "说错了")
    assert (
        client_for(forum_world.member_a.user).delete(f"/api/forum/posts/{post.pk}/").status_code
        == 403
    )
    client = client_for(forum_world.member_b.user)
    assert client.delete(f"/api/forum/posts/{post.pk}/").status_code == 204
    assert client.delete(f"/api/forum/posts/{post.pk}/").status_code == 409
    post.refresh_from_db()
    assert post.is_deleted and post.body_html == "<p>说错了</p>"
    rows = (
        client_for(forum_world.member_a3.user)
        .get(f"/api/forum/threads/{thread.pk}/posts/")
        .json()["results"]
    )
    deleted = next(row for row in rows if row["id"] == post.pk)
    assert deleted["state"] == "deleted" and deleted["body_html"] is None
    opening = thread.posts.get(is_opening=True)
    response = client_for(forum_world.member_a.user).delete(f"/api/forum/posts/{opening.pk}/")
    assert response.status_code == 409


def test_a_reply_notifies_the_thread_author_once_until_they_read_again(forum_world):
    author = forum_world.member_a.user
    thread = ff.thread(author)
    ff.reply(author, thread, "自己补充一句")
    assert notices_to(author) == []
    ff.reply(forum_world.member_b.user, thread, "第一条回复")
    ff.reply(forum_world.member_a3.user, thread, "第二条回复")
    replies = notices_to(author, Notice.Kind.FORUM_REPLY)
    assert len(replies) == 1
    assert (
        replies[0].link
        == f"/forum/threads/{thread.pk}/?post={thread.posts.order_by('id')[2].pk}#post-{thread.posts.order_by('id')[2].pk}"
    )
    assert replies[0].body.startswith("王五：")
    # The author reads the thread; the next reply is news again.
    thread.refresh_from_db()
    services.thread_mark_read(user=author, thread=thread, post_id=thread.last_post_id)
    ff.reply(forum_world.member_b.user, thread, "第三条回复")
    assert len(notices_to(author, Notice.Kind.FORUM_REPLY)) == 2
    assert notices_to(forum_world.member_b.user) == []


def test_read_markers_only_move_forward(forum_world):
    user = forum_world.member_b.user
    thread = ff.thread(forum_world.member_a.user)
    posts = [ff.reply(forum_world.member_a3.user, thread, f"回复{i}") for i in range(3)]
    client = client_for(user)
    assert (
        client.post(
            f"/api/forum/threads/{thread.pk}/read/", {"post": posts[1].pk}, format="json"
        ).status_code
        == 204
    )
    assert ThreadRead.objects.get(user=user, thread=thread).last_read_post_id == posts[1].pk
    client.post(f"/api/forum/threads/{thread.pk}/read/", {"post": posts[0].pk}, format="json")
    assert ThreadRead.objects.get(user=user, thread=thread).last_read_post_id == posts[1].pk
    row = next(
        r for r in client.get("/api/forum/threads/").json()["results"] if r["id"] == thread.pk
    )
    assert row["unread"] is True and row["last_read_post_id"] == posts[1].pk
    client.post(f"/api/forum/threads/{thread.pk}/read/", {}, format="json")
    row = next(
        r for r in client.get("/api/forum/threads/").json()["results"] if r["id"] == thread.pk
    )
    assert row["unread"] is False


def test_posts_per_minute_are_limited_with_a_clear_message(forum_world, settings):
    settings.FORUM_POSTS_PER_MINUTE = 3
    thread = ff.thread(forum_world.member_a.user)
    client = client_for(forum_world.member_b.user)
    for i in range(3):
        response = client.post(
            f"/api/forum/threads/{thread.pk}/posts/", {"body": f"第{i}条"}, format="json"
        )
        assert response.status_code == 201
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts/", {"body": "刷屏"}, format="json"
    )
    assert response.status_code == 429
    assert response.json()["detail"] == "发言太频繁了：每分钟最多发3条，请稍后再试。"
    assert response["Retry-After"] == "60"
    assert thread.posts.count() == 4
    # Another member is not affected, and a minute later the member may post again.
    other = client_for(forum_world.member_a3.user)
    assert (
        other.post(
            f"/api/forum/threads/{thread.pk}/posts/", {"body": "我"}, format="json"
        ).status_code
        == 201
    )
    from django.core.cache import cache

    cache.delete_pattern("rl:forum-post:*")  # the minute is over
    assert (
        client.post(
            f"/api/forum/threads/{thread.pk}/posts/", {"body": "又来"}, format="json"
        ).status_code
        == 201
    )


def test_threads_per_day_are_limited_and_staff_are_not(forum_world, settings):
    settings.FORUM_THREADS_PER_DAY = 2
    settings.FORUM_POSTS_PER_MINUTE = 100
    user = forum_world.member_b.user
    ff.thread(user, title="第一个主题标题")
    ff.thread(user, title="第二个主题标题")
    with pytest.raises(RateLimited) as caught:
        ff.thread(user, title="第三个主题标题")
    assert caught.value.message == "今天发帖已达2个的上限，请明天再发。"
    assert Thread.objects.filter(author=user).count() == 2
    for i in range(3):
        ff.thread(
            forum_world.staff_a,
            kind=Thread.Kind.MESSAGE,
            title=f"党工委通知第{i}号",
            organization=forum_world.committee_a.pk,
        )
    assert Thread.objects.filter(author=forum_world.staff_a, is_official=True).count() == 3


def test_staff_open_forum_threads_only_in_the_name_of_their_organisations(forum_world):
    client = client_for(forum_world.staff_a)
    payload = {
        "board": "forum",
        "kind": "message",
        "title": "关于开展冬季返乡座谈的通知",
        "body": "欢迎参加",
    }
    response = client.post(
        "/api/forum/threads/",
        {**payload, "organization": forum_world.committee_b.pk},
        format="json",
    )
    assert response.status_code == 400 and "organization" in response.json()
    response = client.post("/api/forum/threads/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["author_name"] == "城关街道党工委" and response.json()["is_official"]
    response = client.post(
        "/api/forum/threads/",
        {**payload, "board": "reflections", "kind": "reflection"},
        format="json",
    )
    assert response.status_code == 400
    member = client_for(forum_world.member_a.user).post(
        "/api/forum/threads/", {**payload, "organization": forum_world.branch_a1.pk}, format="json"
    )
    assert member.status_code == 400


def test_posting_in_a_locked_thread_is_refused_for_members_but_not_for_staff_in_scope(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    services.thread_moderate(user=forum_world.staff_a, thread=thread, action="lock")
    response = client_for(forum_world.member_b.user).post(
        f"/api/forum/threads/{thread.pk}/posts/", {"body": "还能回吗"}, format="json"
    )
    assert response.status_code == 409 and response.json()["detail"] == "该主题已锁定，不能再回复。"
    response = client_for(forum_world.staff_a).post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": "已答复，锁定", "organization": forum_world.committee_a.pk},
        format="json",
    )
    assert response.status_code == 201
    assert (
        client_for(forum_world.staff_b)
        .post(f"/api/forum/threads/{thread.pk}/posts/", {"body": "外单位"}, format="json")
        .status_code
        == 409
    )


def test_a_staff_comment_on_a_reflection_speaks_for_the_organisation(forum_world):
    reflection = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.REFLECTION,
        title="学习二十届四中全会精神心得",
    )
    post = ff.reply(forum_world.staff_a, reflection, "体会深刻，继续保持")
    assert post.organization == forum_world.committee_a and post.author_name == "城关街道党工委"

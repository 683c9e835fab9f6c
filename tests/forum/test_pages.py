"""The forum pages (论坛) and the staff pages, for every tier, with and without permission."""

import pytest

from forum import services
from forum.models import Board, Post, PostReport, Thread
from members.models import User
from tests.factories import login_staff
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db

MEMBER = "members.backends.MemberBackend"
STAFF = "members.backends.StaffBackend"


def login(client, user, backend=MEMBER):
    login_staff(client, user, backend=backend)
    return client


MEMBER_PAGES = [
    "/forum/",
    "/forum/?board=reflections",
    "/forum/new/",
    "/forum/search/?q=社保",
    "/forum/typical/",
]
STAFF_PAGES = ["/staff/forum/", "/staff/forum/reports/", "/staff/forum/reflections/"]


@pytest.mark.parametrize("url", MEMBER_PAGES + STAFF_PAGES)
def test_anonymous_visitors_are_asked_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


@pytest.mark.parametrize("url", MEMBER_PAGES + STAFF_PAGES)
def test_an_account_that_is_neither_member_nor_staff_gets_403(client, db, url):
    user = User.objects.create_user(username="someone", password="x-Long-Pass-1")
    assert login(client, user, STAFF).get(url).status_code == 403


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_members_and_staff_open_the_forum_pages(client, forum_world, url):
    assert login(client, forum_world.member_a.user).get(url).status_code == 200
    assert login(client, forum_world.staff_b, STAFF).get(url).status_code in (200, 302)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_are_for_staff_only(client, forum_world, url):
    assert login(client, forum_world.member_a.user).get(url).status_code == 403
    assert login(client, forum_world.staff_a, STAFF).get(url).status_code == 200


def test_a_member_posts_a_request_with_a_photo_through_the_form(client, forum_world, media_root):
    login(client, forum_world.member_a.user)
    form = client.get("/forum/new/?board=forum").content.decode()
    assert 'name="images"' in form and 'enctype="multipart/form-data"' in form
    response = client.post(
        "/forum/new/",
        {
            "board": "forum",
            "kind": "request",
            "title": "在西安务工想把组织关系转过来",
            "body": "请问需要什么手续？",
            "images": [ff.photo()],
        },
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response.url == f"/forum/threads/{thread.pk}/"
    page = client.get(response.url).content.decode()
    assert "在西安务工想把组织关系转过来" in page and "等待党组织答复" in page
    image = thread.posts.get().images.get()
    assert f"/forum/images/{image.pk}/?size=thumb" in page
    assert client.get(f"/forum/images/{image.pk}/").status_code == 200


def test_a_bad_form_shows_chinese_errors_and_keeps_nothing(client, forum_world):
    login(client, forum_world.member_a.user)
    response = client.post(
        "/forum/new/", {"board": "forum", "kind": "thought_report", "title": "短", "body": ""}
    )
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    response = client.post(
        "/forum/new/", {"board": "forum", "kind": "request", "title": "短", "body": "内容"}
    )
    assert response.status_code == 400 and "标题至少4个字" in response.content.decode()
    assert not Thread.objects.exists()


def test_flooding_the_reply_box_shows_the_limit_message(client, forum_world, settings):
    settings.FORUM_POSTS_PER_MINUTE = 1
    thread = ff.thread(forum_world.member_a.user)
    login(client, forum_world.member_b.user)
    assert client.post(thread.get_absolute_url(), {"body": "第一条"}).status_code == 302
    response = client.post(thread.get_absolute_url(), {"body": "第二条"})
    assert response.status_code == 429
    assert "发言太频繁了：每分钟最多发1条" in response.content.decode()


def test_members_see_my_reflections_and_not_others_private_ones(client, forum_world):
    mine = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind="thought_report",
        title="我的思想汇报标题",
    )
    theirs = ff.thread(
        forum_world.member_a3.user,
        board=Board.REFLECTIONS,
        kind="study_summary",
        title="别人的学习小结",
    )
    login(client, forum_world.member_a.user)
    page = client.get("/forum/?board=reflections").content.decode()
    assert mine.title in page and theirs.title not in page
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert "仅本人和党组织可见" in client.get(mine.get_absolute_url()).content.decode()
    shared = client.get("/forum/?board=reflections&view=shared").content.decode()
    assert mine.title not in shared
    client.post(f"/forum/threads/{mine.pk}/share/", {"shared": "1"})
    assert mine.title in client.get("/forum/?board=reflections&view=shared").content.decode()


def test_staff_in_scope_see_the_official_reply_choice_and_others_do_not(client, forum_world):
    thread = ff.thread(forum_world.member_a.user)
    page = login(client, forum_world.staff_a, STAFF).get(thread.get_absolute_url()).content.decode()
    assert "城关街道党工委（党组织回复）" in page and "管理该主题" in page
    page = login(client, forum_world.staff_b, STAFF).get(thread.get_absolute_url()).content.decode()
    assert "党组织回复）" not in page and "管理该主题" not in page
    response = client.post(
        thread.get_absolute_url(), {"body": "冒充答复", "organization": forum_world.committee_a.pk}
    )
    # The form offers staff B no organisation: the field is ignored, the reply is personal.
    assert response.status_code == 302
    assert not thread.posts.filter(organization__isnull=False).exists()
    assert thread.posts.filter(author=forum_world.staff_b, organization__isnull=True).exists()


def test_an_official_reply_through_the_page_shows_the_badge(client, forum_world):
    thread = ff.thread(forum_world.member_a.user, title="技能培训报名在哪里")
    login(client, forum_world.staff_a, STAFF)
    response = client.post(
        thread.get_absolute_url(),
        {"body": "县职教中心12月开班，可电话报名。", "organization": forum_world.committee_a.pk},
    )
    assert response.status_code == 302
    page = login(client, forum_world.member_a.user).get(response.url).content.decode()
    assert "党组织回复" in page and "城关街道党工委" in page and "党组织已答复" in page


def test_quote_edit_delete_and_report_from_the_thread_page(client, forum_world):
    thread = ff.thread(forum_world.member_a.user)
    other = ff.reply(forum_world.member_b.user, thread, "原话在此")
    login(client, forum_world.member_a3.user)
    page = client.get(f"{thread.get_absolute_url()}?quote={other.pk}").content.decode()
    assert "引用 王五：原话在此" in page
    client.post(thread.get_absolute_url(), {"body": "赞同", "quote": other.pk})
    mine = Post.objects.get(body_html="<p>赞同</p>")
    assert mine.quote == other
    assert client.get(f"/forum/posts/{mine.pk}/edit/").status_code == 200
    assert client.get(f"/forum/posts/{other.pk}/edit/").status_code == 403
    client.post(f"/forum/posts/{mine.pk}/edit/", {"body": "非常赞同"})
    mine.refresh_from_db()
    assert mine.body_html == "<p>非常赞同</p>" and mine.edit_count == 1
    assert client.get(f"/forum/posts/{other.pk}/report/").status_code == 200
    client.post(f"/forum/posts/{other.pk}/report/", {"reason": "abuse", "note": "骂人"})
    assert PostReport.objects.filter(post=other).count() == 1
    client.post(f"/forum/posts/{mine.pk}/delete/")
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "该回复已删除" in page and "非常赞同" not in page


def test_staff_pages_list_only_what_is_in_scope(client, forum_world):
    request_a = ff.thread(forum_world.member_a.user, title="城关的诉求标题")
    request_b = ff.thread(forum_world.member_b.user, title="陵前的诉求标题")
    refl_a = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind="thought_report",
        title="城关的思想汇报",
    )
    refl_b = ff.thread(
        forum_world.member_b.user,
        board=Board.REFLECTIONS,
        kind="thought_report",
        title="陵前的思想汇报",
    )
    bad = ff.reply(forum_world.member_a3.user, request_a, "广告内容")
    services.post_report(user=forum_world.member_b.user, post=bad, reason="spam")
    login(client, forum_world.staff_a, STAFF)
    queue = client.get("/staff/forum/").content.decode()
    assert request_a.title in queue and request_b.title not in queue and "中位用时" in queue
    reflections = client.get("/staff/forum/reflections/").content.decode()
    assert refl_a.title in reflections and refl_b.title not in reflections
    reports = client.get("/staff/forum/reports/").content.decode()
    assert "广告内容" in reports
    report = PostReport.objects.get()
    response = client.post(
        f"/staff/forum/reports/{report.pk}/resolve/",
        {"outcome": "resolved", "hide_post": "on", "resolution": "广告"},
    )
    assert response.status_code == 302
    bad.refresh_from_db()
    assert bad.is_hidden
    client.post(f"/forum/threads/{refl_a.pk}/staff-read/", {"next": "staff"})
    assert refl_a.title not in client.get("/staff/forum/reflections/").content.decode()
    login(client, forum_world.staff_b, STAFF)
    assert (
        client.post(
            f"/staff/forum/reports/{report.pk}/resolve/", {"outcome": "dismissed"}
        ).status_code
        == 404
    )
    assert request_a.title not in client.get("/staff/forum/").content.decode()


def test_the_staff_navigation_links_the_forum_queue(client, forum_world):
    page = login(client, forum_world.staff_a, STAFF).get("/staff/").content.decode()
    assert 'href="/staff/forum/"' in page


def test_moderation_from_the_thread_page(client, forum_world):
    thread = ff.thread(forum_world.member_a.user)
    login(client, forum_world.staff_a, STAFF)
    client.post(f"/forum/threads/{thread.pk}/moderate/", {"action": "lock"})
    thread.refresh_from_db()
    assert thread.is_locked
    response = client.post(
        f"/forum/threads/{thread.pk}/moderate/", {"action": "hide", "reason": ""}, follow=True
    )
    assert "请填写原因" in response.content.decode()
    login(client, forum_world.member_b.user)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "该主题已锁定，不能再回复" in page and 'id="reply"' not in page
    assert (
        client.post(f"/forum/threads/{thread.pk}/moderate/", {"action": "unlock"}).status_code
        == 403
    )


def test_the_thread_page_pages_through_long_threads(client, forum_world):
    thread = ff.thread(forum_world.member_a.user)
    ff.bulk_posts(thread, 45, author_member=forum_world.member_b)
    login(client, forum_world.member_b.user)
    first = client.get(thread.get_absolute_url())
    assert first.context["page"].next_cursor
    last = client.get(f"{thread.get_absolute_url()}?last=1")
    assert last.context["page"].results[-1].pk == thread.posts.order_by("-id").first().pk
    assert last.context["page"].next_cursor is None and last.context["page"].previous_cursor
    assert client.get(f"{thread.get_absolute_url()}?cursor=garbage").status_code == 302

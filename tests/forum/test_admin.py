"""The forum in the admin: scoped to the staff user's organisations, actions through services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum import services
from forum.models import Board, PostReport, Thread
from members.models import AuditEvent
from tests.factories import login_staff
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db

STAFF = "members.backends.StaffBackend"


@pytest.fixture
def threads(forum_world):
    a = ff.thread(forum_world.member_a.user, title="城关党员的诉求")
    b = ff.thread(forum_world.member_b.user, title="陵前党员的诉求")
    refl = ff.thread(
        forum_world.member_b.user,
        board=Board.REFLECTIONS,
        kind="thought_report",
        title="陵前党员的思想汇报",
    )
    return a, b, refl


def test_committee_staff_see_only_threads_posts_and_reports_in_scope(client, forum_world, threads):
    a, b, refl = threads
    bad = ff.reply(forum_world.member_a3.user, b, "陵前主题下的不当言论")
    services.post_report(user=forum_world.member_a.user, post=bad, reason="abuse")
    client.force_login(forum_world.staff_a, backend=STAFF)
    body = client.get("/admin/forum/thread/").content.decode()
    assert a.title in body and b.title not in body and refl.title not in body
    assert client.get(f"/admin/forum/thread/{b.pk}/change/").status_code in (302, 404)
    posts = client.get("/admin/forum/post/").content.decode()
    assert "陵前主题下的不当言论" not in posts
    reports = client.get("/admin/forum/postreport/").content.decode()
    assert "陵前党员的诉求" not in reports

    client.force_login(forum_world.staff_b, backend=STAFF)
    body = client.get("/admin/forum/thread/").content.decode()
    assert b.title in body and refl.title in body and a.title not in body
    assert "陵前党员的诉求" in client.get("/admin/forum/postreport/").content.decode()


def test_members_have_no_forum_admin(client, forum_world, threads):
    client.force_login(forum_world.member_a.user, backend="members.backends.MemberBackend")
    response = client.get("/admin/forum/thread/")
    assert response.status_code in (302, 403)


def test_admin_actions_go_through_the_services_and_are_audited(client, forum_world, threads):
    a, b, _ = threads
    client.force_login(forum_world.staff_a, backend=STAFF)
    response = client.post(
        "/admin/forum/thread/",
        {"action": "thread_lock", "_selected_action": [a.pk, b.pk]},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.is_locked and not b.is_locked  # b is outside the scope, so not even selectable
    assert AuditEvent.objects.filter(action="forum.thread.lock", target_id=str(a.pk)).exists()


def test_admin_resolves_reports_and_hides_the_post(client, forum_world, threads):
    a, _, _ = threads
    bad = ff.reply(forum_world.member_b.user, a, "广告广告")
    services.post_report(user=forum_world.member_a3.user, post=bad, reason="spam")
    report = PostReport.objects.get()
    client.force_login(forum_world.staff_a, backend=STAFF)
    client.post(
        "/admin/forum/postreport/",
        {"action": "resolve_and_hide", "_selected_action": [report.pk]},
    )
    bad.refresh_from_db()
    report.refresh_from_db()
    assert bad.is_hidden and report.status == PostReport.Status.RESOLVED


def test_the_thread_changelist_costs_the_same_for_10_and_40_rows(client, forum_world):
    login_staff(client, forum_world.county_staff)
    ff.bulk_threads(forum_world.branch_a1, 10)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/forum/thread/").status_code == 200
    ff.bulk_threads(forum_world.branch_b1, 30)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/forum/thread/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Thread.objects.count() == 40


def test_the_admin_names_authors_and_links_only_where_staff_may_go(client, world):
    """Authors were shown as their account (member-1), linked to the account page (403)."""
    from forum.models import Post
    from tests.factories import login_staff
    from tests.forum import factories as forum_factories

    thread = forum_factories.thread(world.member_a.user, title="请问社保转移怎么办理")
    post = Post.objects.filter(thread=thread).first()
    login_staff(client, world.county_staff)
    for url in (f"/admin/forum/thread/{thread.pk}/change/", f"/admin/forum/post/{post.pk}/change/"):
        page = client.get(url).content.decode()
        assert "张三" in page and world.member_a.user.username not in page, url
        assert "/admin/members/user/" not in page, url

"""Moderation by staff in scope, each action audited with its reason; reports by members."""

import pytest

from forum import services
from forum.models import Board, PostReport, Thread
from members.models import AuditEvent
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def moderate(user, thread, action, reason=""):
    return client_for(user).post(
        f"/api/forum/threads/{thread.pk}/moderation/",
        {"action": action, "reason": reason},
        format="json",
    )


@pytest.fixture
def answered_thread(forum_world):
    thread = ff.thread(forum_world.member_a.user, title="返乡创业贷款怎么申请")
    services.post_create(
        user=forum_world.staff_a,
        thread=thread,
        body="可到县人社局创业担保贷款窗口申请。",
        organization=forum_world.committee_a,
    )
    thread.refresh_from_db()
    return thread


@pytest.mark.parametrize(
    ("action", "undo", "field"),
    [
        ("pin", "unpin", "is_pinned"),
        ("lock", "unlock", "is_locked"),
        ("hide", "unhide", "is_hidden"),
        ("typical", "untypical", "is_typical"),
    ],
)
def test_each_thread_action_and_its_undo_is_applied_and_audited(
    forum_world, answered_thread, action, undo, field
):
    thread = answered_thread
    response = moderate(forum_world.staff_a, thread, action, "多人反映的共性问题")
    assert response.status_code == 200, response.json()
    thread.refresh_from_db()
    assert getattr(thread, field) is True
    again = moderate(forum_world.staff_a, thread, action, "再来一次")
    assert again.status_code == 409
    assert moderate(forum_world.county_staff, thread, undo).status_code == 200
    thread.refresh_from_db()
    assert getattr(thread, field) is False
    events = AuditEvent.objects.filter(target_type="forum.thread", target_id=str(thread.pk))
    assert list(events.order_by("id").values_list("action", flat=True)) == [
        f"forum.thread.{action}",
        f"forum.thread.{undo}",
    ]
    first = events.order_by("id").first()
    assert first.actor == forum_world.staff_a and first.detail["reason"] == "多人反映的共性问题"


@pytest.mark.parametrize("who", ["staff_b", "member_a", "member_b"])
def test_nobody_out_of_scope_moderates(forum_world, answered_thread, who):
    user = {
        "staff_b": forum_world.staff_b,
        "member_a": forum_world.member_a.user,
        "member_b": forum_world.member_b.user,
    }[who]
    for action in ("pin", "lock", "hide", "typical"):
        assert moderate(user, answered_thread, action, "理由").status_code == 403
    answered_thread.refresh_from_db()
    assert not (answered_thread.is_pinned or answered_thread.is_locked or answered_thread.is_hidden)
    assert not AuditEvent.objects.filter(action__startswith="forum.").exists()


def test_moderating_a_reflection_out_of_scope_is_404(forum_world):
    thread = ff.thread(forum_world.member_a.user, board=Board.REFLECTIONS, kind="reflection")
    assert moderate(forum_world.staff_b, thread, "lock").status_code == 404
    assert moderate(forum_world.staff_a, thread, "lock").status_code == 200
    response = moderate(forum_world.staff_a, thread, "pin")
    assert response.status_code == 400 and "action" in response.json()


def test_hiding_needs_a_reason_and_typical_needs_an_official_answer(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    response = moderate(forum_world.staff_a, thread, "hide", "  ")
    assert response.status_code == 400 and response.json() == {"reason": ["请填写原因。"]}
    response = moderate(forum_world.staff_a, thread, "typical")
    assert response.status_code == 409 and "答复" in response.json()["detail"]
    assert moderate(forum_world.staff_a, thread, "explode").status_code == 400
    thread.refresh_from_db()
    assert not thread.is_hidden and not thread.is_typical


def test_the_typical_issues_page_lists_answered_typical_threads(
    forum_world, answered_thread, client
):
    plain = ff.thread(forum_world.member_a3.user, title="普通诉求不在典型问题里")
    services.thread_moderate(
        user=forum_world.staff_a, thread=answered_thread, action="typical", reason=""
    )
    rows = client_for(forum_world.member_b.user).get("/api/forum/threads/?typical=1").json()
    assert [row["id"] for row in rows["results"]] == [answered_thread.pk]
    client.force_login(forum_world.member_b.user, backend="members.backends.MemberBackend")
    page = client.get("/forum/typical/").content.decode()
    assert "返乡创业贷款怎么申请" in page and plain.title not in page


def test_pinned_threads_come_first_in_the_list(forum_world):
    first = ff.thread(forum_world.member_a.user, title="较早的主题标题")
    ff.thread(forum_world.member_a3.user, title="较新的主题标题")
    services.thread_moderate(user=forum_world.staff_a, thread=first, action="pin")
    rows = client_for(forum_world.member_b.user).get("/api/forum/threads/").json()["results"]
    assert rows[0]["id"] == first.pk and rows[0]["is_pinned"] is True


def test_hiding_a_post_shows_a_placeholder_to_others_and_the_body_to_author_and_staff(
    forum_world,
):
    thread = ff.thread(forum_world.member_a.user)
    post = ff.reply(forum_world.member_b.user, thread, "不文明的话")
    response = client_for(forum_world.staff_a).post(
        f"/api/forum/posts/{post.pk}/moderation/",
        {"action": "hide", "reason": "言辞不当"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["state"] == "hidden"

    def seen_by(user):
        rows = client_for(user).get(f"/api/forum/threads/{thread.pk}/posts/").json()["results"]
        return next(row for row in rows if row["id"] == post.pk)

    assert seen_by(forum_world.member_a3.user)["body_html"] is None
    assert seen_by(forum_world.member_b.user)["body_html"] == "<p>不文明的话</p>"
    assert seen_by(forum_world.staff_a)["hidden_reason"] == "言辞不当"
    assert (
        client_for(forum_world.staff_b)
        .post(f"/api/forum/posts/{post.pk}/moderation/", {"action": "unhide"}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(forum_world.staff_a)
        .post(f"/api/forum/posts/{post.pk}/moderation/", {"action": "unhide"}, format="json")
        .status_code
        == 200
    )
    assert seen_by(forum_world.member_a3.user)["body_html"] == "<p>不文明的话</p>"
    assert list(
        AuditEvent.objects.filter(target_type="forum.post")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["forum.post.hide", "forum.post.unhide"]


def test_members_report_a_post_and_staff_in_scope_resolve_it(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    post = ff.reply(forum_world.member_b.user, thread, "加微信领补贴 xxx")
    reporter = client_for(forum_world.member_a3.user)
    response = reporter.post(
        f"/api/forum/posts/{post.pk}/reports/", {"reason": "spam", "note": "广告"}, format="json"
    )
    assert response.status_code == 201
    assert (
        reporter.post(
            f"/api/forum/posts/{post.pk}/reports/", {"reason": "spam"}, format="json"
        ).status_code
        == 409
    )
    assert (
        client_for(forum_world.member_b.user)
        .post(f"/api/forum/posts/{post.pk}/reports/", {"reason": "spam"}, format="json")
        .status_code
        == 403
    )  # one's own post
    assert (
        client_for(forum_world.staff_a)
        .post(f"/api/forum/posts/{post.pk}/reports/", {"reason": "spam"}, format="json")
        .status_code
        == 403
    )  # staff moderate directly
    response = client_for(forum_world.member_a.user).post(
        f"/api/forum/posts/{post.pk}/reports/", {"reason": "other"}, format="json"
    )
    assert response.status_code == 400 and "note" in response.json()
    client_for(forum_world.member_a.user).post(
        f"/api/forum/posts/{post.pk}/reports/", {"reason": "abuse"}, format="json"
    )

    # The thread belongs to committee A: its staff and the county see the reports.
    def report_ids(user):
        return [row["id"] for row in client_for(user).get("/api/forum/reports/").json()["results"]]

    assert len(report_ids(forum_world.staff_a)) == 2
    assert len(report_ids(forum_world.county_staff)) == 2
    assert report_ids(forum_world.staff_b) == []
    assert client_for(forum_world.member_a.user).get("/api/forum/reports/").status_code == 403

    report_id = report_ids(forum_world.staff_a)[0]
    assert (
        client_for(forum_world.staff_b)
        .post(f"/api/forum/reports/{report_id}/resolve/", {"outcome": "resolved"}, format="json")
        .status_code
        == 404
    )
    missing_reason = client_for(forum_world.staff_a).post(
        f"/api/forum/reports/{report_id}/resolve/",
        {"outcome": "resolved", "hide_post": True},
        format="json",
    )
    assert missing_reason.status_code == 400
    response = client_for(forum_world.staff_a).post(
        f"/api/forum/reports/{report_id}/resolve/",
        {"outcome": "resolved", "hide_post": True, "resolution": "广告，已隐藏"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_reason == "广告，已隐藏"
    # Every open report of that post is closed together.
    assert not PostReport.objects.filter(status=PostReport.Status.OPEN).exists()
    again = client_for(forum_world.staff_a).post(
        f"/api/forum/reports/{report_id}/resolve/", {"outcome": "dismissed"}, format="json"
    )
    assert again.status_code == 409
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"forum.post.report", "forum.post.hide", "forum.report.resolved"} <= actions


def test_a_member_cannot_report_what_they_cannot_see(forum_world):
    thread = ff.thread(
        forum_world.member_a.user, board=Board.REFLECTIONS, kind=Thread.Kind.REFLECTION
    )
    post = thread.posts.get()
    response = client_for(forum_world.member_b.user).post(
        f"/api/forum/posts/{post.pk}/reports/", {"reason": "spam"}, format="json"
    )
    assert response.status_code == 404

"""Official replies (党组织回复): only staff whose scope covers the thread's organisation,
in the name of one of their organisations; the thread records the first one and its delay;
the staff queue lists what still waits, oldest first, with figures."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from forum import selectors, services
from forum.models import Board, Post, Thread
from members.models import Notice, NoticeRecipient
from tests.conftest import client_for
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db


def official(client, thread, organization, body="已收到，正在协调办理。"):
    return client.post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": body, "organization": organization.pk},
        format="json",
    )


def test_staff_in_scope_reply_officially_and_the_author_is_notified(forum_world):
    thread = ff.thread(forum_world.member_a.user, title="孩子回老家上学需要哪些材料")
    response = official(client_for(forum_world.staff_a), thread, forum_world.committee_a)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_official"] is True
    assert body["organization_name"] == "城关街道党工委" and body["author_name"] == "城关街道党工委"
    thread.refresh_from_db()
    assert thread.is_answered and thread.first_official_reply_seconds is not None
    notice = Notice.objects.get(
        kind=Notice.Kind.OFFICIAL_REPLY,
        pk__in=NoticeRecipient.objects.filter(user=forum_world.member_a.user).values("notice_id"),
    )
    assert notice.title == "城关街道党工委回复了您的诉求：孩子回老家上学需要哪些材料"
    assert notice.link.startswith(f"/forum/threads/{thread.pk}/?post=")
    listed = client_for(forum_world.member_b.user).get("/api/forum/threads/?kind=request").json()
    assert listed["results"][0]["answered"] is True


def test_county_staff_reply_as_the_county(forum_world):
    thread = ff.thread(forum_world.member_b.user)
    response = official(client_for(forum_world.county_staff), thread, forum_world.county)
    assert response.status_code == 201
    assert response.json()["organization_name"] == "三原县"


@pytest.mark.parametrize("who", ["staff_b", "member_b", "member_a3"])
def test_nobody_out_of_scope_may_reply_officially(forum_world, who):
    thread = ff.thread(forum_world.member_a.user)
    user = {
        "staff_b": forum_world.staff_b,
        "member_b": forum_world.member_b.user,
        "member_a3": forum_world.member_a3.user,
    }[who]
    for org in (forum_world.committee_a, forum_world.committee_b, forum_world.county):
        response = official(client_for(user), thread, org)
        assert response.status_code == 403, (who, org)
    thread.refresh_from_db()
    assert not thread.is_answered and thread.reply_count == 0
    assert not Post.objects.filter(organization__isnull=False).exists()


def test_staff_may_not_speak_for_an_organisation_below_or_beside_their_grant(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    for org in (forum_world.branch_a1, forum_world.county):
        response = official(client_for(forum_world.staff_a), thread, org)
        assert response.status_code == 403


def test_out_of_scope_staff_may_still_reply_in_their_own_name(forum_world):
    thread = ff.thread(forum_world.member_a.user)
    response = client_for(forum_world.staff_b).post(
        f"/api/forum/threads/{thread.pk}/posts/", {"body": "陵前镇这边也有类似情况"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["is_official"] is False and response.json()["author_name"] == "staff_b"
    thread.refresh_from_db()
    assert not thread.is_answered


def test_the_first_official_reply_time_is_recorded_once(forum_world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        thread = ff.thread(forum_world.member_a.user)
    with time_machine.travel(start + timedelta(hours=5), tick=False):
        services.post_create(
            user=forum_world.staff_a,
            thread=thread,
            body="第一次答复",
            organization=forum_world.committee_a,
        )
    with time_machine.travel(start + timedelta(hours=9), tick=False):
        services.post_create(
            user=forum_world.county_staff,
            thread=thread,
            body="县里补充答复",
            organization=forum_world.county,
        )
    thread.refresh_from_db()
    assert thread.first_official_reply_seconds == 5 * 3600
    assert thread.first_official_reply_at == start + timedelta(hours=5)


def test_a_staff_comment_on_a_thought_report_notifies_the_author(forum_world):
    thread = ff.thread(
        forum_world.member_a.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.THOUGHT_REPORT,
        title="第四季度思想汇报",
    )
    response = client_for(forum_world.staff_a).post(
        f"/api/forum/threads/{thread.pk}/posts/",
        {"body": "认识深刻，望继续发挥作用。"},
        format="json",
    )
    assert response.status_code == 201 and response.json()["is_official"] is True
    notice = Notice.objects.get(kind=Notice.Kind.REFLECTION_COMMENT)
    assert notice.title == "城关街道党工委点评了您的思想汇报：第四季度思想汇报"
    thread.refresh_from_db()
    assert thread.staff_read_at is not None and thread.staff_read_by == forum_world.staff_a


def test_staff_mark_reflections_read_only_in_scope(forum_world):
    thread = ff.thread(
        forum_world.member_a.user, board=Board.REFLECTIONS, kind=Thread.Kind.STUDY_SUMMARY
    )
    assert (
        client_for(forum_world.staff_b)
        .post(f"/api/forum/threads/{thread.pk}/staff-read/")
        .status_code
        == 404
    )
    assert (
        client_for(forum_world.member_a.user)
        .post(f"/api/forum/threads/{thread.pk}/staff-read/")
        .status_code
        == 403
    )
    response = client_for(forum_world.staff_a).post(f"/api/forum/threads/{thread.pk}/staff-read/")
    assert response.status_code == 200 and response.json()["staff_read_at"]
    assert not selectors.reflections_to_read(user=forum_world.staff_a).results


def test_the_queue_lists_unanswered_requests_in_scope_oldest_first_with_their_age(forum_world):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=3), tick=False):
        old = ff.thread(forum_world.member_a.user, title="三天前的诉求标题")
    with time_machine.travel(now - timedelta(hours=2), tick=False):
        new = ff.thread(
            forum_world.member_a3.user, kind=Thread.Kind.SUGGESTION, title="两小时前的建议"
        )
        ff.thread(forum_world.member_a3.user, kind=Thread.Kind.MESSAGE, title="留言不进队列")
        elsewhere = ff.thread(forum_world.member_b.user, title="陵前镇的诉求标题")
    answered = ff.thread(forum_world.member_a.user, title="已经答复的诉求")
    services.post_create(
        user=forum_world.staff_a, thread=answered, body="已办", organization=forum_world.committee_a
    )
    response = client_for(forum_world.staff_a).get("/api/forum/queue/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [old.pk, new.pk]
    assert rows[0]["age_seconds"] >= 3 * 86400 - 5
    county_rows = client_for(forum_world.county_staff).get("/api/forum/queue/").json()["results"]
    assert [row["id"] for row in county_rows] == [old.pk, new.pk, elsewhere.pk]
    only_suggestions = client_for(forum_world.staff_a).get("/api/forum/queue/?kind=suggestion")
    assert [row["id"] for row in only_suggestions.json()["results"]] == [new.pk]
    assert client_for(forum_world.member_a.user).get("/api/forum/queue/").status_code == 403


def test_reply_time_figures_for_the_scope(forum_world):
    start = timezone.now() - timedelta(days=10)
    delays = [1, 2, 9]  # hours
    for index, hours in enumerate(delays):
        with time_machine.travel(start + timedelta(days=index), tick=False):
            thread = ff.thread(forum_world.member_a.user, title=f"诉求标题第{index}号")
        with time_machine.travel(start + timedelta(days=index, hours=hours), tick=False):
            services.post_create(
                user=forum_world.staff_a,
                thread=thread,
                body="答复",
                organization=forum_world.committee_a,
            )
    ff.thread(forum_world.member_a3.user, title="还在等待的诉求")
    elsewhere = ff.thread(forum_world.member_b.user, title="陵前镇很快答复的诉求")
    services.post_create(
        user=forum_world.staff_b,
        thread=elsewhere,
        body="答复",
        organization=forum_world.committee_b,
    )
    stats = client_for(forum_world.staff_a).get("/api/forum/stats/").json()
    assert stats == {
        "days": 90,
        "answered": 3,
        "average_seconds": 4 * 3600,
        "median_seconds": 2 * 3600,
        "unanswered": 1,
    }
    county = selectors.official_reply_stats(user=forum_world.county_staff)
    assert county["answered"] == 4 and county["unanswered"] == 1

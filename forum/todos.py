"""The forum's to-dos: on the staff 工作台, requests and suggestions without an official reply
and open abuse reports; in a member's 我的待办, official replies to their threads they have
not seen yet."""

from django.db.models import Count, F, Min, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from sanyuan.todos import ATTENTION, URGENT, capped_count, oldest

from .models import Board, Post, PostReport, Thread, ThreadRead
from .permissions import filter_reports_visible_to, filter_thread_scope, is_staff


def staff_todos(user) -> list[dict]:
    if not is_staff(user):
        return []
    waiting = filter_thread_scope(
        user,
        Thread.objects.filter(
            board=Board.FORUM,
            kind__in=Thread.ANSWERABLE_KINDS,
            first_official_reply_at__isnull=True,
            is_hidden=False,
        ),
    )
    unanswered, capped = capped_count(waiting)
    open_reports = filter_reports_visible_to(user).filter(status=PostReport.Status.OPEN)
    reports, reports_capped = capped_count(open_reports)
    return [
        {
            "label": "未答复的诉求和建议",
            "count": unanswered,
            "capped": capped,
            "url": reverse("forum:staff-queue"),
            "priority": URGENT,
            "since": oldest(waiting, "created_at") if unanswered else None,
        },
        {
            "label": "待处理的举报",
            "count": reports,
            "capped": reports_capped,
            "url": reverse("forum:staff-reports"),
            "priority": ATTENTION,
            "since": oldest(open_reports, "created_at") if reports else None,
        },
    ]


def member_todos(user) -> list[dict]:
    """首页 → 我的待办: official replies (党组织回复, and staff comments on a reflection) in the
    member's own threads posted after the member last read the thread. The link opens the
    oldest such reply; once read, the next thread's comes up."""
    if not user.is_authenticated or is_staff(user):
        return []
    read_up_to = ThreadRead.objects.filter(user=user, thread=OuterRef("thread_id")).values(
        "last_read_post_id"
    )[:1]
    new = Post.objects.filter(
        thread__author=user,
        thread__is_hidden=False,
        organization__isnull=False,
        is_deleted=False,
        is_hidden=False,
    ).filter(id__gt=Coalesce(Subquery(read_up_to), Value(0)))
    found = new.aggregate(count=Count("id"), first=Min("id"))
    if not found["count"]:
        return []
    first = new.filter(pk=found["first"]).annotate(t=F("thread_id")).values_list("t", flat=True)
    url = f"{reverse('forum:thread', args=[first[0]])}?post={found['first']}#post-{found['first']}"
    return [{"label": "党组织的新回复", "count": found["count"], "url": url}]

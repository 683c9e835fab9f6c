"""The forum's to-dos on the staff 工作台: requests and suggestions without an official reply,
and open abuse reports."""

from django.urls import reverse

from sanyuan.todos import ATTENTION, URGENT, capped_count, oldest

from .models import Board, PostReport, Thread
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

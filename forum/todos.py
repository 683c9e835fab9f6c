"""The forum's to-dos on the staff 工作台: requests and suggestions without an official reply,
and open abuse reports."""

from django.urls import reverse

from sanyuan.todos import capped_count

from .models import Board, PostReport, Thread
from .permissions import filter_reports_visible_to, filter_thread_scope, is_staff


def staff_todos(user) -> list[dict]:
    if not is_staff(user):
        return []
    unanswered, capped = capped_count(
        filter_thread_scope(
            user,
            Thread.objects.filter(
                board=Board.FORUM,
                kind__in=Thread.ANSWERABLE_KINDS,
                first_official_reply_at__isnull=True,
                is_hidden=False,
            ),
        )
    )
    reports, reports_capped = capped_count(
        filter_reports_visible_to(user).filter(status=PostReport.Status.OPEN)
    )
    return [
        {
            "label": "未答复的诉求和建议",
            "count": unanswered,
            "capped": capped,
            "url": reverse("forum:staff-queue"),
        },
        {
            "label": "待处理的举报",
            "count": reports,
            "capped": reports_capped,
            "url": reverse("forum:staff-reports"),
        },
    ]

"""Figures the staff dashboard shows for the forum (members.selectors.stats collects them)."""

from .models import Board, Thread
from .permissions import filter_thread_scope


def staff_overview(user) -> list[dict]:
    unanswered = filter_thread_scope(
        user,
        Thread.objects.filter(
            board=Board.FORUM,
            kind__in=Thread.ANSWERABLE_KINDS,
            first_official_reply_at__isnull=True,
            is_hidden=False,
        ),
    ).count()
    return [
        {
            "key": "forum_requests_unanswered",
            "label": "未答复的诉求和建议",
            "value": unanswered,
            "url": "/staff/forum/",
        }
    ]

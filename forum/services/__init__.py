"""Writes in the forum. Posting (threads, replies, edits, read markers) and moderation
(pin, lock, hide, typical issues, reports) are separate modules; import from here."""

from .moderation import (
    THREAD_ACTIONS,
    post_moderate,
    post_report,
    report_resolve,
    thread_moderate,
)
from .posting import (
    post_create,
    post_delete,
    post_edit,
    reflection_mark_read,
    thread_create,
    thread_mark_read,
    thread_notices_read,
    thread_share_set,
)

__all__ = [
    "THREAD_ACTIONS",
    "post_create",
    "post_delete",
    "post_edit",
    "post_moderate",
    "post_report",
    "reflection_mark_read",
    "report_resolve",
    "thread_create",
    "thread_mark_read",
    "thread_moderate",
    "thread_notices_read",
    "thread_share_set",
]

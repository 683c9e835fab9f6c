"""Moderation by staff in scope (pin, lock, hide, typical issues) and reports by members.

Every action is audited (`members.services.audit.audit_record`) with its reason.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from members.services.audit import audit_record
from sanyuan import ratelimit
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions
from ..models import Board, Post, PostReport, Thread

# action → (field, value)
THREAD_ACTIONS = {
    "pin": ("is_pinned", True),
    "unpin": ("is_pinned", False),
    "lock": ("is_locked", True),
    "unlock": ("is_locked", False),
    "hide": ("is_hidden", True),
    "unhide": ("is_hidden", False),
    "typical": ("is_typical", True),
    "untypical": ("is_typical", False),
}
THREAD_ACTION_LABELS = {
    "pin": "置顶",
    "unpin": "取消置顶",
    "lock": "锁定",
    "unlock": "解除锁定",
    "hide": "隐藏",
    "unhide": "取消隐藏",
    "typical": "标为典型问题",
    "untypical": "取消典型问题",
}
POST_ACTIONS = {"hide": True, "unhide": False}
REASON_MAX = 200


def _reason(reason: str | None, *, required: bool) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise ServiceError("请填写原因。", field="reason")
    if len(reason) > REASON_MAX:
        raise ServiceError(f"原因不能超过{REASON_MAX}个字。", field="reason")
    return reason


def thread_moderate(*, user, thread: Thread, action: str, reason: str = "", ip=None) -> Thread:
    permissions.check_moderate_thread_permission(user, thread)
    if action not in THREAD_ACTIONS:
        raise ServiceError("操作无效。", field="action")
    reason = _reason(reason, required=action == "hide")
    field, value = THREAD_ACTIONS[action]
    if action in ("pin", "typical") and thread.board != Board.FORUM:
        raise ServiceError("只有党员论坛的主题可以置顶或标为典型问题。", field="action")
    if action == "typical" and not thread.is_answered:
        raise StateConflict("请先以党组织名义答复，再标为典型问题。")
    if getattr(thread, field) == value:
        raise StateConflict(f"该主题已经{THREAD_ACTION_LABELS[action]}。")
    changes = {field: value}
    if field == "is_hidden":
        changes["hidden_reason"] = reason if value else ""
    if field == "is_typical":
        changes["typical_at"] = timezone.now() if value else None
    with transaction.atomic():
        Thread.objects.filter(pk=thread.pk).update(**changes)
        audit_record(
            actor=user,
            action=f"forum.thread.{action}",
            target=thread,
            ip=ip,
            detail={"reason": reason, "title": thread.title},
        )
    for name, new in changes.items():
        setattr(thread, name, new)
    return thread


def post_moderate(*, user, post: Post, action: str, reason: str = "", ip=None) -> Post:
    permissions.check_moderate_thread_permission(user, post.thread)
    if action not in POST_ACTIONS:
        raise ServiceError("操作无效。", field="action")
    reason = _reason(reason, required=action == "hide")
    hidden = POST_ACTIONS[action]
    if post.is_hidden == hidden:
        raise StateConflict("该回复已经隐藏。" if hidden else "该回复没有被隐藏。")
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(
            is_hidden=hidden, hidden_reason=reason if hidden else ""
        )
        audit_record(
            actor=user,
            action=f"forum.post.{action}",
            target=post,
            ip=ip,
            detail={"reason": reason, "thread": post.thread_id},
        )
    post.is_hidden, post.hidden_reason = hidden, reason if hidden else ""
    return post


def post_report(*, user, post: Post, reason: str, note: str = "", ip=None) -> PostReport:
    """A member reports a post to the staff in the thread's scope."""
    permissions.check_view_post_permission(user, post)
    if not permissions.can_report_post(user, post):
        raise PermissionDenied("不能举报该内容。")
    if reason not in PostReport.Reason.values:
        raise ServiceError("请选择举报原因。", field="reason")
    note = " ".join((note or "").split())
    if reason == PostReport.Reason.OTHER and not note:
        raise ServiceError("选择“其他”时请说明原因。", field="note")
    if len(note) > 300:
        raise ServiceError("补充说明不能超过300个字。", field="note")
    if PostReport.objects.filter(post=post, reporter=user, status=PostReport.Status.OPEN).exists():
        raise StateConflict("您已举报过该内容，工作人员正在处理。")
    ratelimit.enforce(f"forum-report:{user.pk}", [(10, 3600)], message="举报太频繁了，请稍后再试。")
    try:
        with transaction.atomic():
            report = PostReport.objects.create(
                post=post, thread_id=post.thread_id, reporter=user, reason=reason, note=note
            )
            audit_record(
                actor=user,
                action="forum.post.report",
                target=post,
                ip=ip,
                detail={"reason": reason, "report": report.pk},
            )
    except IntegrityError as exc:  # a concurrent identical report
        raise StateConflict("您已举报过该内容，工作人员正在处理。") from exc
    return report


def report_resolve(
    *,
    user,
    report: PostReport,
    outcome: str,
    resolution: str = "",
    hide_post: bool = False,
    ip=None,
) -> PostReport:
    """Close a report (and every other open report of the same post) as resolved or
    dismissed; resolving may hide the post in the same step."""
    if not permissions.filter_reports_visible_to(user).filter(pk=report.pk).exists():
        raise Http404
    if outcome not in (PostReport.Status.RESOLVED, PostReport.Status.DISMISSED):
        raise ServiceError("请选择处理结果。", field="outcome")
    resolution = _reason(resolution, required=bool(hide_post))
    post = report.post
    now = timezone.now()
    with transaction.atomic():
        still_open = (
            PostReport.objects.select_for_update()
            .filter(pk=report.pk, status=PostReport.Status.OPEN)
            .exists()
        )
        if not still_open:
            raise StateConflict("该举报已经处理过了。")
        if hide_post and outcome == PostReport.Status.RESOLVED and not post.is_hidden:
            post_moderate(user=user, post=post, action="hide", reason=resolution, ip=ip)
        closed = PostReport.objects.filter(post=post, status=PostReport.Status.OPEN).update(
            status=outcome, handled_by=user, handled_at=now, resolution=resolution
        )
        audit_record(
            actor=user,
            action=f"forum.report.{outcome}",
            target=report,
            ip=ip,
            detail={"post": post.pk, "reports_closed": closed, "resolution": resolution},
        )
    report.refresh_from_db()
    return report

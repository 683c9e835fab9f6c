"""Reads of change requests, contact logs and archive history, scoped."""

from itertools import pairwise

from django.db.models import QuerySet
from django.http import Http404

from members import permissions
from members.archive_fields import (
    DESTINATION_FIELDS,
    HOME_STAFF,
    LABELS,
    display_value,
    field_label,
    visible_fields,
)
from members.models import ChangeRequest, ContactLog, Member


def change_request_queue(*, user, status: str = "pending") -> QuerySet:
    """Requests of members in the staff user's scope, oldest first."""
    qs = permissions.filter_change_requests_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member__organization").order_by("created_at", "id")


def change_request_get_for_staff(*, user, pk) -> ChangeRequest:
    request = (
        change_request_queue(user=user, status="")
        .filter(pk=pk)
        .prefetch_related("evidence")
        .first()
    )
    if request is None:
        raise Http404
    return request


def change_request_list_for_member(*, member: Member) -> QuerySet:
    return (
        ChangeRequest.objects.filter(member=member)
        .prefetch_related("evidence")
        .order_by("-created_at", "-id")
    )


def change_request_get_for_member(*, member: Member, pk) -> ChangeRequest:
    request = change_request_list_for_member(member=member).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def change_request_diff(request: ChangeRequest, member: Member | None = None) -> list[dict]:
    """Field by field: the value when asked, the value now, the value asked for."""
    member = member or request.member
    rows = []
    for field, change in request.changes.items():
        now = member.skills.all() if field == "skills" else getattr(member, field, None)
        rows.append(
            {
                "field": field,
                "label": LABELS.get(field, field),
                "old": display_value(field, change["old"]),
                "now": display_value(field, list(now) if field == "skills" else now),
                "new": display_value(field, change["new"]),
                "changed_since": field != "skills"
                and field not in DESTINATION_FIELDS
                and change["old"] != (now.isoformat() if hasattr(now, "isoformat") else now),
            }
        )
    return rows


def contact_log_list(*, user, member: Member) -> QuerySet:
    if not permissions.can_liaise_member(user, member):
        raise Http404
    return (
        ContactLog.objects.filter(member=member)
        .filter(permissions.contact_logs_q(user))
        .select_related("staff", "staff__member", "organization")
    )


def _history_field_filter(viewer: str | None):
    """Which changed fields a viewer reads in the history: the archive's fields the field
    policy shows them; home staff also the bookkeeping (account link, activation, engagement
    dates), which has no label and means nothing to others. Never the ID number."""
    visible = visible_fields(viewer)
    bookkeeping = viewer in HOME_STAFF

    def keep(field: str) -> bool:
        if field in ("id_number", "id_number_hash"):
            return False
        if field in LABELS:
            return field in visible
        return bookkeeping

    return keep


def member_history(*, member: Member, viewer: str | None, limit: int = 50) -> list[dict]:
    """The archive's changes, newest first: who, when, which field from what to what, as
    the field policy lets `viewer` (members.permissions.archive_viewer) read them."""
    records = list(
        member.history.select_related("history_user").order_by("-history_id")[: limit + 1]
    )
    entries = []
    keep = _history_field_filter(viewer)
    for newer, older in pairwise(records):
        delta = newer.diff_against(older)
        changes = [
            {
                "field": change.field,
                "label": field_label(change.field),
                "old": display_value(change.field, _history_value(change.field, change.old)),
                "new": display_value(change.field, _history_value(change.field, change.new)),
            }
            for change in delta.changes
            if keep(change.field)
        ]
        if changes:
            entries.append(
                {
                    "at": newer.history_date,
                    "by": _who(newer.history_user, member),
                    "changes": changes,
                }
            )
    if len(records) <= limit and records:
        entries.append(
            {
                "at": records[-1].history_date,
                "by": _who(records[-1].history_user, member),
                "changes": [],
                "created": True,
            }
        )
    return entries


def _history_value(field, value):
    if field == "skills":
        from members.models import Skill

        ids = [row["skill"] for row in value] if value else []
        return list(Skill.objects.filter(pk__in=ids))
    return value


def _who(user, member: Member) -> str:
    if user is None:
        return "系统"
    if member.user_id and user.pk == member.user_id:
        return "本人"
    return "工作人员"

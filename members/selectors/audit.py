"""Reading the audit log: the county tier only, newest first, keyset pages by id."""

import ipaddress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from members import permissions
from members.models import AuditEvent, User


def _day(raw) -> date | None:
    try:
        return date.fromisoformat(str(raw or "").strip()[:10]) if raw else None
    except ValueError:
        return None


def audit_event_list(
    *,
    user,
    action: str = "",
    actor: str = "",
    target_type: str = "",
    target_id: str = "",
    ip: str = "",
    day_from: str = "",
    day_to: str = "",
) -> QuerySet:
    """Events matching every filter given (exact values; no wildcards). 404 below the
    county tier. Invalid filters match nothing rather than everything."""
    if not permissions.can_read_audit_log(user):
        raise Http404
    qs = AuditEvent.objects.select_related("actor", "actor__member").order_by("-id")
    if action.strip():
        qs = qs.filter(action=action.strip())
    if actor.strip():
        qs = qs.filter(actor__username=actor.strip())
    if target_type.strip():
        qs = qs.filter(target_type=target_type.strip())
    if target_id.strip():
        qs = qs.filter(target_id=target_id.strip()[:40])
    if ip.strip():
        try:
            qs = qs.filter(ip_address=str(ipaddress.ip_address(ip.strip())))
        except ValueError:
            return qs.none()
    tz = timezone.get_current_timezone()
    start, end = _day(day_from), _day(day_to)
    if start:
        qs = qs.filter(created_at__gte=datetime.combine(start, time.min, tzinfo=tz))
    if end:
        qs = qs.filter(
            created_at__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
        )
    return qs


def audit_actions() -> list[str]:
    """The action codes seen so far (the index on `action` makes this cheap)."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def audit_target_types() -> list[str]:
    """The object types seen so far (`members.member` …)."""
    return list(
        AuditEvent.objects.exclude(target_type="")
        .order_by("target_type")
        .values_list("target_type", flat=True)
        .distinct()
    )


@dataclass
class AuditRow:
    """One event as the audit page shows it: labels, the actor's and the object's names."""

    event: AuditEvent
    actor: str
    target: str

    @property
    def action(self) -> str:
        return self.event.action_label

    @property
    def detail(self) -> str:
        return self.event.detail_text


def _target_names(events) -> dict[tuple[str, str], str]:
    """(type, id) → the object's name, one query per object type on the page."""
    from django.apps import apps

    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.target_type and str(event.target_id).isdigit():
            wanted.setdefault(event.target_type, set()).add(int(event.target_id))
    names = {}
    for label, ids in wanted.items():
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        qs = model._default_manager.filter(pk__in=ids)
        if model is User:
            qs = qs.select_related("member")
        for obj in qs:
            name = obj.display_name if model is User else str(obj)
            names[(label, str(obj.pk))] = name
    return names


def audit_rows(events) -> list[AuditRow]:
    events = list(events)
    names = _target_names(events)
    rows = []
    for event in events:
        target = ""
        if event.target_type:
            name = names.get((event.target_type, event.target_id), f"#{event.target_id}")
            target = f"{event.target_type_label} {name}"
        actor = event.actor.display_name if event.actor is not None else "—"
        rows.append(AuditRow(event=event, actor=actor, target=target))
    return rows

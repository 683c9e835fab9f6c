"""Reading the audit log: the county tier only, newest first, keyset pages by id."""

import ipaddress
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from members import permissions
from members.models import AuditEvent


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
    qs = AuditEvent.objects.select_related("actor").order_by("-id")
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

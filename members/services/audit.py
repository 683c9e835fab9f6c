"""The audit log: append-only (on PostgreSQL a trigger refuses UPDATE and DELETE, except the
retention purge below), never decrypted personal data (field names and masked values only),
kept AUDIT_RETENTION_DAYS (at least 180) and read by the county tier."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from members.models import AuditEvent

# Defence in depth: whatever a caller passes, a resident ID number or a mobile number inside a
# string of `detail` is stored masked.
_ID_NUMBER = re.compile(r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9])")
_PHONE = re.compile(r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])")
MIN_RETENTION_DAYS = 180


def _mask(value):
    if isinstance(value, str):
        value = _ID_NUMBER.sub(lambda m: m.group(1) + "*" * 8 + m.group(2)[-4:], value)
        return _PHONE.sub(lambda m: m.group(1) + "****" + m.group(2), value)
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item) for item in value]
    return value


def audit_record(
    *,
    actor,
    action: str,
    target=None,
    ip: str | None = None,
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit event. `detail` must never hold decrypted personal data."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        ip_address=ip or None,
        detail=_mask(detail or {}),
    )


def audit_purge(*, now=None) -> int:
    """Delete events older than AUDIT_RETENTION_DAYS (never younger than 180 days). On
    PostgreSQL the append-only trigger lets these deletes through only inside this purge
    (a transaction-local flag) and only for rows past the minimum retention."""
    days = max(MIN_RETENTION_DAYS, int(settings.AUDIT_RETENTION_DAYS))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL sanyuan.audit_purge = 'on'")
        deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted

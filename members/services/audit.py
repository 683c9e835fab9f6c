from members.models import AuditEvent


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
        detail=detail or {},
    )

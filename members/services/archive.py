"""Keeping the electronic archive: staff create and edit archives inside their scope; every
change goes through here so that rules, scope and history hold for admin, API and pages."""

from datetime import datetime, time

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members import choices, permissions
from members.archive_fields import STAFF_FIELDS, clean_archive_values
from members.identity import normalize_id_number, normalize_name, normalize_phone
from members.models import Member, Organization
from members.services import duplicates
from members.services.audit import audit_record
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError
from sanyuan.inputs import parse_int

DUPLICATE_ID_NUMBER = "该身份证号码已有档案，请勿重复建档。"
_MISSING = object()


def _organization_in_scope(actor, organization: Organization | None) -> Organization:
    if organization is None:
        raise ServiceError("请选择流出地党组织。", field="organization")
    if not permissions.can_create_member_in(actor, organization):
        raise ServiceError("所选党组织不存在或不在您的管理范围内。", field="organization")
    return organization


def _host_organization(value) -> Organization | None:
    if value in (None, ""):
        return None
    if not isinstance(value, Organization):
        value = (
            Organization.objects.filter(pk=value).first() if parse_int(value) is not None else None
        )
    if value is None or value.kind != Organization.Kind.HOST:
        raise ServiceError("流入地党组织无效。", field="host_organization")
    return value


def apply_archive_values(member: Member, values: dict) -> list[str]:
    """Set parsed values on `member` (not saved); returns the changed concrete fields.
    Skills are returned as the pseudo-field "skills" and set by `save_archive`."""
    changed = []
    for field, value in values.items():
        if field == "skills":
            changed.append("skills")
        elif field == "honours":
            for flag, honour in (
                ("is_vanguard", "vanguard"),
                ("is_giving_back_pacesetter", "giving_back_pacesetter"),
            ):
                if getattr(member, flag) != (honour in value):
                    setattr(member, flag, honour in value)
                    changed.append(flag)
        elif getattr(member, field) != value:
            setattr(member, field, value)
            changed.append(field)
    return changed


def save_archive(member: Member, changed: list[str], values: dict, *, actor) -> None:
    """Save the changed fields with history attributed to `actor`. Caller holds a transaction."""
    member._history_user = actor if actor is not None and actor.is_authenticated else None
    fields = [field for field in changed if field != "skills"]
    if "phone" in fields and member.phone_invalid_at is not None:
        member.phone_invalid_at = None  # a new number: no longer 号码待核实
        fields.append("phone_invalid_at")
    if fields:
        member.save(update_fields=[*fields, "updated_at"])
    if "skills" in changed:
        member.skills.set(values["skills"])
    if changed:
        # Field names only: the values stay in the (encrypted) history.
        audit_record(actor=actor, action="member.change", target=member, detail={"fields": changed})


def member_create(
    *, actor, name: str, id_number: str, phone: str, organization: Organization | None, **extra
) -> Member:
    """Staff create the archive of a newly departed member (新流出党员建档)."""
    errors = {}
    cleaned = {}
    for field, func, value in (
        ("name", normalize_name, name),
        ("id_number", normalize_id_number, id_number),
        ("phone", normalize_phone, phone),
    ):
        try:
            cleaned[field] = func(value)
        except ServiceError as exc:
            errors[field] = [exc.message]
    if errors:
        from sanyuan.errors import FieldErrors

        raise FieldErrors(errors)
    organization = _organization_in_scope(actor, organization)
    host = _host_organization(extra.pop("host_organization", None))
    duplicates.duplicate_allowance(actor)
    existing = (
        Member.objects.select_related("organization")
        .filter(id_number_hash=keyed_hash(cleaned["id_number"], purpose="id_number"))
        .first()
    )
    if existing is not None:
        message = duplicates.duplicate_message(actor=actor, member=existing, source="create")
        raise ServiceError(message, field="id_number")
    member = Member(
        name=cleaned["name"],
        phone=cleaned["phone"],
        organization=organization,
        host_organization=host,
    )
    member.set_id_number(cleaned["id_number"])
    values = clean_archive_values(
        extra, allowed=STAFF_FIELDS, birth_date=member.birth_date, current=member
    )
    apply_archive_values(member, values)
    member._history_user = actor
    try:
        with transaction.atomic():
            member.save()
            if values.get("skills"):
                member.skills.set(values["skills"])
            audit_record(
                actor=actor,
                action="member.create",
                target=member,
                detail={"fields": sorted({"name", "id_number", "phone", "organization", *values})},
            )
    except IntegrityError as exc:  # a concurrent create of the same ID number
        raise ServiceError(DUPLICATE_ID_NUMBER, field="id_number") from exc
    return member


def member_update(*, actor, member: Member, **changes) -> Member:
    """Staff edit archive fields. Only the keys given are changed."""
    permissions.check_manage_member_permission(actor, member)
    organization = changes.pop("organization", _MISSING)
    host = changes.pop("host_organization", _MISSING)
    values = clean_archive_values(
        changes, allowed=STAFF_FIELDS, birth_date=member.birth_date, current=member
    )
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        changed = apply_archive_values(locked, values)
        if organization is not _MISSING and organization != locked.organization:
            locked.organization = _organization_in_scope(actor, organization)
            changed.append("organization")
        if host is not _MISSING:
            host = _host_organization(host)
            if host != locked.host_organization:
                locked.host_organization = host
                changed.append("host_organization")
        save_archive(locked, changed, values, actor=actor)
        if "status" in changed and locked.status != "away":
            from members.services.hosting import hosting_close

            hosting_close(
                member_id=locked.pk,
                reason=f"流动状态改为{locked.get_status_display()}",
                actor=actor,
            )
    member.refresh_from_db()
    return member


def member_hometown_flags_set(
    *, actor, member: Member, support_group: bool | None = None, pacesetter: bool | None = None
) -> None:
    """The `hometown` app keeps the archive's 后援团 flag with the member's own membership
    (joining and leaving from the phone) and the 回馈标兵 honour with the county's naming;
    the caller checked the permission. History and audit record who."""
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        changed = []
        for field, value in (
            ("support_group", support_group),
            ("is_giving_back_pacesetter", pacesetter),
        ):
            if value is not None and getattr(locked, field) != value:
                setattr(locked, field, value)
                changed.append(field)
        save_archive(locked, changed, {}, actor=actor)


TRANSFER_TARGET_KINDS = (
    Organization.Kind.COMMITTEE,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.BRANCH,
)


def member_transfer_apply(
    *,
    actor,
    member: Member,
    reason: str,
    organization: Organization | None = None,
    status: str | None = None,
) -> Member:
    """An organisational relationship transfer (the `transfers` app) moves the archive: to
    another organisation (`organization`), into or out of a transfer status (`status`), or
    both. The archive history records the change with `reason`, the audit log as
    `member.transfer`. The transfers app decided the step and checked it; here the actor
    must be staff of the sending side or (for a move) of the receiving side, else 404.
    A member transferred out leaves their host organisation and temporary branches."""
    if not permissions.can_apply_transfer(actor, member, organization):
        from django.http import Http404

        raise Http404
    if organization is not None and organization.kind not in TRANSFER_TARGET_KINDS:
        raise ServiceError("组织关系只能转到党支部、党总支或党（工）委。", field="organization")
    if status is not None and status not in choices.MemberStatus.values:
        raise ServiceError("流动状态无效。", field="status")
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        changed = []
        if organization is not None and organization.pk != locked.organization_id:
            locked.organization = organization
            changed.append("organization")
        if status is not None and status != locked.status:
            locked.status = status
            changed.append("status")
        if not changed:
            return locked
        locked._history_user = actor
        locked._change_reason = (reason or "组织关系转接")[:100]
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="member.transfer",
            target=locked,
            detail={"fields": changed, "reason": locked._change_reason},
        )
        if locked.status == choices.MemberStatus.TRANSFERRED_OUT and "status" in changed:
            _leave_after_transfer(locked, actor=actor)
    member.refresh_from_db()
    return member


def _leave_after_transfer(member: Member, *, actor) -> None:
    """Caller holds the member's row lock."""
    from members.models import TemporaryBranchMembership
    from members.services.hosting import hosting_close

    hosting_close(member_id=member.pk, reason="组织关系已转出", actor=actor)
    TemporaryBranchMembership.objects.filter(member_id=member.pk, left_at__isnull=True).update(
        left_at=timezone.now()
    )


def member_contact_update(*, member: Member, phone: str) -> Member:
    """The member keeps their own phone number current (PATCH /api/me/)."""
    phone = normalize_phone(phone)
    if phone != member.phone:
        member.phone = phone
        member._history_user = member.user
        member.save(update_fields=["phone", "updated_at"])
        audit_record(
            actor=member.user, action="member.change", target=member, detail={"fields": ["phone"]}
        )
    return member


def member_record_view(*, actor, member: Member, ip: str | None) -> None:
    """A staff read of a full archive is logged (who, when, which archive, from where)."""
    if permissions.is_staff(actor):
        audit_record(actor=actor, action="member.view", target=member, ip=ip)


def member_reveal_id_number(*, actor, member: Member, ip: str | None) -> str:
    """The one explicit, logged action that shows a full ID number."""
    permissions.check_manage_member_permission(actor, member)
    audit_record(
        actor=actor,
        action="member.reveal_id_number",
        target=member,
        ip=ip,
        detail={"id_number": member.id_number_masked},
    )
    return member.id_number


def member_engagement_touch(
    *, member_id: int, studied_at=None, attended_at=None, posted_at=None
) -> None:
    """Record that a member studied, took part in an activity or posted (one UPDATE; only
    ever moves the dates forward). Called by learning, activities and forum."""
    for field, when in (
        ("last_studied_at", studied_at),
        ("last_attended_at", attended_at),
        ("last_posted_at", posted_at),
    ):
        if when is not None:
            Member.objects.filter(
                Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": when}), pk=member_id
            ).update(**{field: when})


def contacted_at(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12, 0)))

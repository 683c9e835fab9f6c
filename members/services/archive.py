"""Keeping the electronic archive: staff create and edit archives inside their scope."""

from django.db import IntegrityError, transaction

from members import permissions
from members.identity import normalize_id_number, normalize_name, normalize_phone
from members.models import Member, Organization
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError

DUPLICATE_ID_NUMBER = "该身份证号码已有档案，请勿重复建档。"


def _organization_in_scope(actor, organization: Organization | None) -> Organization:
    if organization is None:
        raise ServiceError("请选择流出地党组织。", field="organization")
    if not permissions.in_scope(actor, organization):
        raise ServiceError("所选党组织不存在或不在您的管理范围内。", field="organization")
    return organization


def member_create(
    *, actor, name: str, id_number: str, phone: str, organization: Organization | None
) -> Member:
    """Staff create the archive of a newly departed member (新流出党员建档)."""
    name = normalize_name(name)
    id_number = normalize_id_number(id_number)
    phone = normalize_phone(phone)
    organization = _organization_in_scope(actor, organization)
    if Member.objects.filter(id_number_hash=keyed_hash(id_number, purpose="id_number")).exists():
        raise ServiceError(DUPLICATE_ID_NUMBER, field="id_number")
    member = Member(name=name, phone=phone, organization=organization)
    member.set_id_number(id_number)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:  # a concurrent create of the same ID number
        raise ServiceError(DUPLICATE_ID_NUMBER, field="id_number") from exc
    return member


def member_update(*, actor, member: Member, **changes) -> Member:
    """Staff edit archive fields. Only the keys given are changed."""
    permissions.check_manage_member_permission(actor, member)
    fields = []
    if "name" in changes:
        member.name = normalize_name(changes["name"])
        fields.append("name")
    if "phone" in changes:
        member.phone = normalize_phone(changes["phone"])
        fields.append("phone")
    if "organization" in changes:
        member.organization = _organization_in_scope(actor, changes["organization"])
        fields.append("organization")
    if fields:
        member.save(update_fields=[*fields, "updated_at"])
    return member


def member_contact_update(*, member: Member, phone: str) -> Member:
    """The member keeps their own phone number current (PATCH /api/me/)."""
    member.phone = normalize_phone(phone)
    member.save(update_fields=["phone", "updated_at"])
    return member


def member_engagement_touch(
    *, member_id: int, studied_at=None, attended_at=None, posted_at=None
) -> None:
    """Record that a member studied, took part in an activity or posted (one UPDATE; only
    ever moves the dates forward). Called by learning, activities and forum."""
    from django.db.models import Q

    for field, when in (
        ("last_studied_at", studied_at),
        ("last_attended_at", attended_at),
        ("last_posted_at", posted_at),
    ):
        if when is not None:
            Member.objects.filter(
                Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": when}), pk=member_id
            ).update(**{field: when})

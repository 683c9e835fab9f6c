"""Into the county: staff register a member who arrives with an introduction letter from
elsewhere. The archive is created as any new one (members.services.archive.member_create;
the member activates it as every member does) — or, for a member who once transferred out
of the county, the old archive comes back. The incoming letter's details are kept, and the
回执 can be printed to send back."""

from datetime import timedelta
from types import SimpleNamespace

from django.db import IntegrityError, transaction
from django.utils import timezone

from members import choices
from members.identity import normalize_id_number
from members.models import Member, Organization
from members.services.archive import member_create, member_transfer_apply, member_update
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions, selectors
from ..models import IntroductionLetter, Transfer
from .common import (
    check_number_unused,
    clean_date,
    clean_letter_number,
    clean_month,
    clean_organization_name,
    clean_text,
    clean_validity,
    record_step,
)

S = Transfer.Status


def _destination(actor, organization) -> Organization:
    if not isinstance(organization, Organization) or not permissions.can_register_incoming(
        actor, organization
    ):
        raise ServiceError("所选党组织不存在或不在您的管理范围内。", field="organization")
    if organization.kind not in permissions.DESTINATION_KINDS or organization.dissolved_at:
        raise ServiceError("组织关系应转入党支部。", field="organization")
    return organization


def _letter_input(*, number, from_name, issued_on, validity_days, to_name) -> dict:
    """The incoming letter's details, checked: 400 for each problem."""
    number = clean_letter_number(number)
    from_name = clean_organization_name(from_name, field="from_name", label="转出组织")
    if from_name == to_name:
        raise ServiceError("转出组织与接收组织相同。", field="from_name")
    issued = clean_date(issued_on, field="letter_issued_on", label="介绍信开具日期")
    today = timezone.localdate()
    if issued > today:
        raise ServiceError("介绍信开具日期不能晚于今天。", field="letter_issued_on")
    days = clean_validity(validity_days)
    expires = issued + timedelta(days=days)
    if expires < today:
        raise ServiceError(
            f"介绍信已超过有效期（至{expires:%Y年%-m月%-d日}），请转出地党组织重新开具。",
            field="letter_issued_on",
        )
    return {
        "number": number,
        "from_name": from_name,
        "issued_on": issued,
        "validity_days": days,
        "expires_on": expires,
    }


def _standing(value) -> str:
    text = str(value or "").strip()
    for wire, label in choices.PartyStanding.choices:
        if text in (wire, label, label[:2]):
            return wire
    raise ServiceError("请按介绍信选择正式党员或预备党员。", field="party_standing")


def _archive(*, actor, organization, name, id_number, phone, standing, archive: dict) -> Member:
    """A new archive, or the one of a member who once transferred out (409 for any other)."""
    normalized = normalize_id_number(id_number)
    existing = Member.objects.filter(
        id_number_hash=keyed_hash(normalized, purpose="id_number")
    ).first()
    if existing is None:
        return member_create(
            actor=actor,
            name=name,
            id_number=normalized,
            phone=phone,
            organization=organization,
            party_standing=standing,
            **archive,
        )
    if existing.status != choices.MemberStatus.TRANSFERRED_OUT:
        raise StateConflict(
            "该身份证号码已在本县建档，不能登记转入；县内转接请联系其所在党组织办理。",
            code="member_exists",
        )
    status = archive.get("status") or choices.MemberStatus.AWAY
    if status not in (choices.MemberStatus.AWAY, choices.MemberStatus.RETURNED):
        raise ServiceError("流动状态应为外出流动或已返乡。", field="status")
    member_transfer_apply(
        actor=actor,
        member=existing,
        organization=organization,
        status=status,
        reason="县外转入（原已转出的档案恢复）",
    )
    return member_update(actor=actor, member=existing, party_standing=standing, phone=phone)


def incoming_register(
    *,
    actor,
    organization,
    name: str,
    id_number: str,
    phone: str,
    party_standing: str,
    letter_number: str,
    from_name: str,
    letter_issued_on,
    dues_paid_until,
    validity_days=None,
    reason: str = "",
    **archive,
) -> Transfer:
    """Register a member arriving with the letter `letter_number` from `from_name` into the
    branch `organization`. 400 for bad input, 409 for a letter number already used or an
    archive already in the county."""
    organization = _destination(actor, organization)
    to_name = selectors.full_name(organization)
    letter = _letter_input(
        number=letter_number,
        from_name=from_name,
        issued_on=letter_issued_on,
        validity_days=validity_days,
        to_name=to_name,
    )
    standing = _standing(party_standing)
    reason = clean_text(reason, field="reason", label="备注", max_length=500, required=False)
    joined = clean_date(
        archive.get("joined_party_on"), field="joined_party_on", label="入党时间", required=False
    )
    dues_month = clean_month(dues_paid_until, member=SimpleNamespace(joined_party_on=joined))
    try:
        with transaction.atomic():
            check_number_unused(letter["number"])
            member = _archive(
                actor=actor,
                organization=organization,
                name=name,
                id_number=id_number,
                phone=phone,
                standing=standing,
                archive=archive,
            )
            transfer = Transfer.objects.create(
                kind=Transfer.Kind.INCOMING,
                status=S.REGISTERED,
                member=member,
                to_organization=organization,
                from_name=letter["from_name"],
                to_name=to_name,
                reason=reason or "县外转入",
                requested_by=actor,
            )
            IntroductionLetter.objects.create(
                transfer=transfer,
                dues_paid_until=dues_month,
                to_name=to_name,
                receipt_to_name=letter["from_name"],
                issued_by=actor,
                **letter,
            )
            record_step(
                transfer,
                action="register",
                actor=actor,
                note=f"第{letter['number']}号介绍信，由{letter['from_name']}转入",
                detail={"number": letter["number"]},
            )
    except IntegrityError as exc:  # the same letter registered concurrently
        raise StateConflict(
            f"介绍信编号“{letter['number']}”已经登记过。", code="number_used"
        ) from exc
    return transfer

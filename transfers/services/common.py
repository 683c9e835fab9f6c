"""What every transfer step shares: the row lock, the step record (event + audit), notices,
and the cleaning of what staff and members type."""

import re
import unicodedata
from datetime import date, timedelta

from django.utils import timezone

from members.archive_fields import parse_date
from members.models import Member, Notice, Organization
from members.permissions import nearest_staffed_organization
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import ServiceError, StateConflict

from ..models import IntroductionLetter, Transfer, TransferEvent

S = Transfer.Status


def locked(transfer: Transfer) -> Transfer:
    """The transfer's row, locked until the caller's transaction ends."""
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("member", "from_organization", "to_organization")
        .get(pk=transfer.pk)
    )


def locked_member(member: Member) -> Member:
    """The member's row, locked: two first steps for one member run one after the other."""
    return (
        Member.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=member.pk)
    )


def check_movable(member: Member) -> None:
    """409 when the member's relationship is moving or has moved already."""
    if member.status == "transferred_out":
        raise StateConflict("该党员的组织关系已转出，不能再办理转接。", code="transferred_out")
    if Transfer.objects.filter(member_id=member.pk, status__in=Transfer.OPEN_STATUSES).exists():
        raise StateConflict(
            "该党员已有正在办理的组织关系转接，请先办结或撤回。", code="transfer_open"
        )
    if member.status not in ("away", "returned"):
        raise StateConflict("该党员正在转出，不能再办理转接。", code="transferring_out")


def record_step(
    transfer: Transfer,
    *,
    action: str,
    actor,
    from_status: str = "",
    note: str = "",
    ip: str | None = None,
    detail: dict | None = None,
    audit_action: str | None = None,
) -> TransferEvent:
    """One step: the transfer's own log and the audit log (`transfer.<action>` unless
    `audit_action` names it)."""
    event = TransferEvent.objects.create(
        transfer=transfer,
        action=action,
        from_status=from_status,
        to_status=transfer.status,
        actor=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )
    audit_record(
        actor=actor,
        action=audit_action or f"transfer.{action}",
        target=transfer,
        ip=ip,
        detail={
            "member": transfer.member_id,
            "from": from_status,
            "to": transfer.status,
            **(detail or {}),
        },
    )
    return event


def move(transfer: Transfer, *, to: str, fields: tuple[str, ...] = ()) -> str:
    """Set the new state and save; returns the old one. Caller holds the row lock."""
    before = transfer.status
    transfer.status = to
    transfer.save(update_fields=["status", *fields, "updated_at"])
    return before


def void_letters(transfer: Transfer, *, reason: str) -> int:
    return IntroductionLetter.objects.filter(transfer=transfer, voided_at=None).update(
        voided_at=timezone.now(), void_reason=reason[:100]
    )


# Notices ---------------------------------------------------------------------------------


def member_link(transfer: Transfer) -> str:
    return f"/me/transfers/{transfer.pk}/"


def staff_link(transfer: Transfer) -> str:
    return f"/staff/transfers/{transfer.pk}/"


def notify_member(transfer: Transfer, *, title: str, body: str = "", actor=None) -> None:
    user = transfer.member.user if transfer.member.user_id else None
    if user is None or not user.is_active:
        return
    notice_publish(
        audience=Audience.user(user),
        kind=Notice.Kind.TRANSFER,
        title=title,
        body=body,
        link=member_link(transfer),
        created_by=actor,
    )


def notify_staff(
    transfer: Transfer,
    *organizations: Organization | None,
    title: str,
    body: str = "",
    actor=None,
    dedupe_key: str | None = None,
) -> None:
    """The staff of the nearest staffed organisation at or above each of `organizations`
    (once per staffed organisation)."""
    targets: dict[int, Organization] = {}
    for organization in organizations:
        target = nearest_staffed_organization(organization) if organization else None
        if target is not None:
            targets.setdefault(target.pk, target)
    for target in targets.values():
        notice_publish(
            audience=Audience.staff(target),
            kind=Notice.Kind.TRANSFER,
            title=title,
            body=body,
            link=staff_link(transfer),
            created_by=actor,
            dedupe_key=f"{dedupe_key}:{target.pk}" if dedupe_key else None,
        )


# Input -----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
_NUMBER = re.compile(r"[0-9A-Za-z\u4e00-\u9fff〔〕\[\]()（）\-]{1,40}")


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "").strip()
    if _CONTROL.search(text):
        raise ServiceError(f"{label}中不能有不可见字符。", field=field)
    if required and not text:
        raise ServiceError(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise ServiceError(f"{label}不能超过{max_length}个字。", field=field)
    return text


def clean_organization_name(value, *, field: str, label: str) -> str:
    text = clean_text(value, field=field, label=label, max_length=120)
    if len(text) < 4:
        raise ServiceError(f"请填写{label}的全称（如“中共深圳市宝安区委组织部”）。", field=field)
    return text


def clean_letter_number(value) -> str:
    """The number as the provincial platform gives it: digits, letters, Chinese and brackets;
    full-width digits and letters count as their ASCII forms, Latin letters upper case."""
    text = unicodedata.normalize("NFKC", value if isinstance(value, str) else str(value or ""))
    text = re.sub(r"\s+", "", text).upper()
    # The letter prints "第……号" itself: a number typed with them is the same number.
    text = re.sub(r"^第(?=.)|(?<=.)号$", "", text)
    if not text:
        raise ServiceError("请填写介绍信编号（省级平台生成的编号）。", field="number")
    if not _NUMBER.fullmatch(text) or not re.search(r"[0-9]", text):
        raise ServiceError(
            "介绍信编号只能包含数字、字母、汉字、括号和连字符，不超过40个字符。", field="number"
        )
    return text


def check_number_unused(number: str) -> None:
    if IntroductionLetter.objects.filter(number=number).exists():
        raise StateConflict(
            f"介绍信编号“{number}”已经使用过，请核对省级平台生成的编号。", code="number_used"
        )


def clean_validity(value, *, field: str = "validity_days") -> int:
    if value in (None, ""):
        return IntroductionLetter.DEFAULT_VALIDITY_DAYS
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ServiceError("有效期应为天数（1至90）。", field=field) from exc
    if not 1 <= days <= IntroductionLetter.MAX_VALIDITY_DAYS:
        raise ServiceError("介绍信有效期应为1至90天（最长不超过3个月）。", field=field)
    return days


def clean_date(value, *, field: str, label: str, required: bool = True) -> date | None:
    try:
        day = parse_date(value, label)
    except ServiceError as exc:
        raise ServiceError(exc.message, field=field) from exc
    if day is None and required:
        raise ServiceError(f"请填写{label}。", field=field)
    if day is not None and not date(1921, 7, 1) <= day <= date(2100, 12, 31):
        raise ServiceError(f"{label}不是有效日期。", field=field)
    return day


_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def clean_month(value, *, member: Member, field: str = "dues_paid_until") -> date:
    """党费交至 (a year and month): not before the member joined the party, at most twelve
    months ahead (dues may be paid in advance)."""
    if isinstance(value, date):
        month = value.replace(day=1)
    else:
        match = _MONTH.fullmatch(str(value or "").strip())
        if match is None:
            raise ServiceError("请填写党费交至的年月，如 2026-11。", field=field)
        year, number = (int(part) for part in match.groups())
        if not 1 <= number <= 12 or not 1921 <= year <= 2100:
            raise ServiceError("党费交至的年月无效。", field=field)
        month = date(year, number, 1)
    today = timezone.localdate()
    latest = (today.replace(day=1) + timedelta(days=366)).replace(day=1)
    if month > latest:
        raise ServiceError("党费交至的年月不能晚于一年以后。", field=field)
    joined = member.joined_party_on
    if joined and month < joined.replace(day=1):
        raise ServiceError(
            f"党费交至的年月不能早于入党时间（{joined.year}年{joined.month}月）。", field=field
        )
    return month

"""Out of the county: prepared (committee staff) → letter_issued (the county tier numbers the
introduction letter; the member becomes 转出中) → receipt_recorded (回执 back; 已转出).
A letter past its validity without receipt makes the transfer `expired` (the beat task);
the county tier then reissues with a new number, or the receipt arrives late and is
recorded, or the county withdraws the transfer."""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from members.models import Member
from members.services.archive import member_transfer_apply
from sanyuan.errors import ServiceError, StateConflict

from .. import dues, permissions, selectors
from ..models import IntroductionLetter, Transfer
from .common import (
    check_movable,
    check_number_unused,
    clean_date,
    clean_letter_number,
    clean_month,
    clean_organization_name,
    clean_text,
    clean_validity,
    locked,
    locked_member,
    move,
    notify_member,
    notify_staff,
    record_step,
    void_letters,
)

logger = logging.getLogger(__name__)
S = Transfer.Status


def transfer_prepare(*, actor, member: Member, to_name: str, reason: str) -> Transfer:
    """Home staff prepare a transfer out of the county to `to_name` (the receiving
    organisation's full name); the county tier is asked to issue the letter."""
    permissions.check_prepare_transfer_permission(actor, member)
    to_name = clean_organization_name(to_name, field="to_name", label="接收组织")
    reason = clean_text(reason, field="reason", label="转接原因", max_length=500)
    from_name = selectors.full_name(member.organization)
    if to_name in (from_name, member.organization.name):
        raise ServiceError("接收组织与转出组织相同。", field="to_name")
    try:
        with transaction.atomic():
            row = locked_member(member)
            check_movable(row)
            transfer = Transfer.objects.create(
                kind=Transfer.Kind.OUTGOING,
                status=S.PREPARED,
                member=row,
                from_organization=row.organization,
                from_name=from_name,
                to_name=to_name,
                reason=reason,
                requested_by=actor,
            )
            record_step(transfer, action="prepare", actor=actor, note=f"转往{to_name}")
            notify_staff(
                transfer,
                selectors.county_of(row.organization),
                title=f"待开具组织关系介绍信：{row.name}",
                body=f"{from_name}拟将{row.name}的组织关系转往{to_name}。\n原因：{reason}",
                actor=actor,
            )
    except IntegrityError as exc:
        raise StateConflict(
            "该党员已有正在办理的组织关系转接，请先办结或撤回。", code="transfer_open"
        ) from exc
    return transfer


def _letter(transfer: Transfer, *, number: str, days: int, dues_month: date, actor):
    today = timezone.localdate()
    try:
        with transaction.atomic():
            return IntroductionLetter.objects.create(
                transfer=transfer,
                number=number,
                issued_on=today,
                validity_days=days,
                # 民法典第二百零一条: the period starts the day after issue, so a 30-day
                # letter issued on 1 December is good through 31 December.
                expires_on=today + timedelta(days=days),
                dues_paid_until=dues_month,
                from_name=transfer.from_name,
                to_name=transfer.to_name,
                receipt_to_name=selectors.receipt_address(transfer.from_organization),
                issued_by=actor,
            )
    except IntegrityError as exc:  # the same number issued concurrently
        raise StateConflict(f"介绍信编号“{number}”已经使用过。", code="number_used") from exc


@transaction.atomic
def letter_issue(
    *, actor, transfer: Transfer, number: str, validity_days=None, dues_paid_until=None
) -> IntroductionLetter:
    """The county tier issues (or, after expiry, reissues) the letter with the number the
    provincial platform gave. 409 for a number already used; 400 for bad input."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.ISSUE_LETTER)
    member = locked_member(row.member)
    number = clean_letter_number(number)
    days = clean_validity(validity_days)
    if dues_paid_until in (None, ""):
        dues_paid_until = dues.dues_paid_until(member)
    if dues_paid_until in (None, ""):
        raise ServiceError("请填写党费交至的年月。", field="dues_paid_until")
    dues_month = clean_month(dues_paid_until, member=member)
    check_number_unused(number)
    reissue = row.status == S.EXPIRED
    if reissue:
        void_letters(row, reason="逾期未回执，已重新开具")
    elif member.status not in ("away", "returned"):
        raise StateConflict("该党员的流动状态已变更，不能开具介绍信。", code="member_status")
    letter = _letter(row, number=number, days=days, dues_month=dues_month, actor=actor)
    fields: tuple[str, ...] = ()
    if not reissue:
        row.member_status_before = member.status
        fields = ("member_status_before",)
        member_transfer_apply(
            actor=actor,
            member=member,
            status="transferring_out",
            reason=f"开具组织关系介绍信（第{number}号）",
        )
    before = move(row, to=S.LETTER_ISSUED, fields=fields)
    note = f"第{number}号，有效期{days}天（至{letter.expires_on:%Y-%m-%d}）"
    record_step(
        row,
        action="issue_letter",
        actor=actor,
        from_status=before,
        note=("重新开具：" if reissue else "") + note,
        detail={"number": number, "validity_days": days},
    )
    body = f"请携带介绍信在{letter.expires_on:%Y年%-m月%-d日}前到{row.to_name}报到。"
    notify_member(row, title="组织关系介绍信已开具", body=body, actor=actor)
    notify_staff(row, row.from_organization, title=f"介绍信已开具：{member.name}", body=note)
    return letter


@transaction.atomic
def receipt_record(
    *, actor, transfer: Transfer, reported_on, from_name: str = "", note: str = ""
) -> Transfer:
    """The 回执 is back: the member is 已转出, their archive leaves the county's lists."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.RECORD_RECEIPT)
    letter = row.letters.filter(voided_at=None).order_by("-issued_at", "-id").first()
    if letter is None:  # pragma: no cover - letter_issued and expired always have one
        raise StateConflict("没有有效的介绍信，不能登记回执。")
    day = clean_date(reported_on, field="reported_on", label="回执日期")
    if day > timezone.localdate():
        raise ServiceError("回执日期不能晚于今天。", field="reported_on")
    if day < letter.issued_on:
        raise ServiceError(
            f"回执日期不能早于介绍信开具日期（{letter.issued_on:%Y年%-m月%-d日}）。",
            field="reported_on",
        )
    from_name = clean_text(
        from_name, field="from_name", label="回执单位", max_length=120, required=False
    )
    note = clean_text(note, field="note", label="备注", max_length=300, required=False)
    member_transfer_apply(
        actor=actor,
        member=row.member,
        status="transferred_out",
        reason=f"组织关系介绍信回执已登记（第{letter.number}号）",
    )
    row.receipt_reported_on = day
    row.receipt_from_name = from_name or row.to_name
    row.receipt_recorded_at = timezone.now()
    before = move(
        row,
        to=S.RECEIPT_RECORDED,
        fields=("receipt_reported_on", "receipt_from_name", "receipt_recorded_at"),
    )
    record_step(row, action="record_receipt", actor=actor, from_status=before, note=note)
    notify_member(
        row, title="您的组织关系已转入新的党组织", body=f"接收单位：{row.receipt_from_name}"
    )
    notify_staff(row, row.from_organization, title=f"组织关系已转出：{row.member.name}")
    return row


def letters_expire(*, today: date | None = None) -> int:
    """Periodic: letters past their validity without receipt send their transfers back to
    staff attention (expired), once; the sending side and the county are told."""
    today = today or timezone.localdate()
    due = (
        Transfer.objects.filter(status=S.LETTER_ISSUED)
        .filter(selectors.overdue_q(today))
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in list(due[:5000]):
        try:
            expired += _expire_one(pk, today)
        except Exception:  # one bad row must not stop the sweep; the next run retries it
            logger.exception("could not expire transfer %s", pk)
    return expired


@transaction.atomic
def _expire_one(pk: int, today: date) -> int:
    row = Transfer.objects.select_for_update(of=("self",)).select_related("member").get(pk=pk)
    if not permissions.step_fits(row, permissions.EXPIRE):
        return 0
    letter = row.letters.filter(voided_at=None).order_by("-issued_at", "-id").first()
    if letter is None or letter.expires_on >= today:
        return 0
    before = move(row, to=S.EXPIRED)
    note = f"第{letter.number}号介绍信已于{letter.expires_on:%Y年%-m月%-d日}到期，未收到回执"
    record_step(row, action="expire", actor=None, from_status=before, note=note)
    title = f"介绍信逾期未回执：{row.member.name}"
    body = note + "。请联系党员和接收组织核实；需要时由县委组织部重新开具。"
    notify_staff(
        row,
        row.from_organization,
        selectors.county_of(row.from_organization),
        title=title,
        body=body,
        dedupe_key=f"transfer-expired:{row.pk}:{letter.pk}",
    )
    return 1

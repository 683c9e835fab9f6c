"""The ledger: assessments, payments, corrections and refunds, always as new lines.

Every write here runs with the member's DuesAccount row locked (one writer per member at a
time), appends DuesEntry lines, adds them to DuesTotal of the member's home organisation
(F() updates, same transaction) and recomputes DuesAccount.paid_through.
"""

import secrets
from datetime import date, datetime, time

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from members.models import Member
from members.services.audit import audit_record
from sanyuan.errors import ServiceError, StateConflict

from .. import months as m
from .. import permissions, selectors
from ..models import DuesAccount, DuesBase, DuesEntry, DuesReceipt, DuesTotal

E = DuesEntry.Kind
R = DuesReceipt.Method
OFFLINE_METHODS = (R.CASH, R.BANK_TRANSFER)


def receipt_number(day: date | None = None) -> str:
    day = day or timezone.localdate()
    return f"DF{day:%Y%m%d}{secrets.token_hex(4).upper()}"


def locked_account(member: Member) -> DuesAccount:
    """The member's dues account, locked until the caller's transaction ends."""
    account = (
        DuesAccount.objects.select_for_update(of=("self",))
        .select_related("member", "member__organization")
        .filter(member_id=member.pk)
        .first()
    )
    if account is None:
        raise StateConflict("尚未设置该党员的党费类别，请先设置。", code="no_account")
    return account


def _total(organization_id: int, month: date, *, due: int = 0, paid: int = 0) -> None:
    updated = DuesTotal.objects.filter(organization_id=organization_id, month=month).update(
        due_fen=F("due_fen") + due, paid_fen=F("paid_fen") + paid
    )
    if updated:
        return
    try:
        with transaction.atomic():
            DuesTotal.objects.create(
                organization_id=organization_id, month=month, due_fen=due, paid_fen=paid
            )
    except IntegrityError:  # created meanwhile by another member's line
        DuesTotal.objects.filter(organization_id=organization_id, month=month).update(
            due_fen=F("due_fen") + due, paid_fen=F("paid_fen") + paid
        )


def append(
    account: DuesAccount,
    *,
    month: date,
    kind: str,
    amount_fen: int,
    receipt: DuesReceipt | None = None,
    corrects: DuesEntry | None = None,
    actor=None,
    note: str = "",
) -> DuesEntry:
    """One ledger line and its share of the totals (caller holds the account lock)."""
    member = account.member
    entry = DuesEntry.objects.create(
        member=member,
        organization_id=member.organization_id,
        month=month,
        kind=kind,
        amount_fen=amount_fen,
        receipt=receipt,
        corrects=corrects,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        note=note[:300],
    )
    column = corrects.kind if kind == E.CORRECTION else kind
    if column == E.DUE:
        _total(member.organization_id, month, due=amount_fen)
    elif column == E.PAYMENT:
        _total(member.organization_id, month, paid=amount_fen)
    elif column == E.REFUND:
        _total(member.organization_id, month, paid=-amount_fen)
    return entry


def refresh_paid_through(account: DuesAccount) -> None:
    """The last month of the unbroken run of settled months from the first owed month."""
    lines = selectors.month_lines(selectors.member_entries(account.member))
    paid_through, month = None, account.starts_on
    while month in lines and lines[month].settled:
        paid_through = month
        month = m.add(month, 1)
    if paid_through != account.paid_through:
        account.paid_through = paid_through
        account.save(update_fields=["paid_through"])


def assess(account: DuesAccount, month: date, *, amount_fen: int | None = None) -> DuesEntry | None:
    """The month's due line, if the month has none; at `amount_fen` or as the rules say now.
    None when the amount is not known yet (no reviewed base)."""
    if DuesEntry.objects.filter(member_id=account.member_id, month=month, kind=E.DUE).exists():
        return None
    if amount_fen is None:
        bases = list(DuesBase.objects.filter(member_id=account.member_id))
        amount_fen = selectors.amount_for(account, month, bases)
    if amount_fen is None:
        return None
    return append(account, month=month, kind=E.DUE, amount_fen=amount_fen, note="按月核定")


def dues_assess_month(*, member: Member, month: date) -> DuesEntry | None:
    """The monthly assessment (beat, on the due day): idempotent per member and month."""
    with transaction.atomic():
        account = locked_account(member)
        if month < account.starts_on:
            return None
        entry = assess(account, month)
        refresh_paid_through(account)
    return entry


def pay_months(
    account: DuesAccount,
    lines: list[tuple[date, int]],
    *,
    method: str,
    paid_at: datetime,
    actor=None,
    order=None,
    note: str = "",
) -> DuesReceipt:
    """A receipt and, per month, the due line if missing and the payment line (caller
    holds the account lock)."""
    member = account.member
    receipt = DuesReceipt.objects.create(
        number=receipt_number(timezone.localdate(paid_at)),
        member=member,
        organization_id=member.organization_id,
        method=method,
        total_fen=sum(fen for _, fen in lines),
        paid_at=paid_at,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        order=order,
        note=note[:300],
    )
    for month, fen in lines:
        assess(account, month, amount_fen=fen)
        append(
            account,
            month=month,
            kind=E.PAYMENT,
            amount_fen=fen,
            receipt=receipt,
            actor=actor,
            note=note,
        )
    refresh_paid_through(account)
    return receipt


def payment_record(
    *,
    actor,
    member: Member,
    months: int,
    method: str,
    paid_on: date,
    note: str = "",
    ip: str | None = None,
) -> DuesReceipt:
    """Staff record an offline payment (cash to the branch, bank transfer) of the next
    `months` unsettled months (owed ones first, then ahead)."""
    permissions.check_keep_dues_permission(actor, member)
    if method not in OFFLINE_METHODS:
        raise ServiceError("请选择交纳方式（现金或银行转账）。", field="method")
    _check_months(months)
    today = timezone.localdate()
    if not isinstance(paid_on, date) or paid_on > today:
        raise ServiceError("交纳日期不能晚于今天。", field="paid_on")
    with transaction.atomic():
        account = locked_account(member)
        try:
            lines = selectors.months_to_pay(member, months)
        except ValueError as exc:
            raise ServiceError(str(exc), field="months") from exc
        if not lines:
            raise StateConflict("该党员没有待交的党费。")
        paid_at = timezone.make_aware(datetime.combine(paid_on, time(12)))
        receipt = pay_months(
            account, lines, method=method, paid_at=paid_at, actor=actor, note=note.strip()
        )
        audit_record(
            actor=actor,
            action="dues.payment_record",
            target=member,
            ip=ip,
            detail={"receipt": receipt.number, "months": len(lines), "method": method},
        )
    return receipt


def _check_months(months) -> None:
    from django.conf import settings

    limit = int(settings.DUES_MAX_MONTHS_AHEAD) + 12
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= limit:
        raise ServiceError(f"请选择交纳的月数（1至{limit}个月）。", field="months")


def correction_record(
    *, actor, entry: DuesEntry, amount_fen: int, note: str, ip: str | None = None
) -> DuesEntry:
    """A signed adjustment of an earlier line (its due, payment or refund), as a new line."""
    member = entry.member
    permissions.check_keep_dues_permission(actor, member)
    if entry.kind == E.CORRECTION:
        raise ServiceError("请更正原始记录，而不是更正记录。", field="entry")
    if not isinstance(amount_fen, int) or amount_fen == 0:
        raise ServiceError("请填写更正金额（元，可为负数，不能为0）。", field="amount")
    note = (note or "").strip()
    if not note:
        raise ServiceError("请写明更正原因。", field="note")
    with transaction.atomic():
        account = locked_account(member)
        line = append(
            account,
            month=entry.month,
            kind=E.CORRECTION,
            amount_fen=amount_fen,
            corrects=entry,
            actor=actor,
            note=note,
        )
        refresh_paid_through(account)
        audit_record(
            actor=actor,
            action="dues.correction_record",
            target=member,
            ip=ip,
            detail={"entry": entry.pk, "month": entry.month.isoformat()[:7]},
        )
    return line


def refund_lines(account: DuesAccount, receipt: DuesReceipt) -> list[tuple[DuesEntry, int]]:
    """Per payment line of the receipt, what is left to refund."""
    payments = list(receipt.entries.filter(kind=E.PAYMENT))
    refunded: dict[date, int] = {}
    for earlier in DuesEntry.objects.filter(kind=E.REFUND, receipt__refund_of=receipt):
        refunded[earlier.month] = refunded.get(earlier.month, 0) + earlier.amount_fen
    result = []
    for line in payments:
        left = line.amount_fen - refunded.pop(line.month, 0)
        if left > 0:
            result.append((line, left))
    return result


def refund_apply(
    account: DuesAccount,
    receipt: DuesReceipt,
    *,
    actor=None,
    note: str = "",
    out_refund_no: str | None = None,
    paid_at: datetime | None = None,
) -> DuesReceipt | None:
    """A refund receipt and refund lines for what is left of `receipt` (caller holds the
    lock). None when nothing is left."""
    lines = refund_lines(account, receipt)
    if not lines:
        return None
    refund = DuesReceipt.objects.create(
        number=receipt_number(),
        kind=DuesReceipt.Kind.REFUND,
        member=account.member,
        organization_id=receipt.organization_id,
        method=receipt.method,
        total_fen=sum(fen for _, fen in lines),
        paid_at=paid_at or timezone.now(),
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        refund_of=receipt,
        out_refund_no=out_refund_no,
        note=note[:300],
    )
    for line, fen in lines:
        append(
            account,
            month=line.month,
            kind=E.REFUND,
            amount_fen=fen,
            receipt=refund,
            actor=actor,
            note=note,
        )
    refresh_paid_through(account)
    return refund


def refund_record(*, actor, receipt: DuesReceipt, note: str, ip: str | None = None):
    """Refund a payment receipt: an offline one is recorded at once (the money went back by
    hand); an online one is asked of WeChat Pay and recorded when its refund succeeds
    (callback or query). Returns the refund receipt, or None while WeChat Pay works on it."""
    permissions.check_keep_dues_permission(actor, receipt.member)
    if receipt.kind != DuesReceipt.Kind.PAYMENT:
        raise ServiceError("只能退还交纳收据。", field="receipt")
    note = (note or "").strip()
    if not note:
        raise ServiceError("请写明退还原因。", field="note")
    if receipt.method == R.ONLINE:
        from .payments import online_refund_request

        return online_refund_request(actor=actor, receipt=receipt, note=note, ip=ip)
    with transaction.atomic():
        account = locked_account(receipt.member)
        refund = refund_apply(account, receipt, actor=actor, note=note)
        if refund is None:
            raise StateConflict("该收据已全部退还。")
        audit_record(
            actor=actor,
            action="dues.refund_record",
            target=receipt.member,
            ip=ip,
            detail={"receipt": receipt.number, "refund": refund.number},
        )
    return refund

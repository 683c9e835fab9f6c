"""Online payment of dues through WeChat Pay API v3 (sanyuan.wechatpay).

- `order_create`: the member picks how many months; the openid comes from a WeChat code
  given with the order (`wx.login()` in the mini-program, or the silent snsapi_base
  authorisation in WeChat's browser), so no WeChat binding of the account is needed. The
  order row is committed before WeChat Pay is called, so a lost answer is found by the query.
- `notify_handle`: the signed callback, verified and decrypted by the client; a payment is
  recorded once (the order row is locked; a paid order answers success again).
- `orders_sweep` (beat): pending orders are queried (lost callbacks) and closed when expired.
- `reconcile` (beat): yesterday's trade bill against the paid orders; a mismatch is kept and
  the county staff are told.
"""

import json
import logging
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import Member, Notice, Organization
from members.permissions import path_ids
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan import wechat, wechatpay
from sanyuan.errors import ServiceError, StateConflict

from .. import months as m
from .. import permissions, rules, selectors
from ..models import DuesOrder, DuesReceipt, DuesReconciliation
from .ledger import _check_months, locked_account, pay_months, refund_apply

logger = logging.getLogger(__name__)
OS = DuesOrder.Status
CHINA = timezone.get_fixed_timezone(8 * 60)


class PaymentUnavailable(ServiceError):
    """WeChat Pay or WeChat could not be reached or refused: 503, nothing recorded."""

    status_code = 503


# Orders ----------------------------------------------------------------------------------


def lineage_codes(organization: Organization) -> list[str]:
    ids = path_ids(organization.path)
    codes = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "code"))
    return [codes[pk] for pk in ids if pk in codes]


def online_available(member: Member) -> bool:
    """A merchant collects for the member's organisation."""
    try:
        wechatpay.merchant_for_organization(lineage_codes(member.organization))
    except wechatpay.ConfigurationError:
        return False
    return True


def _openid(channel: str, code: str) -> tuple[str, str]:
    """(appid, openid) for the code of the channel; PaymentUnavailable otherwise."""
    try:
        if channel == DuesOrder.Channel.MINI_PROGRAM:
            return wechat.mini_app().app_id, wechat.mini_program_login(code).openid
        return wechat.mp_app().app_id, wechat.oauth_exchange_code(code).openid
    except wechat.WechatError as exc:
        raise ServiceError(
            "微信授权已失效，请重新点击“微信支付”。", field="code", code="wechat_code"
        ) from exc


def out_trade_no(member: Member) -> str:
    return f"DF{timezone.localtime():%y%m%d%H%M%S}{member.pk}{secrets.token_hex(3)}"[:32]


def order_create(
    *, actor, member: Member, months: int, channel: str, code: str
) -> tuple[DuesOrder, wechatpay.PaymentParams]:
    """A WeChat Pay order for the next `months` unsettled months and the signed parameters
    that open the payment sheet."""
    if permissions.check_member_payer(actor).pk != member.pk:
        raise ServiceError("只能交纳本人的党费。")
    _check_months(months)
    if channel not in DuesOrder.Channel.values:
        raise ServiceError("支付渠道无效。", field="channel")
    try:
        lines = selectors.months_to_pay(member, months)
    except ValueError as exc:
        raise ServiceError(str(exc), field="months") from exc
    if not lines:
        raise StateConflict("您没有待交的党费。")
    try:
        merchant = wechatpay.merchant_for_organization(lineage_codes(member.organization))
    except wechatpay.ConfigurationError as exc:
        raise PaymentUnavailable("您所在党组织尚未开通微信交纳党费，请向支部交纳。") from exc
    appid, openid = _openid(channel, code)
    if appid not in merchant.appids:
        raise PaymentUnavailable("微信支付配置有误，请联系县委组织部。")
    total = sum(fen for _, fen in lines)
    order = DuesOrder.objects.create(
        member=member,
        out_trade_no=out_trade_no(member),
        mchid=merchant.mchid,
        appid=appid,
        channel=channel,
        lines_json=json.dumps([[month.isoformat(), fen] for month, fen in lines]),
        amount_fen=total,
        expires_at=timezone.now() + timedelta(minutes=settings.DUES_ORDER_MINUTES),
    )
    first, last = lines[0][0], lines[-1][0]
    span = m.label(first) if first == last else f"{m.label(first)}至{m.label(last)}"
    try:
        params = wechatpay.WechatPayClient(merchant).jsapi_order(
            appid=appid,
            description=f"党费 {span}"[:127],
            out_trade_no=order.out_trade_no,
            amount_fen=total,
            payer_openid=openid,
            time_expire=order.expires_at,
        )
    except wechatpay.WechatPayError as exc:
        logger.warning("dues order %s not created: %s", order.out_trade_no, exc)
        raise PaymentUnavailable("微信支付暂时不可用，请稍后再试。") from exc
    audit_record(
        actor=actor,
        action="dues.order_create",
        target=member,
        detail={"out_trade_no": order.out_trade_no, "months": len(lines)},
    )
    return order, params


def order_lines(order: DuesOrder) -> list[tuple[date, int]]:
    return [(date.fromisoformat(month), int(fen)) for month, fen in json.loads(order.lines_json)]


def order_paid(*, transaction_: wechatpay.Transaction) -> DuesReceipt | None:
    """Record a paid order once (callback or query). Returns its receipt; None when the
    order is not ours or the amount does not match (logged, and reconciliation shows it)."""
    with transaction.atomic():
        order = (
            DuesOrder.objects.select_for_update()
            .select_related("member", "member__organization")
            .filter(out_trade_no=transaction_.out_trade_no, mchid=transaction_.mchid)
            .first()
        )
        if order is None or not transaction_.paid:
            return None
        if order.status == OS.PAID:
            return order.receipts.first()
        if transaction_.total_fen != order.amount_fen:
            logger.error("dues order %s: paid amount differs", order.out_trade_no)
            return None
        account = locked_account(order.member)
        paid_at = transaction_.success_time or timezone.now()
        receipt = pay_months(
            account,
            order_lines(order),
            method=DuesReceipt.Method.ONLINE,
            paid_at=paid_at,
            order=order,
        )
        order.status = OS.PAID
        order.transaction_id = transaction_.transaction_id[:64]
        order.paid_at = paid_at
        order.save(update_fields=["status", "transaction_id", "paid_at"])
        audit_record(
            actor=None,
            action="dues.payment_online",
            target=order.member,
            detail={"out_trade_no": order.out_trade_no, "receipt": receipt.number},
        )
        if order.member.user_id:
            notice_publish(
                audience=Audience.user(order.member.user),
                kind=Notice.Kind.SYSTEM,
                title=f"党费已交纳：{rules.yuan(order.amount_fen)}元",
                body=f"收据号 {receipt.number}。",
                link=f"/me/dues/receipts/{receipt.pk}/",
            )
    return receipt


def order_refresh(order: DuesOrder, *, now: datetime | None = None) -> str:
    """Ask WeChat Pay about a pending order: record it if paid, close it when expired."""
    now = now or timezone.now()
    client = wechatpay.client_for_mchid(order.mchid)
    try:
        found = client.query_order(order.out_trade_no)
    except wechatpay.OrderNotFound:
        found = None
    if found is not None and found.paid:
        order_paid(transaction_=found)
        return "paid"
    if found is not None and found.final:
        _mark_closed(order)
        return "closed"
    if order.expires_at <= now:
        try:
            client.close_order(order.out_trade_no)
        except wechatpay.OrderPaid:
            return order_refresh(order, now=now)
        except wechatpay.OrderNotFound:
            pass
        _mark_closed(order)
        return "closed"
    return "pending"


def _mark_closed(order: DuesOrder) -> None:
    DuesOrder.objects.filter(pk=order.pk, status=OS.PENDING).update(
        status=OS.CLOSED, closed_at=timezone.now()
    )


def orders_sweep(*, now: datetime | None = None) -> dict:
    """Pending orders older than a minute: query them (lost callbacks), close expired ones."""
    now = now or timezone.now()
    outcome: dict[str, int] = {}
    for order in DuesOrder.objects.filter(
        status=OS.PENDING, created_at__lte=now - timedelta(minutes=1)
    ).order_by("created_at")[:500]:
        try:
            result = order_refresh(order, now=now)
        except wechatpay.WechatPayError as exc:
            logger.warning("dues order %s: query failed: %s", order.out_trade_no, exc)
            result = "error"
        outcome[result] = outcome.get(result, 0) + 1
    return outcome


# Callbacks -------------------------------------------------------------------------------


def notify_handle(*, headers, body: bytes) -> tuple[int, dict]:
    """The WeChat Pay callback: (status, JSON body) to answer. Anything not provably
    WeChat Pay's is refused (401, nothing recorded); a repeated callback is recorded once."""
    try:
        notification = wechatpay.parse_notification(headers, body)
    except wechatpay.VerificationError as exc:
        logger.warning("refused a WeChat Pay callback: %s", exc)
        return wechatpay.notify_failure("验签失败", status=401)
    except wechatpay.ConfigurationError:
        return wechatpay.notify_failure("未配置", status=500)
    if isinstance(notification, wechatpay.PaymentNotification):
        order_paid(transaction_=notification.transaction)
    elif isinstance(notification, wechatpay.RefundNotification):
        refund_done(refund=notification.refund, mchid=notification.mchid)
    return wechatpay.notify_success()


# Refunds ---------------------------------------------------------------------------------


def refund_no(receipt: DuesReceipt) -> str:
    return f"R{receipt.number}"[:64]


def online_refund_request(*, actor, receipt: DuesReceipt, note: str, ip=None):
    """Ask WeChat Pay to refund what is left of an online receipt; recorded on success."""
    order = receipt.order
    with transaction.atomic():
        account = locked_account(receipt.member)
        from .ledger import refund_lines

        left = sum(fen for _, fen in refund_lines(account, receipt))
    if not left or receipt.refunds.exists():
        raise StateConflict("该收据已退还或正在退还。")
    try:
        result = wechatpay.client_for_mchid(order.mchid).refund(
            out_refund_no=refund_no(receipt),
            amount_fen=left,
            total_fen=order.amount_fen,
            out_trade_no=order.out_trade_no,
            reason=note[:80],
        )
    except wechatpay.WechatPayError as exc:
        raise PaymentUnavailable("微信支付退款暂时不可用，请稍后再试。") from exc
    audit_record(
        actor=actor,
        action="dues.refund_request",
        target=receipt.member,
        ip=ip,
        detail={"receipt": receipt.number, "out_refund_no": result.out_refund_no},
    )
    if result.succeeded:
        return refund_done(refund=result, mchid=order.mchid)
    return None


def refund_done(*, refund: wechatpay.Refund, mchid: str) -> DuesReceipt | None:
    """A refund WeChat Pay finished: the refund receipt and lines, once."""
    if not refund.succeeded or not refund.out_refund_no.startswith("R"):
        return None
    with transaction.atomic():
        receipt = (
            DuesReceipt.objects.select_related("order", "member")
            .filter(number=refund.out_refund_no[1:], order__mchid=mchid)
            .first()
        )
        if receipt is None:
            return None
        account = locked_account(receipt.member)
        existing = DuesReceipt.objects.filter(out_refund_no=refund.out_refund_no).first()
        if existing is not None:
            return existing
        done = refund_apply(
            account,
            receipt,
            note="微信支付退款",
            out_refund_no=refund.out_refund_no,
            paid_at=refund.success_time,
        )
        if done is not None:
            audit_record(
                actor=None,
                action="dues.refund_online",
                target=receipt.member,
                detail={"receipt": receipt.number, "refund": done.number},
            )
    return done


# Reconciliation --------------------------------------------------------------------------


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=CHINA)
    return start, start + timedelta(days=1)


def reconcile(*, bill_date: date | None = None) -> list[DuesReconciliation]:
    """Each merchant's trade bill of `bill_date` (default yesterday, Beijing time) against the
    orders paid that day: an order missing from the bill, a bill line we have not recorded as
    paid, or a different amount is a mismatch, kept and told to the county staff. Idempotent
    per merchant and day (a later run updates the same row)."""
    bill_date = bill_date or (timezone.localdate() - timedelta(days=1))
    results = []
    for merchant in wechatpay.load_merchants():
        client = wechatpay.WechatPayClient(merchant)
        try:
            bill = client.trade_bill(bill_date)
            records = bill.payments
        except wechatpay.BillNotFound:
            records = []
        except wechatpay.BillNotReady:
            continue
        start, end = _day_bounds(bill_date)
        ours = {
            order.out_trade_no: order.amount_fen
            for order in DuesOrder.objects.filter(
                mchid=merchant.mchid, status=OS.PAID, paid_at__gte=start, paid_at__lt=end
            )
        }
        theirs = {record.out_trade_no: record.total_fen for record in records}
        problems = []
        for no, fen in sorted(theirs.items()):
            if no not in ours:
                problems.append({"out_trade_no": no, "problem": "账单有、系统未入账"})
            elif ours[no] != fen:
                problems.append({"out_trade_no": no, "problem": "金额不一致"})
        for no in sorted(set(ours) - set(theirs)):
            problems.append({"out_trade_no": no, "problem": "系统已入账、账单没有"})
        status = (
            DuesReconciliation.Status.MISMATCH
            if problems
            else DuesReconciliation.Status.MATCHED
            if theirs
            else DuesReconciliation.Status.NO_TRADE
        )
        row, _ = DuesReconciliation.objects.update_or_create(
            mchid=merchant.mchid,
            bill_date=bill_date,
            defaults={"status": status, "payments": len(theirs), "problems": problems},
        )
        if problems:
            _tell_county(merchant, bill_date, len(problems))
        results.append(row)
    return results


def _tell_county(merchant, bill_date: date, count: int) -> None:
    orgs = Organization.objects.filter(code__in=merchant.organizations)
    county_ids = set()
    for org in orgs:
        county_ids.update(path_ids(org.path))
    for county in Organization.objects.filter(pk__in=county_ids, kind__in=Organization.TOP_KINDS):
        notice_publish(
            audience=Audience.staff(county),
            kind=Notice.Kind.SYSTEM,
            title=f"党费对账不一致：{bill_date:%Y-%m-%d}，{count}笔",
            body=f"微信支付商户 {merchant.mchid} 的交易账单与党费台账不一致，请核对。",
            link="/staff/dues/reconciliation/",
            dedupe_key=f"dues-reconcile:{merchant.mchid}:{bill_date}:{county.pk}",
        )

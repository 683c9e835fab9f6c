"""Typed results of the WeChat Pay client (plain dataclasses, no database).

Amounts are integers in fen, as the v3 API sends them. `raw` keeps the decoded JSON for
fields this module does not name (promotion details and the like).
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class TradeState(StrEnum):
    """`trade_state` of an order (查询订单 trade_state)."""

    SUCCESS = "SUCCESS"  # paid
    REFUND = "REFUND"  # paid, then a refund was started
    NOTPAY = "NOTPAY"
    CLOSED = "CLOSED"
    REVOKED = "REVOKED"  # 付款码支付 only
    USERPAYING = "USERPAYING"  # 付款码支付 only
    PAYERROR = "PAYERROR"


class RefundStatus(StrEnum):
    """`status` (query) / `refund_status` (callback) of a refund."""

    SUCCESS = "SUCCESS"
    CLOSED = "CLOSED"
    PROCESSING = "PROCESSING"
    ABNORMAL = "ABNORMAL"


class EventType(StrEnum):
    TRANSACTION_SUCCESS = "TRANSACTION.SUCCESS"
    REFUND_SUCCESS = "REFUND.SUCCESS"
    REFUND_ABNORMAL = "REFUND.ABNORMAL"
    REFUND_CLOSED = "REFUND.CLOSED"


def parse_time(value) -> datetime | None:
    """An RFC 3339 time from WeChat Pay (`2018-06-08T10:34:56+08:00`), or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _int_or_none(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class Transaction:
    """An order as WeChat Pay sees it (query by out_trade_no, or the payment callback)."""

    mchid: str
    appid: str
    out_trade_no: str
    transaction_id: str
    trade_type: str
    trade_state: str
    trade_state_desc: str
    bank_type: str
    attach: str
    success_time: datetime | None
    payer_openid: str
    total_fen: int | None
    payer_total_fen: int | None
    currency: str
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def paid(self) -> bool:
        """Money was received (a later refund does not undo the payment)."""
        return self.trade_state in (TradeState.SUCCESS, TradeState.REFUND)

    @property
    def final(self) -> bool:
        """The state will not change by itself any more (NOTPAY and USERPAYING may)."""
        return self.trade_state not in (TradeState.NOTPAY, TradeState.USERPAYING)

    @classmethod
    def from_api(cls, data: dict) -> "Transaction":
        amount = data.get("amount") or {}
        payer = data.get("payer") or {}
        return cls(
            mchid=str(data.get("mchid", "")),
            appid=str(data.get("appid", "")),
            out_trade_no=str(data.get("out_trade_no", "")),
            transaction_id=str(data.get("transaction_id", "")),
            trade_type=str(data.get("trade_type", "")),
            trade_state=str(data.get("trade_state", "")),
            trade_state_desc=str(data.get("trade_state_desc", "")),
            bank_type=str(data.get("bank_type", "")),
            attach=str(data.get("attach", "")),
            success_time=parse_time(data.get("success_time")),
            payer_openid=str(payer.get("openid", "")),
            total_fen=_int_or_none(amount.get("total")),
            payer_total_fen=_int_or_none(amount.get("payer_total")),
            currency=str(amount.get("currency", "")),
            raw=data,
        )


@dataclass(frozen=True)
class Refund:
    """A refund (申请退款 / 查询单笔退款 answers, or the refund callback)."""

    out_refund_no: str
    refund_id: str
    out_trade_no: str
    transaction_id: str
    status: str
    channel: str
    user_received_account: str
    success_time: datetime | None
    create_time: datetime | None
    total_fen: int | None
    refund_fen: int | None
    payer_total_fen: int | None
    payer_refund_fen: int | None
    currency: str
    mchid: str = ""
    raw: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def succeeded(self) -> bool:
        return self.status == RefundStatus.SUCCESS

    @property
    def final(self) -> bool:
        return self.status != RefundStatus.PROCESSING

    @classmethod
    def from_api(cls, data: dict) -> "Refund":
        amount = data.get("amount") or {}
        return cls(
            out_refund_no=str(data.get("out_refund_no", "")),
            refund_id=str(data.get("refund_id", "")),
            out_trade_no=str(data.get("out_trade_no", "")),
            transaction_id=str(data.get("transaction_id", "")),
            # the query answer says `status`, the callback `refund_status`
            status=str(data.get("status") or data.get("refund_status") or ""),
            channel=str(data.get("channel", "")),
            user_received_account=str(data.get("user_received_account", "")),
            success_time=parse_time(data.get("success_time")),
            create_time=parse_time(data.get("create_time")),
            total_fen=_int_or_none(amount.get("total")),
            refund_fen=_int_or_none(amount.get("refund")),
            payer_total_fen=_int_or_none(amount.get("payer_total")),
            payer_refund_fen=_int_or_none(amount.get("payer_refund")),
            currency=str(amount.get("currency", "")),
            mchid=str(data.get("mchid", "")),
            raw=data,
        )


@dataclass(frozen=True)
class PaymentParams:
    """What the page or the mini-program needs to open WeChat's payment sheet.

    One signature serves all three clients; only the key names differ:
    `for_weixin_js_bridge()` (WeixinJSBridge.invoke('getBrandWCPayRequest', …) in WeChat's
    browser), `for_jssdk()` (wx.chooseWXPay, which spells `timestamp` in lower case) and
    `for_mini_program()` (wx.requestPayment, which takes no appId).
    """

    app_id: str
    time_stamp: str
    nonce_str: str
    package: str
    pay_sign: str
    sign_type: str = "RSA"

    @property
    def prepay_id(self) -> str:
        return self.package.removeprefix("prepay_id=")

    def for_weixin_js_bridge(self) -> dict:
        return {
            "appId": self.app_id,
            "timeStamp": self.time_stamp,
            "nonceStr": self.nonce_str,
            "package": self.package,
            "signType": self.sign_type,
            "paySign": self.pay_sign,
        }

    def for_jssdk(self) -> dict:
        return {
            "timestamp": self.time_stamp,
            "nonceStr": self.nonce_str,
            "package": self.package,
            "signType": self.sign_type,
            "paySign": self.pay_sign,
        }

    def for_mini_program(self) -> dict:
        return {
            "timeStamp": self.time_stamp,
            "nonceStr": self.nonce_str,
            "package": self.package,
            "signType": self.sign_type,
            "paySign": self.pay_sign,
        }


@dataclass(frozen=True)
class Notification:
    """A verified, decrypted callback. `id` is WeChat Pay's notification id (the same on
    every redelivery); `mchid` is the merchant whose keys verified it; `resource` is the
    decrypted JSON. Event types other than TRANSACTION.SUCCESS and REFUND.* arrive as this
    base class (acknowledge them, or WeChat Pay sends them again)."""

    id: str
    event_type: str
    create_time: datetime | None
    summary: str
    mchid: str
    resource: dict = field(repr=False, compare=False)


@dataclass(frozen=True)
class PaymentNotification(Notification):
    transaction: Transaction


@dataclass(frozen=True)
class RefundNotification(Notification):
    refund: Refund

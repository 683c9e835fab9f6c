"""WeChat Pay API v3 for direct merchants (普通商户): JSAPI payments in WeChat's browser
and the mini-program, order query and close, refunds, callbacks and the trade bill.

Written on `cryptography` and urllib because the SDKs on PyPI hard-code WeChat's host and
download certificates in their constructors; here the host is settings.WECHATPAY_BASE_URL
and the keys come from settings.WECHATPAY_MERCHANTS (see config.py and the README), so the
tests talk to tests/fakes/wechatpay.py over real HTTP. Imports no app.
"""

from .bill import TradeBill, TradeBillRecord, TradeBillSummary, parse_trade_bill
from .client import WechatPayClient, check_bill_hash, rfc3339
from .config import (
    Merchant,
    load_merchants,
    merchant_by_mchid,
    merchant_for_organization,
    merchant_from_config,
)
from .errors import (
    AccountError,
    ApiError,
    AppidMchidNotMatch,
    BillIntegrityError,
    BillNotFound,
    BillNotReady,
    ConfigurationError,
    DecryptionError,
    InvalidRequest,
    MalformedNotification,
    MchNotExists,
    MerchantNotConfigured,
    NoAuth,
    NotEnough,
    OrderClosed,
    OrderNotFound,
    OrderPaid,
    OutTradeNoUsed,
    ParamError,
    RateLimited,
    RuleLimit,
    ServerError,
    SignatureError,
    SignError,
    StaleTimestampError,
    TradeError,
    TransportError,
    UnknownSerialError,
    UserPaying,
    VerificationError,
    WechatPayError,
)
from .models import (
    EventType,
    Notification,
    PaymentNotification,
    PaymentParams,
    Refund,
    RefundNotification,
    RefundStatus,
    TradeState,
    Transaction,
)
from .notify import notify_failure, notify_success, parse_notification
from .signing import Verifier


def client_for_mchid(mchid: str) -> WechatPayClient:
    """A client for a configured merchant (e.g. the one recorded on an order)."""
    return WechatPayClient(merchant_by_mchid(mchid))


def client_for_organization(lineage_codes) -> WechatPayClient:
    """A client for the merchant that collects for the organisation whose lineage of codes
    (root first, itself last) is given; MerchantNotConfigured when none does."""
    return WechatPayClient(merchant_for_organization(lineage_codes))


__all__ = [
    "AccountError",
    "ApiError",
    "AppidMchidNotMatch",
    "BillIntegrityError",
    "BillNotFound",
    "BillNotReady",
    "ConfigurationError",
    "DecryptionError",
    "EventType",
    "InvalidRequest",
    "MalformedNotification",
    "MchNotExists",
    "Merchant",
    "MerchantNotConfigured",
    "NoAuth",
    "NotEnough",
    "Notification",
    "OrderClosed",
    "OrderNotFound",
    "OrderPaid",
    "OutTradeNoUsed",
    "ParamError",
    "PaymentNotification",
    "PaymentParams",
    "RateLimited",
    "Refund",
    "RefundNotification",
    "RefundStatus",
    "RuleLimit",
    "ServerError",
    "SignError",
    "SignatureError",
    "StaleTimestampError",
    "TradeBill",
    "TradeBillRecord",
    "TradeBillSummary",
    "TradeError",
    "TradeState",
    "Transaction",
    "TransportError",
    "UnknownSerialError",
    "UserPaying",
    "VerificationError",
    "Verifier",
    "WechatPayClient",
    "WechatPayError",
    "check_bill_hash",
    "client_for_mchid",
    "client_for_organization",
    "load_merchants",
    "merchant_by_mchid",
    "merchant_for_organization",
    "merchant_from_config",
    "notify_failure",
    "notify_success",
    "parse_notification",
    "parse_trade_bill",
    "rfc3339",
]

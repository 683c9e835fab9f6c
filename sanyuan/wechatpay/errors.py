"""Exceptions of the WeChat Pay client.

Every failure is a `WechatPayError`. `retryable` answers one question for the caller (a
Celery task, a view): may the same call be made again, with the same arguments, later?
Order creation and refunds are idempotent on WeChat's side per out_trade_no /
out_refund_no, so "again" is always safe when `retryable` is true.

API error codes and HTTP statuses follow the v3 rules
(https://pay.weixin.qq.com/docs/merchant/development/interface-rules/basic-rules.html) and
the error tables of each API page; both spellings WeChat has used over the years
(`NOTENOUGH` / `NOT_ENOUGH`, `ORDERNOTEXIST` / `ORDER_NOT_EXIST` …) map to one class.
"""


class WechatPayError(Exception):
    """Anything that went wrong talking to WeChat Pay or reading what it sent."""

    retryable = False


class ConfigurationError(WechatPayError):
    """A merchant is missing or its keys cannot be loaded; an operator must fix settings."""


class MerchantNotConfigured(ConfigurationError):
    """No merchant collects for this organisation (or this mchid is unknown)."""


class TransportError(WechatPayError):
    """The request may not have reached WeChat Pay, or its answer did not reach us
    (connection refused, timeout, TLS failure, an unreadable answer)."""

    retryable = True


class VerificationError(WechatPayError):
    """What claims to come from WeChat Pay could not be proved to: never act on it."""


class SignatureError(VerificationError):
    """Missing, malformed or wrong `Wechatpay-Signature` on a response or callback."""


class UnknownSerialError(SignatureError):
    """`Wechatpay-Serial` names no platform certificate or public key the merchant has."""


class StaleTimestampError(SignatureError):
    """`Wechatpay-Timestamp` is more than five minutes away from our clock (a replay)."""


class DecryptionError(VerificationError):
    """The AEAD_AES_256_GCM resource of a callback does not open with the APIv3 key."""


class BillIntegrityError(VerificationError):
    """A downloaded bill does not match the `hash_value` WeChat Pay announced, or its
    summary does not add up."""


class MalformedNotification(VerificationError):
    """A callback body that is not the documented JSON (after a valid signature)."""


class ApiError(WechatPayError):
    """WeChat Pay answered with a 4xx/5xx status and a `{code, message}` body.

    `verified` tells whether the error answer carried a valid WeChat Pay signature. An
    unsigned error can only make a call fail; decisions that move money rest on signed
    answers (a query or a callback), never on an error code alone.
    """

    def __init__(
        self,
        *,
        status: int,
        code: str = "",
        message: str = "",
        detail=None,
        request_id: str = "",
        verified: bool = False,
    ):
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail
        self.request_id = request_id
        self.verified = verified
        super().__init__(f"HTTP {status} {code}: {message} (Request-ID {request_id or '-'})")


class UserPaying(ApiError):
    """202 USERPAYING: the payer is entering the password; ask again later."""

    retryable = True


class ParamError(ApiError):
    """400 PARAM_ERROR: a parameter is wrong (see `detail`)."""


class InvalidRequest(ApiError):
    """400 INVALID_REQUEST: the request breaks the v3 rules or the order's state."""


class AppidMchidNotMatch(ApiError):
    """400 APPID_MCHID_NOT_MATCH: the appid is not bound to this merchant."""


class MchNotExists(ApiError):
    """400 MCH_NOT_EXISTS: no such merchant id."""


class OrderPaid(ApiError):
    """400 ORDERPAID: the order is already paid (closing or re-creating it failed)."""


class OrderClosed(ApiError):
    """400 ORDER_CLOSED: the order was closed; create a new out_trade_no."""


class BillNotFound(ApiError):
    """400 NO_STATEMENT_EXIST: WeChat Pay has no bill for that day (no trade that day)."""


class BillNotReady(ApiError):
    """400 STATEMENT_CREATING: the bill is still being produced (before ~10:00)."""

    retryable = True


class SignError(ApiError):
    """401 SIGN_ERROR: WeChat Pay refused our request signature (key, serial or clock)."""


class NoAuth(ApiError):
    """403 NO_AUTH: the merchant lacks the permission for this API."""


class NotEnough(ApiError):
    """403 NOT_ENOUGH: the balance is insufficient (payer, or merchant for a refund)."""


class OutTradeNoUsed(ApiError):
    """403 OUT_TRADE_NO_USED: the out_trade_no was used with other parameters."""


class AccountError(ApiError):
    """403 ACCOUNT_ERROR / USER_ACCOUNT_ABNORMAL: the payer's account cannot be used."""


class RuleLimit(ApiError):
    """403 RULE_LIMIT: a business rule refused the request."""


class TradeError(ApiError):
    """403 TRADE_ERROR: the trade failed for a business reason."""


class OrderNotFound(ApiError):
    """404 ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS: no such order or refund."""


class RateLimited(ApiError):
    """429 FREQUENCY_LIMITED / RATELIMIT_EXCEEDED: slow down and try again."""

    retryable = True


class ServerError(ApiError):
    """5xx SYSTEM_ERROR, BANKERROR, SERVICE_UNAVAILABLE: WeChat Pay's side failed."""

    retryable = True


ERROR_CLASSES: dict[str, type[ApiError]] = {
    "USERPAYING": UserPaying,
    "PARAM_ERROR": ParamError,
    "INVALID_REQUEST": InvalidRequest,
    "APPID_MCHID_NOT_MATCH": AppidMchidNotMatch,
    "MCH_NOT_EXISTS": MchNotExists,
    "ORDERPAID": OrderPaid,
    "ORDER_PAID": OrderPaid,
    "ORDER_CLOSED": OrderClosed,
    "ORDERCLOSED": OrderClosed,
    "NO_STATEMENT_EXIST": BillNotFound,
    "STATEMENT_CREATING": BillNotReady,
    "SIGN_ERROR": SignError,
    "NO_AUTH": NoAuth,
    "NOAUTH": NoAuth,
    "NOT_ENOUGH": NotEnough,
    "NOTENOUGH": NotEnough,
    "OUT_TRADE_NO_USED": OutTradeNoUsed,
    "ACCOUNT_ERROR": AccountError,
    "ACCOUNTERROR": AccountError,
    "USER_ACCOUNT_ABNORMAL": AccountError,
    "RULE_LIMIT": RuleLimit,
    "RULELIMIT": RuleLimit,
    "TRADE_ERROR": TradeError,
    "ORDER_NOT_EXIST": OrderNotFound,
    "ORDERNOTEXIST": OrderNotFound,
    "RESOURCE_NOT_EXISTS": OrderNotFound,
    "FREQUENCY_LIMITED": RateLimited,
    "RATELIMIT_EXCEEDED": RateLimited,
    "SYSTEM_ERROR": ServerError,
    "SYSTEMERROR": ServerError,
    "BANKERROR": ServerError,
    "BANK_ERROR": ServerError,
    "SERVICE_UNAVAILABLE": ServerError,
}


def _class_for_status(status: int) -> type[ApiError]:
    if status == 401:
        return SignError
    if status == 404:
        return OrderNotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    return ApiError


def api_error(
    *,
    status: int,
    code: str = "",
    message: str = "",
    detail=None,
    request_id: str = "",
    verified: bool = False,
) -> ApiError:
    """The typed exception for an error answer: by `code` first, by HTTP status for codes
    this client does not know (an unknown 5xx stays retryable, an unknown 4xx does not)."""
    cls = ERROR_CLASSES.get(code) or _class_for_status(status)
    return cls(
        status=status,
        code=code,
        message=message,
        detail=detail,
        request_id=request_id,
        verified=verified,
    )

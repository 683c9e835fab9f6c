"""The shapes every SMS backend shares: one recipient, one result per recipient, receipts,
inbound replies, and the errors callers tell apart.

A backend implements `send_batch(template_kind, recipients) -> list[SmsResult]` and never
raises for a per-number failure: each recipient gets exactly one result, in input order.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Outcome(StrEnum):
    """What the caller does with one delivery after a send attempt."""

    SENT = "sent"  # the gateway accepted it (vendor_id identifies it for receipts)
    RETRY = "retry"  # transient: rate limit, gateway busy, network; try again later
    GIVE_UP = "give_up"  # permanent for this message (content refused, blacklisted number …)
    DEAD_LETTER = "dead_letter"  # configuration staff must fix (template, sign, balance, keys)
    INVALID_NUMBER = "invalid_number"  # 空号 / not a valid number: mark the archive phone 待核实


class ReceiptStatus(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    PENDING = "pending"  # the carrier has not reported yet


class SmsDeliveryError(Exception):
    """The gateway did not accept the message. `retryable` tells whether trying again later can
    help; callers of `send_sms` that predate the batch API retry every SmsDeliveryError."""

    retryable = True

    def __init__(self, message: str = "", *, result: "SmsResult | None" = None):
        super().__init__(message or (result.reason if result else ""))
        self.result = result


class SmsPermanentError(SmsDeliveryError):
    """Sending this message again will not help (give up, dead letter or invalid number);
    `result.outcome` says which."""

    retryable = False


class SmsParamError(SmsPermanentError):
    """A template parameter can never fit the approved template (a link where links are not
    allowed, a code longer than its variable, a missing parameter). The message is Chinese
    and is meant for the staff notice page; the caller marks the delivery failed."""


class SmsConfigurationError(Exception):
    """Settings are missing or inconsistent (no credentials, unknown template kind …)."""


@dataclass(frozen=True)
class SmsRecipient:
    phone: str
    params: dict
    # Our idempotency key of the delivery (e.g. NoticeDelivery.idempotency_key).
    out_id: str


@dataclass(frozen=True)
class SmsResult:
    out_id: str
    phone: str
    outcome: Outcome
    # Aliyun BizId (one per vendor call, shared by its numbers) or Tencent SerialNo (per number).
    vendor_id: str = ""
    # What we sent as Aliyun OutId / Tencent SessionContext for the call; receipts carry it back.
    # It equals out_id when the call held this recipient alone.
    request_ref: str = ""
    code: str = ""  # the vendor's code ("OK", "isv.…", "LimitExceeded.…") or ours ("LOCAL.…")
    reason: str = ""  # Chinese, for staff

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.SENT


@dataclass(frozen=True)
class SmsReceipt:
    """A delivery report from the carrier (QuerySendDetails row or status callback item)."""

    phone: str
    status: ReceiptStatus
    vendor_id: str = ""
    request_ref: str = ""
    code: str = ""
    reason: str = ""
    reported_at: datetime | None = None


@dataclass(frozen=True)
class InboundSms:
    """A reply a member sent to our number (for opt-out)."""

    phone: str
    text: str
    received_at: datetime
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class SmsMessage:
    """One message of the single-send path (`send_sms`)."""

    phone: str
    template: str
    params: dict
    # Sent to the gateway with the message; a gateway that sees the same key twice sends once.
    idempotency_key: str = ""

    @property
    def template_id(self) -> str:
        from .templates import template_code

        return template_code(self.template)


def beijing_time(text: str | None) -> datetime | None:
    """A vendor timestamp "YYYY-MM-DD HH:MM:SS" (Beijing time) as an aware datetime."""
    if not text:
        return None
    return datetime.strptime(f"{text} +0800", "%Y-%m-%d %H:%M:%S %z")

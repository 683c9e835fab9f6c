"""Outgoing text messages through a pluggable backend (settings.SMS_BACKEND).

Chinese SMS gateways only send pre-approved templates, so a message is a template kind from
settings.SMS_TEMPLATES plus parameters, never free text.

- `send_sms(phone=, template=, params=, idempotency_key=)`: one message now (one-time codes).
- `send_batch(template_kind, recipients)`: many; one SmsResult per recipient, in order.
- Backends: console, file, http (one by one), aliyun and tencent (vendor batch APIs).
"""

from django.conf import settings

from .base import (
    InboundSms,
    Outcome,
    ReceiptStatus,
    SmsConfigurationError,
    SmsDeliveryError,
    SmsMessage,
    SmsParamError,
    SmsPermanentError,
    SmsReceipt,
    SmsRecipient,
    SmsResult,
)
from .inbound import SmsCallbackRejected, is_opt_out

__all__ = [
    "InboundSms",
    "Outcome",
    "ReceiptStatus",
    "SmsCallbackRejected",
    "SmsConfigurationError",
    "SmsDeliveryError",
    "SmsMessage",
    "SmsParamError",
    "SmsPermanentError",
    "SmsReceipt",
    "SmsRecipient",
    "SmsResult",
    "get_backend",
    "is_opt_out",
    "send_batch",
    "send_sms",
]


def get_backend():
    from . import simple

    name = settings.SMS_BACKEND
    if name == "aliyun":
        return _aliyun()
    if name == "tencent":
        return _tencent()
    backends = {
        "console": simple.ConsoleBackend,
        "file": simple.FileBackend,
        "http": simple.HttpBackend,
    }
    if name not in backends:
        raise SmsConfigurationError(f"unknown SMS_BACKEND {name!r}")
    return backends[name]()


def _aliyun():
    from .aliyun import AliyunBackend, AliyunConfig

    config = AliyunConfig(
        access_key_id=settings.SMS_ALIYUN_ACCESS_KEY_ID,
        access_key_secret=settings.SMS_ALIYUN_ACCESS_KEY_SECRET,
        endpoint=settings.SMS_ALIYUN_ENDPOINT,
        protocol=settings.SMS_ALIYUN_PROTOCOL,
        timeout_seconds=settings.SMS_HTTP_TIMEOUT,
    )
    return AliyunBackend(
        config=config, sign_name=settings.SMS_SIGN_NAME, templates=settings.SMS_TEMPLATES
    )


def _tencent():
    from .tencent import TencentBackend, TencentConfig

    config = TencentConfig(
        secret_id=settings.SMS_TENCENT_SECRET_ID,
        secret_key=settings.SMS_TENCENT_SECRET_KEY,
        sdk_app_id=settings.SMS_TENCENT_SDK_APP_ID,
        region=settings.SMS_TENCENT_REGION,
        endpoint=settings.SMS_TENCENT_ENDPOINT,
        protocol=settings.SMS_TENCENT_PROTOCOL,
        timeout_seconds=settings.SMS_HTTP_TIMEOUT,
    )
    return TencentBackend(
        config=config, sign_name=settings.SMS_SIGN_NAME, templates=settings.SMS_TEMPLATES
    )


def send_sms(*, phone: str, template: str, params: dict, idempotency_key: str = "") -> None:
    """Send one message now. Raises SmsDeliveryError when the gateway refuses it; its
    `retryable` is False (SmsPermanentError, SmsParamError) when trying again cannot help."""
    get_backend().send(
        SmsMessage(phone=phone, template=template, params=params, idempotency_key=idempotency_key)
    )


def send_batch(template_kind: str, recipients: list[SmsRecipient]) -> list[SmsResult]:
    """Send one template to many recipients through the configured backend, in as few vendor
    calls as it allows. Never raises for a per-number failure: see SmsResult.outcome."""
    return get_backend().send_batch(template_kind, list(recipients))

"""Outgoing text messages through a pluggable backend (settings.SMS_BACKEND).

Chinese SMS gateways only send pre-approved templates, so a message is a template name from
settings.SMS_TEMPLATES plus parameters, never free text.
"""

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)
_file_lock = threading.Lock()


class SmsDeliveryError(Exception):
    """The gateway did not accept the message; the caller may retry."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    template: str
    params: dict
    # Sent to the gateway with the message; a gateway that sees the same key twice sends once.
    idempotency_key: str = ""

    @property
    def template_id(self) -> str:
        return settings.SMS_TEMPLATES.get(self.template, self.template)


class ConsoleBackend:
    def send(self, message: SmsMessage) -> None:
        print(
            f"[短信] 发往 {message.phone} 模板 {message.template_id} 参数 "
            f"{json.dumps(message.params, ensure_ascii=False)}",
            flush=True,
        )


class FileBackend:
    """Appends one JSON line per message; tests read the file back."""

    def send(self, message: SmsMessage) -> None:
        path = settings.SMS_FILE_PATH
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "phone": message.phone,
                "template": message.template,
                "template_id": message.template_id,
                "params": message.params,
                "idempotency_key": message.idempotency_key,
                "sent_at": timezone.now().isoformat(),
            },
            ensure_ascii=False,
        )
        with _file_lock, open(path, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class HttpBackend:
    """POSTs JSON {phone, sign_name, template_id, params, out_id} to SMS_HTTP_URL, with the
    idempotency key as `out_id` and in the `Idempotency-Key` header."""

    def send(self, message: SmsMessage) -> None:
        if not settings.SMS_HTTP_URL:
            raise SmsDeliveryError("SMS_HTTP_URL is not configured")
        body = json.dumps(
            {
                "phone": message.phone,
                "sign_name": settings.SMS_SIGN_NAME,
                "template_id": message.template_id,
                "params": message.params,
                "out_id": message.idempotency_key,
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            settings.SMS_HTTP_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                "Idempotency-Key": message.idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:
                if not 200 <= response.status < 300:
                    raise SmsDeliveryError(f"gateway answered {response.status}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SmsDeliveryError(str(exc)) from exc


BACKENDS = {"console": ConsoleBackend, "file": FileBackend, "http": HttpBackend}


def get_backend():
    return BACKENDS[settings.SMS_BACKEND]()


def send_sms(*, phone: str, template: str, params: dict, idempotency_key: str = "") -> None:
    """Send one message now. Raises SmsDeliveryError when the gateway refuses it."""
    get_backend().send(
        SmsMessage(phone=phone, template=template, params=params, idempotency_key=idempotency_key)
    )

"""Backends for development, tests and a generic JSON gateway: console, file and http.

They send one message at a time; `send_batch` loops over `send` and reports a refused message
as a retry (these backends know no vendor codes).
"""

import json
import logging
import threading
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

from .base import Outcome, SmsDeliveryError, SmsMessage, SmsRecipient, SmsResult

logger = logging.getLogger(__name__)
_file_lock = threading.Lock()


class OneByOneBackend:
    def send(self, message: SmsMessage) -> None:
        raise NotImplementedError

    def send_batch(self, template_kind: str, recipients: list[SmsRecipient]) -> list[SmsResult]:
        return [self._send_one(template_kind, recipient) for recipient in recipients]

    def _send_one(self, template_kind: str, recipient: SmsRecipient) -> SmsResult:
        message = SmsMessage(
            phone=recipient.phone,
            template=template_kind,
            params=recipient.params,
            idempotency_key=recipient.out_id,
        )
        try:
            self.send(message)
        except SmsDeliveryError as exc:
            outcome = Outcome.RETRY if exc.retryable else Outcome.GIVE_UP
            return SmsResult(
                recipient.out_id, recipient.phone, outcome, code="LOCAL.SEND", reason=str(exc)[:200]
            )
        return SmsResult(
            recipient.out_id, recipient.phone, Outcome.SENT, request_ref=recipient.out_id, code="OK"
        )


class ConsoleBackend(OneByOneBackend):
    def send(self, message: SmsMessage) -> None:
        print(
            f"[短信] 发往 {message.phone} 模板 {message.template_id} 参数 "
            f"{json.dumps(message.params, ensure_ascii=False)}",
            flush=True,
        )


class FileBackend(OneByOneBackend):
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


class HttpBackend(OneByOneBackend):
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

"""What the vendor backends share: checking numbers and parameters before any call, grouping
recipients into as few vendor calls as the vendor allows, and one result per recipient."""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .base import (
    Outcome,
    SmsDeliveryError,
    SmsMessage,
    SmsParamError,
    SmsPermanentError,
    SmsRecipient,
    SmsResult,
)
from .templates import TemplateSpec, VendorLimits, local_failure, mainland_number, render_params


@dataclass(frozen=True)
class Prepared:
    """A recipient that passed the local checks: `number` is the 11-digit mainland number,
    `values` the template parameters fitted to their variables (in template order)."""

    index: int
    recipient: SmsRecipient
    number: str
    values: dict

    @property
    def params_key(self) -> tuple:
        return tuple(self.values.items())


@dataclass(frozen=True)
class CodeRule:
    outcome: Outcome
    reason: str


def classify(table: dict, prefixes: Sequence, code: str, message: str = "") -> CodeRule:
    """The rule for a vendor code: exact entry, then the first matching prefix, then give up
    (an unknown code is not worth hammering the gateway with)."""
    if code in table:
        return table[code]
    for prefix, rule in prefixes:
        if code.startswith(prefix):
            return rule
    return CodeRule(Outcome.GIVE_UP, f"未识别的网关错误码 {code}：{message}"[:200])


def request_ref(items: Sequence[Prepared]) -> str:
    """OutId / SessionContext of one vendor call: the delivery's own out_id when the call holds
    one recipient, else a digest of all of them (the vendors take one value per call)."""
    if len(items) == 1:
        return items[0].recipient.out_id[:256]
    digest = hashlib.sha256("\n".join(p.recipient.out_id for p in items).encode()).hexdigest()
    return f"batch-{digest[:32]}"


def chunks_without_repeats(items: Iterable[Prepared], size: int) -> list[list[Prepared]]:
    """Chunks of at most `size`, never holding one number twice (the vendors' per-number
    answers could not be told apart); order is kept within each chunk."""
    chunks: list[list[Prepared]] = []
    numbers: list[set] = []
    for item in items:
        for chunk, seen in zip(chunks, numbers, strict=True):
            if len(chunk) < size and item.number not in seen:
                chunk.append(item)
                seen.add(item.number)
                break
        else:
            chunks.append([item])
            numbers.append({item.number})
    return chunks


def results_for(items: Sequence[Prepared], rule: CodeRule, *, code: str, vendor_id: str = ""):
    ref = request_ref(items)
    return [
        (
            p.index,
            SmsResult(
                out_id=p.recipient.out_id,
                phone=p.recipient.phone,
                outcome=rule.outcome,
                vendor_id=vendor_id,
                request_ref=ref,
                code=code,
                reason=rule.reason,
            ),
        )
        for p in items
    ]


class GatewayBackend:
    """Base of the vendor backends. Subclasses set `limits` and implement
    `_send_prepared(spec, items) -> Iterable[(index, SmsResult)]`."""

    limits: VendorLimits

    def __init__(self, *, sign_name: str, templates: dict):
        self.sign_name = sign_name
        self.templates = templates

    def send_batch(self, template_kind: str, recipients: Sequence[SmsRecipient]) -> list:
        from .templates import template_spec

        spec = template_spec(template_kind, self.templates)
        results: dict[int, SmsResult] = {}
        prepared = []
        for index, recipient in enumerate(recipients):
            checked = self._prepare(spec, index, recipient)
            if isinstance(checked, SmsResult):
                results[index] = checked
            else:
                prepared.append(checked)
        if prepared:
            results.update(self._send_prepared(spec, prepared))
        return [results[index] for index in range(len(recipients))]

    def _prepare(self, spec: TemplateSpec, index: int, recipient: SmsRecipient):
        number = mainland_number(recipient.phone)
        if number is None:
            return local_failure(
                recipient, Outcome.INVALID_NUMBER, "LOCAL.INVALID_NUMBER", "手机号码格式不正确"
            )
        try:
            values = render_params(spec, recipient.params, self.limits)
        except SmsParamError as exc:
            return local_failure(recipient, Outcome.GIVE_UP, "LOCAL.PARAM", str(exc))
        return Prepared(index=index, recipient=recipient, number=number, values=values)

    def _send_prepared(self, spec: TemplateSpec, items: list[Prepared]):
        raise NotImplementedError

    def send(self, message: SmsMessage) -> None:
        """The single-send path of `send_sms`: raises SmsDeliveryError (retry) or
        SmsPermanentError / SmsParamError (no retry) when the message was not accepted."""
        from .templates import template_spec

        spec = template_spec(message.template, self.templates)
        recipient = SmsRecipient(
            phone=message.phone,
            params=message.params,
            out_id=message.idempotency_key
            or f"single-{hashlib.sha1(repr(message).encode()).hexdigest()[:20]}",
        )
        checked = self._prepare(spec, 0, recipient)
        if isinstance(checked, SmsResult):
            error = SmsParamError if checked.code == "LOCAL.PARAM" else SmsPermanentError
            raise error(checked.reason, result=checked)
        (_, result), *_ = list(self._send_prepared(spec, [checked]))
        if result.outcome == Outcome.RETRY:
            raise SmsDeliveryError(f"{result.code}: {result.reason}", result=result)
        if result.outcome != Outcome.SENT:
            raise SmsPermanentError(f"{result.code}: {result.reason}", result=result)

"""Templates per message kind, and fitting parameters into the vendor's variable limits.

settings.SMS_TEMPLATES[kind] = {
    "code": "SMS_123456",                 # the approved template's code / id at the vendor
    "params": {"title": 35, "days": None},  # ordered (Tencent fills {1}, {2} … in this order)
    "types": {"days": "number"},          # optional; default "text"
}
A max_len of None takes the vendor's default for the variable's type (VendorLimits below;
the README cites the vendors' rules). A text value that is too long is cut at a character
boundary and ends in "…"; a value that can never fit raises SmsParamError with a Chinese reason.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from .base import Outcome, SmsConfigurationError, SmsParamError, SmsResult

ELLIPSIS = "…"
PARAM_TYPES = ("text", "code", "number", "phone", "time", "money", "link")
# Either a scheme or a www. host, or a bare host with a common TLD followed by a path.
_LINK = re.compile(
    r"(https?://|www\.|[a-z0-9-]+\.(?:cn|com|net|org|gov|edu|top|xyz|cc|me|io)(?:/|\b))", re.I
)
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")


@dataclass(frozen=True)
class VendorLimits:
    """A vendor's default variable lengths by type; `links` lists the types that may carry a
    link (empty: no variable may)."""

    vendor: str
    lengths: dict
    links: frozenset = field(default_factory=frozenset)
    code_pattern: str = r"^[0-9A-Za-z]+$"

    def default_length(self, kind: str) -> int:
        return self.lengths[kind]


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    code: str
    params: dict  # name -> max_len or None, in template order
    types: dict

    def type_of(self, name: str) -> str:
        return self.types.get(name, "text")


def template_spec(kind: str, templates: dict | None = None) -> TemplateSpec:
    templates = settings.SMS_TEMPLATES if templates is None else templates
    if kind not in templates:
        raise SmsConfigurationError(f"SMS_TEMPLATES has no template for {kind!r}")
    entry = templates[kind]
    if isinstance(entry, str):  # the older form: a code only; parameters pass unchecked
        return TemplateSpec(kind=kind, code=entry, params={}, types={})
    types = dict(entry.get("types") or {})
    unknown = set(types.values()) - set(PARAM_TYPES)
    if unknown:
        raise SmsConfigurationError(f"SMS_TEMPLATES[{kind!r}] has unknown types {unknown}")
    return TemplateSpec(
        kind=kind, code=entry["code"], params=dict(entry.get("params") or {}), types=types
    )


def template_code(kind: str) -> str:
    templates = settings.SMS_TEMPLATES
    if kind not in templates:
        return kind
    return template_spec(kind, templates).code


def render_params(spec: TemplateSpec, params: dict, limits: VendorLimits) -> dict[str, str]:
    """The values to send, in template order, each fitted to its variable. Parameters the
    template does not name are dropped. Raises SmsParamError for a value that cannot fit."""
    if not spec.params:  # older string form: send as given
        return {name: str(value) for name, value in params.items()}
    return {
        name: fit_value(
            spec=spec, name=name, value=params.get(name), max_len=max_len, limits=limits
        )
        for name, max_len in spec.params.items()
    }


def fit_value(*, spec, name, value, max_len, limits: VendorLimits) -> str:
    kind = spec.type_of(name)
    text = "" if value is None else str(value).strip()
    limit = max_len or limits.default_length(kind)
    if not text:
        raise SmsParamError(f"短信模板“{spec.kind}”缺少参数“{name}”")
    if kind == "link" or _LINK.search(text):
        return _fit_link(spec=spec, name=name, text=text, kind=kind, limit=limit, limits=limits)
    if kind == "code":
        if not re.match(limits.code_pattern, text) or len(text) > limit:
            raise SmsParamError(
                f"验证码“{text[:8]}…”不符合模板“{spec.kind}”的变量规则（最多 {limit} 位"
                f"{'数字' if limits.code_pattern.startswith('^[0-9]') else '字母或数字'}）"
            )
        return text
    if len(text) <= limit:
        return text
    if kind != "text":
        raise SmsParamError(
            f"参数“{name}”（{len(text)} 个字符）超过模板“{spec.kind}”变量的 {limit} 个字符，"
            "且此类变量不能截断"
        )
    return text[: limit - 1].rstrip() + ELLIPSIS


def _fit_link(*, spec, name, text, kind, limit, limits: VendorLimits) -> str:
    if kind not in limits.links:
        raise SmsParamError(
            f"参数“{name}”含有链接，而{_VENDOR_NAMES.get(limits.vendor, limits.vendor)}"
            f"模板“{spec.kind}”的此变量不允许链接：请把链接写在模板的固定文字里"
        )
    if len(text) > limit:
        raise SmsParamError(f"链接长度 {len(text)} 超过模板“{spec.kind}”变量的 {limit} 个字符")
    return text


_VENDOR_NAMES = {"aliyun": "阿里云", "tencent": "腾讯云"}


def mainland_number(phone: str) -> str | None:
    """The 11-digit mainland mobile number in `phone` (+86 / 0086 / 86 prefixes, spaces and
    dashes allowed), or None when it is not one."""
    digits = re.sub(r"[\s-]", "", phone or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    return digits if _MAINLAND_MOBILE.match(digits) else None


def local_failure(recipient, outcome: Outcome, code: str, reason: str) -> SmsResult:
    return SmsResult(
        out_id=recipient.out_id, phone=recipient.phone, outcome=outcome, code=code, reason=reason
    )

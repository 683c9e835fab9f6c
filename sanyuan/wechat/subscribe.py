"""Mini-program subscribe messages (订阅消息): the templates per notice kind, the data that
fits WeChat's value limits, and POST /cgi-bin/message/subscribe/send.

A template's keywords are named by type and number (thing1, time2, phrase3 …); WeChat refuses
a value that breaks its type's limit with 47003, so values are fitted (or refused) here first.
The limits are WeChat's table 订阅消息参数值内容限制说明 (README, WeChat section).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

from django.conf import settings
from django.utils import timezone

from . import transport
from .config import mini_app
from .errors import WechatArgumentError, WechatConfigError
from .token import with_access_token

KEYWORD = re.compile(r"^([a-z_]+?)(\d+)$")
FALLBACK_KIND = "notice"
MINI_PROGRAM_STATES = ("formal", "trial", "developer")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
ONLY_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class SubscribeTemplate:
    kind: str
    template_id: str
    fields: dict[str, str]  # keyword (thing1) → name of the value that fills it (title)


def _parse(kind: str, entry) -> SubscribeTemplate:
    if not isinstance(entry, Mapping):
        raise ValueError(f"WECHAT_SUBSCRIBE_TEMPLATES[{kind!r}] must be an object")
    template_id, fields = entry.get("template_id"), entry.get("fields")
    if not isinstance(template_id, str) or not template_id:
        raise ValueError(f"WECHAT_SUBSCRIBE_TEMPLATES[{kind!r}] needs a template_id")
    if not isinstance(fields, Mapping) or not fields:
        raise ValueError(f"WECHAT_SUBSCRIBE_TEMPLATES[{kind!r}] needs fields")
    for keyword, source in fields.items():
        match = KEYWORD.fullmatch(str(keyword))
        if not match or match.group(1) not in FITTERS:
            raise ValueError(
                f"WECHAT_SUBSCRIBE_TEMPLATES[{kind!r}]: {keyword!r} is not a keyword of a "
                f"known type ({', '.join(sorted(FITTERS))} followed by its number)"
            )
        if not isinstance(source, str) or not source:
            raise ValueError(f"WECHAT_SUBSCRIBE_TEMPLATES[{kind!r}]: {keyword} names no value")
    return SubscribeTemplate(kind=kind, template_id=template_id, fields=dict(fields))


def template_problems() -> list[str]:
    """What is wrong with settings.WECHAT_SUBSCRIBE_TEMPLATES (for the system check)."""
    templates = settings.WECHAT_SUBSCRIBE_TEMPLATES
    if not isinstance(templates, Mapping):
        return ["WECHAT_SUBSCRIBE_TEMPLATES must be a JSON object keyed by notice kind"]
    problems = []
    for kind, entry in templates.items():
        try:
            _parse(kind, entry)
        except ValueError as exc:
            problems.append(str(exc))
    return problems


def subscribe_template(kind: str) -> SubscribeTemplate | None:
    """The template for notices of `kind`, else the "notice" template, else None (the
    subscribe-message channel is off for this kind)."""
    templates = settings.WECHAT_SUBSCRIBE_TEMPLATES or {}
    for name in (kind, FALLBACK_KIND):
        if name in templates:
            try:
                return _parse(name, templates[name])
            except ValueError:
                return None  # the system check reports it
    return None


def subscribe_template_ids() -> dict[str, str]:
    """kind → template_id of every usable template: what the mini-program passes to
    wx.requestSubscribeMessage (at most three per call) to ask the member's consent."""
    templates = settings.WECHAT_SUBSCRIBE_TEMPLATES or {}
    found = {kind: subscribe_template(kind) for kind in templates}
    return {kind: template.template_id for kind, template in found.items() if template}


def subscribe_data(template: SubscribeTemplate, values: Mapping[str, object]) -> dict:
    """The `data` of a send: {"thing1": {"value": "…"}, …}, each value taken from `values` by
    the name the template's fields give, fitted to its keyword type. thing and name values
    are shortened to the limit; a value that cannot fit (a phrase that is not 1–5 Chinese
    characters, a number with letters, a missing value …) raises WechatArgumentError."""
    data = {}
    for keyword, source in template.fields.items():
        kind = KEYWORD.fullmatch(keyword).group(1)
        value = values.get(source)
        text = "" if value is None else FITTERS[kind](value)
        if not text or CONTROL.search(text):
            raise WechatArgumentError(f"argument invalid! data.{keyword}.value {value!r}")
        data[keyword] = {"value": text}
    return data


def send_subscribe_message(
    *,
    openid: str,
    template_id: str,
    data: dict,
    page: str = "",
    miniprogram_state: str | None = None,
    lang: str = "zh_CN",
) -> int | None:
    """Send one subscribe message to a mini-program user; returns WeChat's msgid.

    Refreshes the access_token once if WeChat refuses it. Raises WechatRefusedError (43101:
    not subscribed, decision fallback_sms), WechatArgumentError (47003 …: give_up),
    WechatRateLimitError/WechatBusyError/WechatNetworkError (retry), WechatTokenError when
    refused twice (retry later), WechatConfigError (give_up)."""
    state = miniprogram_state or settings.WECHAT_MINI_PROGRAM_STATE
    if state not in MINI_PROGRAM_STATES:
        raise WechatConfigError(f"WECHAT_MINI_PROGRAM_STATE {state!r}: formal, trial or developer")
    body = {"touser": openid, "template_id": template_id, "data": data}
    body.update({"miniprogram_state": state, "lang": lang})
    if page:
        body["page"] = page

    def send(token: str) -> dict:
        return transport.call(
            "POST", "/cgi-bin/message/subscribe/send", query={"access_token": token}, body=body
        )

    answer = with_access_token(mini_app(), send)
    msgid = answer.get("msgid")
    return msgid if isinstance(msgid, int) else None


def send_subscribe_notice(
    *, openid: str, kind: str, values: Mapping[str, object], page: str = ""
) -> int | None:
    """The template for `kind` (or "notice"), filled from `values`, sent to `openid`.
    WechatConfigError when no template is configured; otherwise as send_subscribe_message."""
    template = subscribe_template(kind)
    if template is None:
        raise WechatConfigError(f"no subscribe-message template for {kind!r} or 'notice'")
    data = subscribe_data(template, values)
    return send_subscribe_message(
        openid=openid, template_id=template.template_id, data=data, page=page
    )


# Fitting values to keyword types ----------------------------------------------------------


def _text(value) -> str:
    return " ".join(str(value).split())


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _matching(pattern: str) -> Callable[[object], str]:
    compiled = re.compile(pattern)

    def fit(value) -> str:
        text = _text(value)
        return text if compiled.fullmatch(text) else ""

    return fit


def _thing(value) -> str:  # 20个以内字符: Chinese, digits, letters or symbols
    return _shorten(_text(value), 20)


def _name(value) -> str:  # 10 Chinese characters, or 20 letters/symbols; mixed counts as Chinese
    text = _text(value)
    return _shorten(text, 10 if HAN.search(text) else 20)


def _phrase(value) -> str:  # 5个以内纯汉字
    text = _text(value)
    return text if ONLY_HAN.fullmatch(text) and len(text) <= 5 else ""


def _when(moment: datetime) -> str:
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


_DATE_OR_TIME_TEXT = r"^[0-9年月日:\-/. ~]{3,40}$"


def _time(value) -> str:  # 24-hour time, optionally with the date: 2019年10月1日 15:01
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, time):
        return f"{value:%H:%M}"
    return _matching(_DATE_OR_TIME_TEXT)(value)


def _date(value) -> str:  # 2019年10月1日, optionally with the time
    if isinstance(value, datetime):
        return _when(value)
    if isinstance(value, date):
        return f"{value.year}年{value.month}月{value.day}日"
    return _matching(_DATE_OR_TIME_TEXT)(value)


FITTERS: dict[str, Callable[[object], str]] = {
    "thing": _thing,
    "name": _name,
    "phrase": _phrase,
    "time": _time,
    "date": _date,
    "number": _matching(r"^(?=.{1,32}$)\d+(\.\d+)?$"),
    "letter": _matching(r"^[A-Za-z]{1,32}$"),
    "symbol": _matching(r"^[^\w\s\u3400-\u9fff]{1,5}$"),
    "character_string": _matching(r"^[\x21-\x7e]{1,32}$"),
    "amount": _matching(r"^[¥￥$]?\d{1,10}(\.\d{1,2})?元?$"),
    "phone_number": _matching(r"^[0-9+\-() ]{1,17}$"),
    "car_number": _matching(r"^[\u4e00-\u9fffA-Z0-9]{1,8}$"),
}

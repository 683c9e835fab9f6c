"""Subscribe messages (订阅消息): what members accepted in the mini-program, and the push
channel of notices (settings.NOTICE_PUSH_CHANNEL, members/services/notice_push.py).

A one-time subscription allows ONE message: the mini-program asks with
wx.requestSubscribeMessage (at most three templates a call) and posts the answer here; each
"accept" adds one to `remaining` for that template, each message sent takes one away (a
conditional UPDATE, so two notices never spend one acceptance twice). "reject" and "ban" set
it to zero: the member (or WeChat) said no, and we do not push against a no.
"""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from members.models import Notice, Organization
from members.services.notice_push import PushResult
from sanyuan import wechat
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions
from ..models import WechatBinding, WechatSubscription

# wx.requestSubscribeMessage's answers per template id. Newer clients answer
# acceptWithAudio / acceptWithAlert when the member also turned on a sound or an alert.
ACCEPTED = frozenset({"accept", "acceptWithAudio", "acceptWithAlert"})
REFUSED = frozenset({"reject", "ban"})
IGNORED = frozenset({"filter"})  # WeChat filtered the template out of the dialog: no answer
ANSWERS = ACCEPTED | REFUSED | IGNORED


def subscription_templates() -> dict[str, str]:
    """Notice kind → template id of every configured template (what the client asks for)."""
    return wechat.subscribe_template_ids()


def _mini_binding_of(actor) -> WechatBinding | None:
    """The member's binding of the configured mini-program (None: not bound or no
    mini-program). PermissionDenied for anyone but a member."""
    if not permissions.can_bind(actor):
        raise PermissionDenied("仅限流动党员本人使用。")
    if not wechat.mini_configured():
        return None
    member = permissions.scope_of(actor).member
    return WechatBinding.objects.filter(member=member, app_id=wechat.mini_app().app_id).first()


def subscription_list(*, actor) -> list[dict]:
    """Each configured template with how many messages of it the member still allows (none
    before the mini-program is bound; no templates without a mini-program)."""
    binding = _mini_binding_of(actor)
    if not wechat.mini_configured():
        return []
    rows = WechatSubscription.objects.filter(binding=binding) if binding else []
    remaining = {row.template_id: row.remaining for row in rows}
    labels = dict(Notice.Kind.choices)
    return [
        {
            "kind": kind,
            "kind_label": labels.get(kind, "通知"),
            "template_id": template_id,
            "remaining": remaining.get(template_id, 0),
        }
        for kind, template_id in sorted(subscription_templates().items())
    ]


def _clean_answers(app_id: str | None, answers) -> dict[str, str]:
    if app_id and app_id != wechat.mini_app().app_id:
        raise ServiceError("AppID 不是本站的小程序。", field="app_id")
    if not isinstance(answers, Mapping):
        raise ServiceError("订阅结果格式不正确。", field="accepted")
    known = set(subscription_templates().values())
    cleaned = {}
    for template_id, answer in answers.items():
        if template_id == "errMsg":  # the client may pass wx's whole success result
            continue
        if template_id not in known:
            raise ServiceError(f"未知的订阅消息模板：{str(template_id)[:64]}", field="accepted")
        if answer not in ANSWERS:
            raise ServiceError(f"无法识别的订阅结果：{str(answer)[:20]}", field="accepted")
        cleaned[template_id] = answer
    if not cleaned:
        raise ServiceError("没有订阅结果。", field="accepted")
    return cleaned


def subscription_record(*, actor, app_id: str | None = None, answers) -> list[dict]:
    """Record the member's answers to wx.requestSubscribeMessage ({template_id: "accept" …})
    for their mini-program binding; returns subscription_list. Nothing is changed when any
    answer is invalid."""
    binding = _mini_binding_of(actor)
    if not wechat.mini_configured():
        raise StateConflict("本站尚未开通微信小程序。", code="not_configured")
    if binding is None:
        raise StateConflict("请先在小程序中绑定微信，再订阅消息提醒。", code="not_bound")
    cleaned = _clean_answers(app_id, answers)
    with transaction.atomic():
        for template_id, answer in cleaned.items():
            row, _ = WechatSubscription.objects.get_or_create(
                binding=binding, template_id=template_id
            )
            changes: dict = {"last_result": answer}
            if answer in ACCEPTED:
                changes.update(remaining=F("remaining") + 1, accepted_total=F("accepted_total") + 1)
            elif answer in REFUSED:
                changes["remaining"] = 0
            WechatSubscription.objects.filter(pk=row.pk).update(**changes)
    return subscription_list(actor=actor)


# The push channel ----------------------------------------------------------------------------


def _organization_name(notice: Notice) -> str:
    name = (
        Organization.objects.filter(pk=notice.audience_organization_id)
        .values_list("name", flat=True)
        .first()
    )
    return name or settings.SITE_NAME


# The values a template's fields may name (README "Subscribe messages").
NOTICE_VALUES = {
    "title": lambda notice: notice.title,
    "body": lambda notice: notice.body or notice.title,
    "kind": lambda notice: notice.get_kind_display(),
    "sent_at": lambda notice: notice.created_at,
    "organization": _organization_name,
    "site": lambda notice: settings.SITE_NAME,
}


def notice_values(notice: Notice, template: wechat.SubscribeTemplate) -> dict:
    names = set(template.fields.values())
    return {name: value(notice) for name, value in NOTICE_VALUES.items() if name in names}


def _spend(binding_id: int, template_id: str) -> bool:
    """Take one acceptance, atomically; False when none is left."""
    return bool(
        WechatSubscription.objects.filter(
            binding_id=binding_id, template_id=template_id, remaining__gt=0
        ).update(remaining=F("remaining") - 1)
    )


def _failed(binding_id: int, template_id: str, exc: wechat.WechatError) -> PushResult:
    """WeChat refused (43101: no subscription; 40003: not a user): none is left. Any other
    failure sent nothing, so the acceptance is given back for the next try or notice."""
    subscription = WechatSubscription.objects.filter(binding_id=binding_id, template_id=template_id)
    if isinstance(exc, wechat.WechatRefusedError):
        subscription.update(remaining=0)
    else:
        subscription.update(remaining=F("remaining") + 1)
    retry = exc.decision in (wechat.Decision.RETRY, wechat.Decision.REFRESH_TOKEN)
    return PushResult(PushResult.RETRY if retry else PushResult.FALLBACK, exc.reason)


class SubscribeChannel:
    """members.services.notice_push.PushChannel over mini-program subscribe messages."""

    def recipients(self, *, kind: str, member_ids: list[int]) -> set[int]:
        template = wechat.subscribe_template(kind)
        if template is None or not wechat.mini_configured():
            return set()
        return set(
            WechatSubscription.objects.filter(
                binding__member_id__in=member_ids,
                binding__app_id=wechat.mini_app().app_id,
                template_id=template.template_id,
                remaining__gt=0,
            ).values_list("binding__member_id", flat=True)
        )

    def send(self, *, member_id: int, notice: Notice) -> PushResult:
        template = wechat.subscribe_template(notice.kind)
        if template is None or not wechat.mini_configured():
            return PushResult(PushResult.FALLBACK, "no subscribe-message template or mini-program")
        binding = (
            WechatBinding.objects.filter(member_id=member_id, app_id=wechat.mini_app().app_id)
            .values("pk", "openid")
            .first()
        )
        if binding is None:
            return PushResult(PushResult.FALLBACK, "mini-program not bound")
        if not _spend(binding["pk"], template.template_id):
            return PushResult(PushResult.FALLBACK, "no accepted subscription left")
        page = settings.WECHAT_SUBSCRIBE_PAGE.replace("{notice_id}", str(notice.pk))
        try:
            data = wechat.subscribe_data(template, notice_values(notice, template))
            msgid = wechat.send_subscribe_message(
                openid=binding["openid"], template_id=template.template_id, data=data, page=page
            )
        except wechat.WechatError as exc:
            return _failed(binding["pk"], template.template_id, exc)
        return PushResult(PushResult.SENT, vendor_id="" if msgid is None else str(msgid))


SUBSCRIBE_CHANNEL = SubscribeChannel()

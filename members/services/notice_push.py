"""A push channel before the text message (README "Subscribe messages"): members who asked for
a notice kind in WeChat get it as a mini-program subscribe message instead of an SMS.

The channel itself lives in a feature app (`wechat_accounts`, which members never import):
settings.NOTICE_PUSH_CHANNEL names an object with

    recipients(*, kind, member_ids) -> set[int]   members it can reach now with that kind
    send(*, member_id, notice) -> PushResult      one message, consuming what it must

At dispatch a member the channel can reach gets a `wechat` delivery instead of the `sms` one
(`sms_fallback` says whether a text was due); the inbox is untouched. At send time a refusal
(not subscribed, bad data, nothing left to use) falls back to that text exactly once, and a
transient failure is retried by the Celery task up to NOTICE_PUSH_MAX_ATTEMPTS, then falls
back too.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from members.models import Member, Notice, NoticeDelivery
from members.services import sms_reach
from members.services.delivery_rows import NewDelivery
from sanyuan.queue import enqueue_now

logger = logging.getLogger(__name__)

S = NoticeDelivery.Status
WECHAT = NoticeDelivery.Channel.WECHAT


@dataclass(frozen=True)
class PushResult:
    SENT = "sent"
    RETRY = "retry"  # transient: the task runs again after the backoff
    FALLBACK = "fallback"  # this member cannot be reached this way now: send the text

    outcome: str
    reason: str = ""
    vendor_id: str = ""


class PushChannel(Protocol):
    def recipients(self, *, kind: str, member_ids: list[int]) -> set[int]: ...

    def send(self, *, member_id: int, notice: Notice) -> PushResult: ...


def push_channel() -> PushChannel | None:
    path = settings.NOTICE_PUSH_CHANNEL
    return import_string(path) if path else None


def push_recipients(notice: Notice, member_ids) -> set[int]:
    """The members of `member_ids` the push channel reaches with this notice's kind (one
    query per call when the kind has a template, none when the channel is off for it)."""
    channel = push_channel()
    ids = list(member_ids)
    if channel is None or not ids:
        return set()
    return channel.recipients(kind=notice.kind, member_ids=ids)


def push_row(notice: Notice, *, member_id: int, user_id, sms_fallback: bool) -> NewDelivery:
    return NewDelivery(notice.pk, member_id, user_id, WECHAT, sms_fallback=sms_fallback)


def push_delivery_send(delivery: NoticeDelivery) -> str:
    """Send a claimed push delivery (status SENDING, `notice` loaded) and record the outcome.
    Returns the new status; FAILED means the caller schedules a retry."""
    channel = push_channel()
    if channel is None:
        result = PushResult(PushResult.FALLBACK, "push channel off (NOTICE_PUSH_CHANNEL)")
    else:
        try:
            result = channel.send(member_id=delivery.member_id, notice=delivery.notice)
        except Exception as exc:  # a channel bug must not lose the notice: the text goes
            logger.exception("push delivery %s failed", delivery.pk)
            result = PushResult(PushResult.FALLBACK, f"channel error: {exc}")
    if result.outcome == PushResult.SENT:
        return _update(
            delivery,
            S.SENT,
            vendor_id=result.vendor_id[:64],
            sent_at=timezone.now(),
            last_error="",
            next_attempt_at=None,
        )
    if result.outcome == PushResult.RETRY and delivery.attempts < settings.NOTICE_PUSH_MAX_ATTEMPTS:
        countdown = sms_reach.retry_backoff(delivery.attempts)
        later = timezone.now() + timedelta(seconds=countdown)
        return _update(delivery, S.FAILED, last_error=result.reason, next_attempt_at=later)
    return push_fall_back(delivery, reason=result.reason)


def _update(delivery: NoticeDelivery, status: str, **fields) -> str:
    if "last_error" in fields:
        fields["last_error"] = (fields["last_error"] or "")[:300]
    NoticeDelivery.objects.filter(pk=delivery.pk).update(status=status, **fields)
    delivery.status = status
    for name, value in fields.items():
        setattr(delivery, name, value)
    return status


def push_fall_back(delivery: NoticeDelivery, *, reason: str) -> str:
    """Close the push delivery and, when a text was due, create that SMS delivery (at most
    one per member and notice: the outbox's unique constraint) and send it."""
    status = S.FELL_BACK if delivery.sms_fallback else S.GAVE_UP
    sms_id = None
    with transaction.atomic():
        _update(delivery, status, last_error=reason)
        if delivery.sms_fallback:
            sms_id = _fallback_sms_create(delivery)
    if sms_id is not None:
        enqueue_now("members.notice-delivery-send", sms_id)
    return status


def _fallback_sms_create(delivery: NoticeDelivery) -> int | None:
    """The SMS delivery the member would have had; its id when it is to be sent."""
    member = (
        Member.objects.filter(pk=delivery.member_id)
        .values("sms_opt_out", "phone_invalid_at", "phone_hash")
        .first()
    )
    if member is None:
        return None
    status = sms_reach.sms_status_for(
        has_phone=bool(member["phone_hash"]),
        opted_out=member["sms_opt_out"],
        phone_invalid=member["phone_invalid_at"] is not None,
    )
    try:
        with transaction.atomic():
            sms = NoticeDelivery.objects.create(
                notice_id=delivery.notice_id,
                member_id=delivery.member_id,
                user_id=delivery.user_id,
                channel=NoticeDelivery.Channel.SMS,
                status=status,
            )
    except IntegrityError:
        return None  # already fallen back once
    return sms.pk if status == S.PENDING else None

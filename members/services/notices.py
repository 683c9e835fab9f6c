"""The one notice service every app publishes through (DESIGN.md, "Notice").

`notice_publish` stores the notice in the caller's transaction: the notice row is the
outbox. After commit, a Celery task works out who also gets an SMS or e-mail and creates one
`NoticeDelivery` per recipient and channel; another task sends each. A periodic sweeper
re-sends whatever a lost task or a down broker left behind.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members import permissions
from members.models import (
    Member,
    Notice,
    NoticeDelivery,
    NoticeInboxState,
    NoticePreference,
    NoticeRead,
    NoticeRecipient,
    TemporaryBranchMembership,
    User,
)
from members.services import notice_push, sms_reach
from members.services.delivery_rows import NewDelivery, deliveries_insert
from members.services.notice_audience import Audience
from sanyuan.errors import ServiceError
from sanyuan.queue import enqueue_now, enqueue_on_commit

logger = logging.getLogger(__name__)

K = Notice.Kind
A = Notice.Audience

# Kinds that always go out by SMS as well, whatever the member's preference.
ALWAYS_SMS_KINDS = Notice.ALWAYS_SMS_KINDS
# Kinds staff receive by e-mail unless they opted out.
SMS = NoticeDelivery.Channel.SMS
STAFF_EMAIL_KINDS = frozenset({K.HOSTING, K.CONTACT, K.TRANSFER, K.SYSTEM})


def notice_publish(
    *,
    audience: Audience,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    created_by: User | None = None,
    dedupe_key: str | None = None,
) -> Notice | None:
    """Store one notice for `audience` in the current transaction; external channels follow
    after commit. With `dedupe_key`, a second call with the same key does nothing and
    returns None."""
    if kind not in K.values:
        raise ServiceError("通知类型无效。", field="kind")
    title = (title or "").strip()
    if not title:
        raise ServiceError("通知标题不能为空。", field="title")
    if audience.type != A.USERS and audience.organization is None:
        raise ServiceError("请指定通知对象组织。", field="audience")
    if audience.type == A.USERS and not audience.users:
        return None
    if link and not link.startswith("/"):
        raise ServiceError("通知链接必须是站内地址。", field="link")
    provinces = [str(code) for code in audience.provinces if str(code).isdigit()]
    with transaction.atomic():
        if dedupe_key and Notice.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        try:
            with transaction.atomic():
                notice = Notice.objects.create(
                    kind=kind,
                    title=title[:120],
                    body=body,
                    link=link,
                    audience=audience.type,
                    audience_organization=audience.organization,
                    filter_provinces=f",{','.join(provinces)}," if provinces else "",
                    has_filters=bool(audience.skills or provinces),
                    created_by=created_by,
                    dedupe_key=dedupe_key,
                )
        except IntegrityError:
            if dedupe_key:
                return None  # a concurrent publish with the same key won
            raise
        if audience.skills:
            notice.filter_skills.set(audience.skills)
        if audience.type == A.USERS:
            unique = {user.pk: user for user in audience.users}
            NoticeRecipient.objects.bulk_create(
                [NoticeRecipient(notice=notice, user_id=pk) for pk in unique]
            )
            for pk in unique:
                cache.delete(unread_cache_key(pk))

        enqueue_on_commit("members.notice-dispatch", notice.pk)
    return notice


# Inbox -----------------------------------------------------------------------------------


def unread_cache_key(user_id: int) -> str:
    return f"notice-unread:{user_id}"


def notice_mark_read(*, user: User, notice: Notice) -> None:
    """Caller checked that the user sees the notice (selectors.notice_get)."""
    NoticeRead.objects.get_or_create(user=user, notice=notice)
    cache.delete(unread_cache_key(user.pk))


def notice_mark_read_links(*, user: User, prefix: str, seen) -> int:
    """The user saw what some links point at (a forum page showed the replies): the notices
    addressed to the user by name whose link starts with `prefix` and for which `seen(link)`
    is true count as read. Returns how many."""
    if not user.is_authenticated:
        return 0
    unread = [
        pk
        for pk, link in NoticeRecipient.objects.filter(user=user, notice__link__startswith=prefix)
        .exclude(notice__reads__user=user)
        .values_list("notice_id", "notice__link")
        if seen(link)
    ]
    if unread:
        NoticeRead.objects.bulk_create(
            [NoticeRead(user=user, notice_id=pk) for pk in unread], ignore_conflicts=True
        )
        cache.delete(unread_cache_key(user.pk))
    return len(unread)


def notice_mark_all_read(*, user: User) -> None:
    NoticeInboxState.objects.update_or_create(
        user=user, defaults={"read_all_before": timezone.now()}
    )
    cache.delete(unread_cache_key(user.pk))


def notice_preference_set(
    *, user: User, kind: str, sms: bool | None = None, email: bool | None = None
):
    if kind not in K.values:
        raise ServiceError("通知类型无效。", field="kind")
    pref, _ = NoticePreference.objects.get_or_create(user=user, kind=kind)
    if sms is not None:
        pref.sms = bool(sms)
    if email is not None:
        pref.email = bool(email)
    pref.save()
    return pref


# Dispatch: who gets an SMS or an e-mail --------------------------------------------------

DISPATCH_CHUNK = 1000


def _member_audience(notice: Notice):
    """Every member of a broadcast audience, with or without an account, as a queryset."""
    org = notice.audience_organization
    qs = Member.objects.all()
    if notice.audience == A.SUBTREE:
        qs = qs.filter(organization__path__startswith=org.path)
        if notice.has_filters:
            q = Q(pk__in=[])
            skills = list(notice.filter_skills.values_list("pk", flat=True))
            if skills:
                q |= Q(skills__in=skills)
            provinces = [code for code in notice.filter_provinces.split(",") if code]
            if provinces:
                q |= Q(destination_province__in=provinces)
            qs = qs.filter(pk__in=Member.objects.filter(q).values("pk"))
        qs = qs.filter(created_at__lte=notice.created_at)
    elif notice.audience == A.TEMPORARY_BRANCH:
        qs = qs.filter(
            pk__in=TemporaryBranchMembership.objects.filter(
                branch=org, left_at__isnull=True
            ).values("member_id")
        )
    elif notice.audience == A.HOSTED:
        qs = qs.filter(host_organization__path__startswith=org.path)
    else:
        return Member.objects.none()
    return qs


def notice_dispatch(*, notice_id: int) -> int:
    """Create the external deliveries of a notice and send them; idempotent and resumable
    (progress is kept in `dispatch_cursor`). Returns the number of deliveries created.

    Members with an active account read the notice in their inbox (counted in
    `inbox_count`) and get an SMS by their preferences; members without one get the kinds in
    Notice.MEMBER_SMS_KINDS by SMS, or a row saying why not (no phone, opted out, 号码待核实)."""
    notice = Notice.objects.select_related("audience_organization").filter(pk=notice_id).first()
    if notice is None or notice.dispatched_at is not None:
        return 0
    created = 0
    if notice.audience == A.USERS:
        user_ids = list(notice.recipients.values_list("user_id", flat=True))
        created += _create_deliveries_for_users(notice, user_ids)
        notice.inbox_count = len(user_ids)
    elif notice.audience == A.STAFF:
        staff_ids = list(
            permissions.staff_of(notice.audience_organization).values_list("pk", flat=True)
        )
        created += _create_deliveries_for_users(notice, staff_ids)
        notice.inbox_count = len(staff_ids)
    else:
        members = _member_audience(notice)
        while True:
            chunk = list(
                members.filter(pk__gt=notice.dispatch_cursor)
                .order_by("pk")
                .values_list(
                    "pk",
                    "user_id",
                    "user__is_active",
                    "sms_opt_out",
                    "phone_invalid_at",
                    "phone_hash",
                )[:DISPATCH_CHUNK]
            )
            if not chunk:
                break
            with transaction.atomic():
                rows, inbox = _member_deliveries(notice, chunk)
                created += deliveries_insert(rows)
                notice.inbox_count = (notice.inbox_count or 0) + inbox
                notice.dispatch_cursor = chunk[-1][0]
                notice.save(update_fields=["dispatch_cursor", "inbox_count"])
    Notice.objects.filter(pk=notice.pk).update(
        dispatched_at=timezone.now(), inbox_count=notice.inbox_count
    )
    _enqueue_pending(notice)
    return created


def _member_deliveries(notice: Notice, chunk: list) -> tuple[list[NewDelivery], int]:
    """The SMS rows (or push rows, for members the push channel reaches) of one chunk of
    members (pk, user_id, active, opted out, invalid, phone hash) and how many read it in
    their inbox."""
    push = notice_push.push_recipients(notice, (pk for pk, *_ in chunk))
    opted_in = set(
        NoticePreference.objects.filter(
            user_id__in=[user_id for _, user_id, *_ in chunk if user_id],
            kind=notice.kind,
            sms=True,
        ).values_list("user_id", flat=True)
    )
    rows, inbox = [], 0
    for pk, user_id, active, opted_out, invalid_at, phone_hash in chunk:
        account = bool(user_id and active)
        status = sms_reach.sms_status_for(
            has_phone=bool(phone_hash), opted_out=opted_out, phone_invalid=invalid_at is not None
        )
        if account:
            inbox += 1
            wants = notice.kind in ALWAYS_SMS_KINDS or user_id in opted_in
            # Otherwise reached by the inbox; no text needed or possible.
            texted = wants and status == NoticeDelivery.Status.PENDING
        else:
            texted = notice.kind in Notice.MEMBER_SMS_KINDS
        if pk in push:
            rows.append(
                notice_push.push_row(
                    notice, member_id=pk, user_id=user_id if account else None, sms_fallback=texted
                )
            )
            continue
        if not texted:
            continue
        rows.append(NewDelivery(notice.pk, pk, user_id if account else None, SMS, status))
    return rows, inbox


def _create_deliveries_for_users(notice: Notice, user_ids: list[int]) -> int:
    if not user_ids:
        return 0
    members = {
        user_id: (pk, opted_out, invalid_at, bool(phone_hash))
        for pk, user_id, opted_out, invalid_at, phone_hash in Member.objects.filter(
            user_id__in=user_ids
        ).values_list("pk", "user_id", "sms_opt_out", "phone_invalid_at", "phone_hash")
    }
    push = notice_push.push_recipients(notice, (pk for pk, *_ in members.values()))
    prefs = {
        p.user_id: p
        for p in NoticePreference.objects.filter(user_id__in=user_ids, kind=notice.kind)
    }
    emails = dict(User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", "email"))
    rows = []
    for user_id in user_ids:
        pref = prefs.get(user_id)
        member = members.get(user_id)
        texted = False
        if member and (notice.kind in ALWAYS_SMS_KINDS or (pref and pref.sms)):
            pk, opted_out, invalid_at, has_phone = member
            status = sms_reach.sms_status_for(
                has_phone=has_phone, opted_out=opted_out, phone_invalid=invalid_at is not None
            )
            texted = status == NoticeDelivery.Status.PENDING
        if member and member[0] in push:
            rows.append(
                notice_push.push_row(
                    notice, member_id=member[0], user_id=user_id, sms_fallback=texted
                )
            )
        elif texted:
            rows.append(NewDelivery(notice.pk, pk, user_id, SMS))
        wants_email = pref.email if pref else notice.kind in STAFF_EMAIL_KINDS
        if emails.get(user_id) and member is None and wants_email:
            rows.append(NewDelivery(notice.pk, None, user_id, NoticeDelivery.Channel.EMAIL))
    return deliveries_insert(rows)


def _enqueue_pending(notice: Notice) -> None:
    """Broadcasts' texts go out in batches (one task sends them all through the vendors' batch
    APIs); short lists, e-mail and pushes one task per delivery."""
    pending = NoticeDelivery.objects.filter(notice=notice, status=NoticeDelivery.Status.PENDING)
    if notice.audience not in (A.USERS, A.STAFF):
        pending = pending.filter(channel=NoticeDelivery.Channel.WECHAT)
        if NoticeDelivery.objects.filter(notice=notice, channel="sms", status="pending").exists():
            enqueue_now("members.notice-sms-send", notice.pk)
    for delivery_id in pending.values_list("pk", flat=True):
        enqueue_now("members.notice-delivery-send", delivery_id)


# Sending one delivery --------------------------------------------------------------------


class DeliveryRetry(Exception):
    """The gateway failed; the task should run again after `countdown` seconds."""

    def __init__(self, countdown: int):
        super().__init__(countdown)
        self.countdown = countdown


retry_backoff = sms_reach.retry_backoff

FINAL_STATUSES = frozenset(set(NoticeDelivery.Status.values) - set(NoticeDelivery.OPEN_STATUSES))


def notice_delivery_send(*, delivery_id: int) -> str:
    """Send one delivery at most once: a delivery in a final state is left alone; the
    gateway receives the idempotency key, so a retry after a crash cannot duplicate it.
    SMS goes through the same batch path as broadcasts (a batch of one). Raises
    DeliveryRetry when the gateway failed and attempts remain."""
    with transaction.atomic():
        delivery = (
            NoticeDelivery.objects.select_for_update(of=("self",))
            .select_related("notice")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in FINAL_STATUSES:
            return delivery.status if delivery else "missing"
        if _push_in_flight(delivery):
            return delivery.status  # a push has no idempotency key: never two at once
        if delivery.channel == NoticeDelivery.Channel.SMS:
            until = sms_reach.quiet_until()
            if until is not None:
                NoticeDelivery.objects.filter(pk=delivery.pk).update(
                    status=NoticeDelivery.Status.HELD, next_attempt_at=until
                )
                return NoticeDelivery.Status.HELD
        delivery.status = NoticeDelivery.Status.SENDING
        delivery.attempts += 1
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "claimed_at"])
    if delivery.channel == NoticeDelivery.Channel.SMS:
        sms_reach.sms_deliveries_send([delivery])
        if delivery.status == NoticeDelivery.Status.FAILED:
            raise DeliveryRetry(retry_backoff(delivery.attempts))
        if delivery.status == NoticeDelivery.Status.DEAD:
            logger.error("notice delivery %s dead-lettered: %s", delivery.pk, delivery.last_error)
        return delivery.status
    if delivery.channel == NoticeDelivery.Channel.WECHAT:
        if notice_push.push_delivery_send(delivery) == NoticeDelivery.Status.FAILED:
            raise DeliveryRetry(retry_backoff(delivery.attempts))
        return delivery.status
    return _send_email(delivery)


def _push_in_flight(delivery: NoticeDelivery) -> bool:
    stale = timezone.now() - timedelta(seconds=settings.NOTICE_SENDING_TIMEOUT_SECONDS)
    return (
        delivery.channel == NoticeDelivery.Channel.WECHAT
        and delivery.status == NoticeDelivery.Status.SENDING
        and delivery.claimed_at is not None
        and delivery.claimed_at > stale
    )


def _send_email(delivery: NoticeDelivery) -> str:
    notice = delivery.notice
    email = User.objects.filter(pk=delivery.user_id).values_list("email", flat=True).first()
    if not email:
        return _finish(delivery, NoticeDelivery.Status.SKIPPED, "no e-mail")
    try:
        send_mail(
            subject=f"[{settings.SITE_NAME}] {notice.title}",
            message=f"{notice.body}\n\n{notice.link}".strip(),
            from_email=None,
            recipient_list=[email],
        )
    except OSError as exc:
        if delivery.attempts >= settings.NOTICE_MAX_ATTEMPTS:
            _finish(delivery, NoticeDelivery.Status.DEAD, str(exc))
            logger.error("notice delivery %s dead-lettered: %s", delivery.pk, exc)
            return NoticeDelivery.Status.DEAD
        countdown = retry_backoff(delivery.attempts)
        NoticeDelivery.objects.filter(pk=delivery.pk).update(
            status=NoticeDelivery.Status.FAILED,
            last_error=str(exc)[:300],
            next_attempt_at=timezone.now() + timedelta(seconds=countdown),
        )
        raise DeliveryRetry(countdown) from exc
    return _finish(delivery, NoticeDelivery.Status.SENT, "")


def _finish(delivery: NoticeDelivery, status: str, error: str) -> str:
    NoticeDelivery.objects.filter(pk=delivery.pk).update(
        status=status,
        last_error=error[:300],
        sent_at=timezone.now() if status == NoticeDelivery.Status.SENT else None,
    )
    return status


# Sweeper ---------------------------------------------------------------------------------


def notice_sweep() -> dict:
    """Re-send what a lost task or a down broker left behind. Runs every minute (beat)."""

    now = timezone.now()
    grace = now - timedelta(seconds=settings.NOTICE_SWEEP_GRACE_SECONDS)
    counts = {"notices": 0, "deliveries": 0}
    for notice_id in Notice.objects.filter(
        dispatched_at__isnull=True, created_at__lte=grace
    ).values_list("pk", flat=True)[:500]:
        counts["notices"] += enqueue_now("members.notice-dispatch", notice_id)
    stale_sending = now - timedelta(seconds=settings.NOTICE_SENDING_TIMEOUT_SECONDS)
    due = NoticeDelivery.objects.filter(
        Q(status=NoticeDelivery.Status.PENDING, created_at__lte=grace)
        | Q(status__in=["failed", "held"], next_attempt_at__lte=now)
        | Q(status=NoticeDelivery.Status.SENDING, claimed_at__lte=stale_sending)
    )
    one_by_one = due.filter(channel__in=["email", NoticeDelivery.Channel.WECHAT])
    for delivery_id in one_by_one.values_list("pk", flat=True)[:5000]:
        counts["deliveries"] += enqueue_now("members.notice-delivery-send", delivery_id)
    # SMS: one batch task for everything due (claimed with SKIP LOCKED, so a second sweep
    # while it runs cannot send anything twice).
    sms_due = due.filter(channel="sms").count()
    if sms_due and enqueue_now("members.notice-sms-send"):
        counts["deliveries"] += sms_due
    return counts


def notice_delivery_retry(*, actor=None, deliveries) -> int:
    """Give dead-lettered deliveries a fresh start (a county staff action after fixing the
    gateway; `actor` None is an operator's shell)."""
    if actor is not None and not permissions.can_manage_outbox(actor):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("仅限县委组织部工作人员使用。")

    ids = list(deliveries.filter(status=NoticeDelivery.Status.DEAD).values_list("pk", flat=True))
    NoticeDelivery.objects.filter(pk__in=ids).update(
        status=NoticeDelivery.Status.PENDING, attempts=0, last_error="", next_attempt_at=None
    )
    for delivery_id in ids:
        enqueue_on_commit("members.notice-delivery-send", delivery_id)
    return len(ids)

"""The one notice service every app publishes through (DESIGN.md, "Notice").

`notice_publish` stores the notice in the caller's transaction: the notice row is the
outbox. After commit, a Celery task works out who also gets an SMS or e-mail and creates one
`NoticeDelivery` per recipient and channel; another task sends each. A periodic sweeper
re-sends whatever a lost task or a down broker left behind.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
    Organization,
    Skill,
    TemporaryBranchMembership,
    User,
)
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError
from sanyuan.queue import enqueue_now, enqueue_on_commit
from sanyuan.sms import SmsDeliveryError, send_sms

logger = logging.getLogger(__name__)

K = Notice.Kind
A = Notice.Audience

# Kinds that always go out by SMS as well, whatever the member's preference.
ALWAYS_SMS_KINDS = Notice.ALWAYS_SMS_KINDS
# Kinds staff receive by e-mail unless they opted out.
STAFF_EMAIL_KINDS = frozenset({K.HOSTING, K.CONTACT, K.TRANSFER, K.SYSTEM})


@dataclass(frozen=True)
class Audience:
    """Whom a notice is for. Build with the class methods."""

    type: str
    organization: Organization | None = None
    users: tuple = ()
    skills: tuple = ()
    provinces: tuple = field(default_factory=tuple)

    @classmethod
    def user(cls, user: User) -> "Audience":
        return cls(type=A.USERS, users=(user,))

    @classmethod
    def user_list(cls, users: Iterable[User]) -> "Audience":
        return cls(type=A.USERS, users=tuple(users))

    @classmethod
    def subtree(
        cls,
        organization: Organization,
        *,
        skills: Sequence[Skill] = (),
        provinces: Sequence[str] = (),
    ) -> "Audience":
        """Members whose home organisation is `organization` or below; if skills or
        provinces are given, only those with any of the skills or in any of the provinces."""
        return cls(
            type=A.SUBTREE,
            organization=organization,
            skills=tuple(skills),
            provinces=tuple(provinces),
        )

    @classmethod
    def temporary_branch(cls, branch: Organization) -> "Audience":
        return cls(type=A.TEMPORARY_BRANCH, organization=branch)

    @classmethod
    def hosted(cls, host: Organization) -> "Audience":
        return cls(type=A.HOSTED, organization=host)

    @classmethod
    def staff(cls, organization: Organization) -> "Audience":
        """The staff holding a grant on exactly this organisation."""
        return cls(type=A.STAFF, organization=organization)


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


def _sms_user_filter(kind: str) -> Q:
    """Members whose user gets this kind by SMS."""
    if kind in ALWAYS_SMS_KINDS:
        return Q()
    return Q(user_id__in=NoticePreference.objects.filter(kind=kind, sms=True).values("user_id"))


def _member_audience(notice: Notice):
    """The members of a broadcast audience (those with an account), as a queryset."""
    org = notice.audience_organization
    qs = Member.objects.filter(user__isnull=False, user__is_active=True)
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
    (progress is kept in `dispatch_cursor`). Returns the number of deliveries created."""
    notice = Notice.objects.select_related("audience_organization").filter(pk=notice_id).first()
    if notice is None or notice.dispatched_at is not None:
        return 0
    created = 0
    if notice.audience == A.USERS:
        user_ids = list(notice.recipients.values_list("user_id", flat=True))
        created += _create_deliveries_for_users(notice, user_ids)
    elif notice.audience == A.STAFF:
        staff_ids = list(
            permissions.staff_of(notice.audience_organization).values_list("pk", flat=True)
        )
        created += _create_deliveries_for_users(notice, staff_ids)
    else:
        members = _member_audience(notice).filter(_sms_user_filter(notice.kind)).exclude(phone="")
        while True:
            chunk = list(
                members.filter(pk__gt=notice.dispatch_cursor)
                .order_by("pk")
                .values_list("pk", "user_id")[:DISPATCH_CHUNK]
            )
            if not chunk:
                break
            with transaction.atomic():
                created += _bulk_deliveries(
                    notice, [user_id for _, user_id in chunk], NoticeDelivery.Channel.SMS
                )
                notice.dispatch_cursor = chunk[-1][0]
                notice.save(update_fields=["dispatch_cursor"])
    Notice.objects.filter(pk=notice.pk).update(dispatched_at=timezone.now())
    _enqueue_pending(notice)
    return created


def _create_deliveries_for_users(notice: Notice, user_ids: list[int]) -> int:
    if not user_ids:
        return 0
    members = dict(Member.objects.filter(user_id__in=user_ids).values_list("user_id", "phone"))
    prefs = {
        p.user_id: p
        for p in NoticePreference.objects.filter(user_id__in=user_ids, kind=notice.kind)
    }
    emails = dict(User.objects.filter(pk__in=user_ids).exclude(email="").values_list("pk", "email"))
    sms_users, email_users = [], []
    for user_id in user_ids:
        pref = prefs.get(user_id)
        if members.get(user_id) and (notice.kind in ALWAYS_SMS_KINDS or (pref and pref.sms)):
            sms_users.append(user_id)
        wants_email = pref.email if pref else notice.kind in STAFF_EMAIL_KINDS
        if emails.get(user_id) and user_id not in members and wants_email:
            email_users.append(user_id)
    return _bulk_deliveries(notice, sms_users, NoticeDelivery.Channel.SMS) + _bulk_deliveries(
        notice, email_users, NoticeDelivery.Channel.EMAIL
    )


def _bulk_deliveries(notice: Notice, user_ids: list[int], channel: str) -> int:
    if not user_ids:
        return 0
    rows = [NoticeDelivery(notice=notice, user_id=uid, channel=channel) for uid in user_ids]
    NoticeDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def _enqueue_pending(notice: Notice) -> None:

    pending = NoticeDelivery.objects.filter(notice=notice, status=NoticeDelivery.Status.PENDING)
    for delivery_id in pending.values_list("pk", flat=True).iterator(chunk_size=2000):
        enqueue_now("members.notice-delivery-send", delivery_id)


# Sending one delivery --------------------------------------------------------------------


class DeliveryRetry(Exception):
    """The gateway failed; the task should run again after `countdown` seconds."""

    def __init__(self, countdown: int):
        super().__init__(countdown)
        self.countdown = countdown


def retry_backoff(attempts: int) -> int:
    base = settings.NOTICE_RETRY_BACKOFF_BASE
    return int(min(base * (2 ** max(attempts - 1, 0)), settings.NOTICE_RETRY_BACKOFF_MAX))


def _over_daily_cap(phone: str) -> bool:
    day = timezone.localdate().isoformat()
    key = f"sms-cap:{keyed_hash(phone, purpose='phone')[:24]}:{day}"
    cache.add(key, 0, timeout=60 * 60 * 26)
    try:
        count = cache.incr(key)
    except ValueError:
        return False
    return count is not None and count > settings.NOTICE_SMS_DAILY_CAP


def notice_delivery_send(*, delivery_id: int) -> str:
    """Send one delivery at most once: a delivery already sent, dead or skipped is left alone;
    the gateway receives the idempotency key, so a retry after a crash cannot duplicate it.
    Raises DeliveryRetry when the gateway failed and attempts remain."""
    with transaction.atomic():
        delivery = (
            NoticeDelivery.objects.select_for_update()
            .select_related("notice")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (
            NoticeDelivery.Status.SENT,
            NoticeDelivery.Status.DEAD,
            NoticeDelivery.Status.SKIPPED,
        ):
            return delivery.status if delivery else "missing"
        delivery.status = NoticeDelivery.Status.SENDING
        delivery.attempts += 1
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "attempts", "claimed_at"])
    notice = delivery.notice
    try:
        if delivery.channel == NoticeDelivery.Channel.SMS:
            phone = (
                Member.objects.filter(user_id=delivery.user_id)
                .values_list("phone", flat=True)
                .first()
            )
            if not phone:
                return _finish(delivery, NoticeDelivery.Status.SKIPPED, "no phone")
            if (
                notice.kind not in ALWAYS_SMS_KINDS
                and delivery.attempts == 1
                and _over_daily_cap(phone)
            ):
                return _finish(delivery, NoticeDelivery.Status.SKIPPED, "daily cap")
            template = (
                f"notice_{notice.kind}"
                if f"notice_{notice.kind}" in settings.SMS_TEMPLATES
                else "notice"
            )
            send_sms(
                phone=phone,
                template=template,
                params={"title": notice.title[:30]},
                idempotency_key=delivery.idempotency_key,
            )
        else:
            email = User.objects.filter(pk=delivery.user_id).values_list("email", flat=True).first()
            if not email:
                return _finish(delivery, NoticeDelivery.Status.SKIPPED, "no e-mail")
            send_mail(
                subject=f"[{settings.SITE_NAME}] {notice.title}",
                message=f"{notice.body}\n\n{notice.link}".strip(),
                from_email=None,
                recipient_list=[email],
            )
    except (SmsDeliveryError, OSError) as exc:
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
        | Q(status=NoticeDelivery.Status.FAILED, next_attempt_at__lte=now)
        | Q(status=NoticeDelivery.Status.SENDING, claimed_at__lte=stale_sending)
    )
    for delivery_id in due.values_list("pk", flat=True)[:5000]:
        counts["deliveries"] += enqueue_now("members.notice-delivery-send", delivery_id)
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

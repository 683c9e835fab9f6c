"""Notices by text message to every member (README "Text messages to members").

An SMS delivery points at the member: members who never activated an account get the kinds
that matter to them (Notice.MEMBER_SMS_KINDS) on the archive's phone; members with an
account get SMS by their preferences. Deliveries go out through `sanyuan.sms.send_batch`,
claimed in batches with SKIP LOCKED so that two workers never send one delivery; each
per-number outcome maps to sent / retry / give up / dead letter / 号码待核实.

Rules at send time: quiet hours (NOTICE_SMS_QUIET_START–END, local time) hold a delivery
until the morning; a per-member daily cap (NOTICE_SMS_DAILY_CAP, review outcomes exempt);
a monthly budget per county (NOTICE_SMS_MONTHLY_BUDGET) with a warning to county staff;
the archive's opt-out (TD/退订/R, or staff) and 号码待核实. One-time codes never pass here.
"""

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from members import permissions
from members.models import Member, Notice, NoticeDelivery, Organization, SmsBudgetUsage
from members.services.audit import audit_record
from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError
from sanyuan.sms import InboundSms, Outcome, SmsReceipt, SmsRecipient, is_opt_out, send_batch

logger = logging.getLogger(__name__)

S = NoticeDelivery.Status
SMS = NoticeDelivery.Channel.SMS


# Phones (decrypted only when a text goes out: sms_deliveries_send reads them with the batch) -


def member_phones(member_ids: Iterable[int]) -> dict[int, str]:
    """The archive phone of each member ("" when none). Phones are encrypted: only the rows
    that have one (phone_hash <> '', in SQL) are read and decrypted, in Python."""
    ids = list(member_ids)
    phones = dict.fromkeys(ids, "")
    rows = Member.objects.filter(pk__in=ids).exclude(phone_hash="").values_list("pk", "phone")
    phones.update((pk, (phone or "").strip()) for pk, phone in rows)
    return phones


def members_with_phone(phone: str):
    """The archives that carry this number (a reply's sender), through the keyed hash."""
    number = (phone or "").strip().removeprefix("+86").removeprefix("86")
    if len(number) != 11 or not number.isdigit():
        return Member.objects.none()
    return Member.objects.filter(phone_hash=keyed_hash(number, purpose="phone"))


# Clock rules ------------------------------------------------------------------------------


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime | None = None) -> datetime | None:
    """The end of the quiet hours if `now` falls inside them, else None."""
    local = timezone.localtime(now or timezone.now())
    start, end = _clock(settings.NOTICE_SMS_QUIET_START), _clock(settings.NOTICE_SMS_QUIET_END)
    if start == end:
        return None
    moment = local.time()
    inside = (start <= moment or moment < end) if start > end else (start <= moment < end)
    if not inside:
        return None
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def retry_backoff(attempts: int) -> int:
    base = settings.NOTICE_RETRY_BACKOFF_BASE
    return int(min(base * (2 ** max(attempts - 1, 0)), settings.NOTICE_RETRY_BACKOFF_MAX))


def template_for(kind: str) -> str:
    return f"notice_{kind}" if f"notice_{kind}" in settings.SMS_TEMPLATES else "notice"


# Who gets a text: one status per member at dispatch ------------------------------------------


def sms_status_for(*, has_phone: bool, opted_out: bool, phone_invalid: bool) -> str:
    """At dispatch `has_phone` comes from the keyed hash (phone_hash <> ''), so nothing is
    decrypted until the text goes out."""
    if not has_phone:
        return S.NO_PHONE
    if opted_out:
        return S.OPTED_OUT
    if phone_invalid:
        return S.PHONE_INVALID
    return S.PENDING


# Sending ----------------------------------------------------------------------------------


def _due_q(now: datetime) -> Q:
    stale = now - timedelta(seconds=settings.NOTICE_SENDING_TIMEOUT_SECONDS)
    return (
        Q(status=S.PENDING)
        | Q(status__in=[S.FAILED, S.HELD], next_attempt_at__lte=now)
        | Q(status=S.SENDING, claimed_at__lte=stale)
    )


def notice_sms_send(*, notice_id: int | None = None) -> dict:
    """Send every due SMS delivery (of one notice, or all), batch by batch, until none is
    left. Idempotent: a delivery is claimed by one worker (SKIP LOCKED) and left alone once
    sent, held, given up or dead. Returns counts per resulting status."""
    counts: Counter = Counter()
    cursor = 0  # one pass in id order: a delivery that failed now waits for the next run
    while True:
        claimed, held, cursor = _claim(notice_id, cursor)
        counts["held"] += held
        if not claimed and not held:
            return dict(counts)
        if claimed:
            counts.update(sms_deliveries_send(claimed))


def _claim(notice_id: int | None, cursor: int) -> tuple[list, int, int]:
    now = timezone.now()
    due = NoticeDelivery.objects.filter(_due_q(now), channel=SMS, pk__gt=cursor)
    if notice_id is not None:
        due = due.filter(notice_id=notice_id)
    due = due.order_by("pk")[: settings.NOTICE_SMS_BATCH_SIZE]
    until = quiet_until(now)
    if connection.vendor != "postgresql":  # the SQLite first look: one process, plain ORM
        return _claim_orm(due, now, until, cursor)
    if until is not None:
        rows = _update_returning(due, "status = %s, next_attempt_at = %s", [S.HELD, until])
        return [], len(rows), max((row[0] for row in rows), default=cursor)
    rows = _update_returning(
        due, "status = %s, claimed_at = %s, attempts = d.attempts + 1", [S.SENDING, now]
    )
    if not rows:
        return [], 0, cursor
    rows.sort()
    notices = Notice.objects.in_bulk({row[1] for row in rows})
    claimed = [ClaimedText(row[0], notices[row[1]], *row[2:], claimed_at=now) for row in rows]
    return claimed, 0, rows[-1][0]


class ClaimedText:
    """A claimed SMS delivery as the sender needs it: what `_update_returning` returned and
    the outcome to write back. Not a model instance (those cost ~50 µs each to build, half a
    second for a 10,000-member fan-out); the same `idempotency_key`."""

    __slots__ = (
        "attempts",
        "claimed_at",
        "last_error",
        "member_id",
        "next_attempt_at",
        "notice",
        "notice_id",
        "pk",
        "request_ref",
        "sent_at",
        "status",
        "user_id",
        "vendor_id",
    )
    channel = SMS
    idempotency_key = NoticeDelivery.idempotency_key

    def __init__(self, pk, notice, member_id, user_id, attempts, *outcome, claimed_at):
        self.pk, self.notice, self.notice_id = pk, notice, notice.pk
        self.member_id, self.user_id, self.attempts = member_id, user_id, attempts
        self.last_error, self.sent_at, self.next_attempt_at, self.vendor_id, self.request_ref = (
            outcome
        )
        self.status, self.claimed_at = S.SENDING, claimed_at


CLAIM_RETURNS = ("last_error", "sent_at", "next_attempt_at", "vendor_id", "request_ref")


def _update_returning(due, assignments: str, params: list) -> list[tuple]:
    """One statement claims a batch: UPDATE … WHERE id IN (the due rows, locked, SKIP
    LOCKED) RETURNING what sending needs. Two workers never get one row; no model objects
    are built for the SELECT (a 10,000-text fan-out, issue 18)."""
    table = NoticeDelivery._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        ids_sql, ids_params = (
            due.select_for_update(skip_locked=True, of=("self",))
            .values("pk")
            .query.get_compiler(using=due.db)
            .as_sql()
        )
        cursor.execute(
            f"UPDATE {table} AS d SET {assignments} WHERE d.id IN ({ids_sql}) "
            "RETURNING d.id, d.notice_id, d.member_id, d.user_id, d.attempts, "
            f"{', '.join('d.' + name for name in CLAIM_RETURNS)}",
            [*params, *ids_params],
        )
        return cursor.fetchall()


def _claim_orm(due, now, until, cursor: int) -> tuple[list[NoticeDelivery], int, int]:
    with transaction.atomic():
        rows = list(due.select_for_update().select_related("notice"))
        if not rows:
            return [], 0, cursor
        ids = [row.pk for row in rows]
        if until is not None:
            NoticeDelivery.objects.filter(pk__in=ids).update(status=S.HELD, next_attempt_at=until)
            return [], len(rows), ids[-1]
        NoticeDelivery.objects.filter(pk__in=ids).update(
            status=S.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    for row in rows:
        row.status, row.claimed_at, row.attempts = S.SENDING, now, row.attempts + 1
    return rows, 0, ids[-1]


def sms_deliveries_send(rows: list[NoticeDelivery]) -> Counter:
    """Send claimed SMS deliveries (status SENDING, `notice` loaded) and record each outcome.
    Caller claimed them; quiet hours were checked at the claim."""
    now = timezone.now()
    members = {
        m["pk"]: m
        for m in Member.objects.filter(pk__in=[r.member_id for r in rows]).values(
            "pk",
            "sms_opt_out",
            "phone_invalid_at",
            "organization_id",
            "organization__path",
            "phone",
        )
    }
    phones = {pk: (m["phone"] or "").strip() for pk, m in members.items()}
    sent_today = _sent_today(members, now)
    budget = _Budget(members, now)
    batches: dict[int, list[NoticeDelivery]] = defaultdict(list)
    for row in rows:
        member = members.get(row.member_id)
        status = (
            sms_status_for(
                has_phone=bool(phones.get(row.member_id)),
                opted_out=member["sms_opt_out"],
                phone_invalid=member["phone_invalid_at"] is not None,
            )
            if member
            else S.NO_PHONE
        )
        if (
            status == S.PENDING
            and row.notice.kind not in Notice.ALWAYS_SMS_KINDS
            and sent_today[row.member_id] >= settings.NOTICE_SMS_DAILY_CAP
        ):
            status = S.SKIPPED
        if status == S.PENDING and not budget.take(member):
            status = S.OVER_BUDGET
        if status != S.PENDING:
            _set(row, status, reason=S(status).label)
            continue
        sent_today[row.member_id] += 1
        batches[row.notice_id].append(row)
    invalid: list[int] = []
    for batch in batches.values():
        notice = batch[0].notice
        recipients = [
            SmsRecipient(
                phone=phones[row.member_id],
                params={"title": notice.title},
                out_id=row.idempotency_key,
            )
            for row in batch
        ]
        for row, result in zip(batch, _send(notice.kind, recipients), strict=True):
            _apply_outcome(row, result, now)
            if result.outcome == Outcome.INVALID_NUMBER:
                invalid.append(row.member_id)
    _write_outcomes(rows)
    budget.record(rows, members)
    if invalid:
        member_phone_mark_invalid(member_ids=invalid)
    return Counter(row.status for row in rows)


OUTCOME_FIELDS = ("status", "last_error", "sent_at", "next_attempt_at", "vendor_id", "request_ref")


def _write_outcomes(rows: list[NoticeDelivery], chunk: int = 1000) -> None:
    """One UPDATE … FROM (VALUES …) per chunk: each row has its own vendor id and outcome,
    and Django's bulk_update (a CASE per field and row) took 40 s for 10,000 rows."""
    if connection.vendor != "postgresql":  # the SQLite first look: a few rows, plain ORM
        NoticeDelivery.objects.bulk_update(rows, OUTCOME_FIELDS, batch_size=200)
        return
    table = NoticeDelivery._meta.db_table
    row_sql = "(%s, %s, %s, %s::timestamptz, %s::timestamptz, %s, %s)"
    assignments = ", ".join(f"{name} = v.{name}" for name in OUTCOME_FIELDS)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            params = [
                value
                for row in part
                for value in (
                    row.pk,
                    row.status,
                    row.last_error,
                    row.sent_at,
                    row.next_attempt_at,
                    row.vendor_id,
                    row.request_ref,
                )
            ]
            cursor.execute(
                f"UPDATE {table} AS d SET {assignments} "
                f"FROM (VALUES {', '.join([row_sql] * len(part))}) "
                f"AS v(id, {', '.join(OUTCOME_FIELDS)}) WHERE d.id = v.id",
                params,
            )


def _send(kind: str, recipients: list[SmsRecipient]) -> list:
    from sanyuan.sms import SmsResult

    try:
        return send_batch(template_for(kind), recipients)
    except Exception as exc:  # a backend bug or missing settings: retry later, lose nothing
        logger.exception("SMS batch of %d failed", len(recipients))
        return [
            SmsResult(out_id=r.out_id, phone=r.phone, outcome=Outcome.RETRY, reason=str(exc)[:200])
            for r in recipients
        ]


def _set(row: NoticeDelivery, status: str, *, reason: str = "", next_attempt=None) -> None:
    row.status = status
    row.last_error = (reason or "")[:300]
    row.next_attempt_at = next_attempt
    if status != S.SENT:
        row.sent_at = None


def _apply_outcome(row: NoticeDelivery, result, now: datetime) -> None:
    reason = f"{result.code}：{result.reason}" if result.code else result.reason
    if result.outcome == Outcome.SENT:
        _set(row, S.SENT)
        row.sent_at = now
        row.vendor_id = (result.vendor_id or "")[:64]
        row.request_ref = (result.request_ref or "")[:64]
    elif result.outcome == Outcome.RETRY:
        if row.attempts >= settings.NOTICE_MAX_ATTEMPTS:
            _set(row, S.DEAD, reason=reason)
        else:
            later = now + timedelta(seconds=retry_backoff(row.attempts))
            _set(row, S.FAILED, reason=reason, next_attempt=later)
    elif result.outcome == Outcome.INVALID_NUMBER:
        _set(row, S.PHONE_INVALID, reason=reason)
    elif result.outcome == Outcome.DEAD_LETTER:
        _set(row, S.DEAD, reason=reason)
    else:
        _set(row, S.GAVE_UP, reason=reason)


def _sent_today(members: dict, now: datetime) -> Counter:
    day_start = timezone.make_aware(
        datetime.combine(timezone.localtime(now).date(), time.min), timezone.get_current_timezone()
    )
    rows = (
        NoticeDelivery.objects.filter(
            member_id__in=list(members),
            channel=SMS,
            sent_at__gte=day_start,
            status__in=NoticeDelivery.REACHED_STATUSES,
        )
        .exclude(notice__kind__in=Notice.ALWAYS_SMS_KINDS)
        .values("member_id")
        .annotate(n=Count("pk"))
    )
    return Counter({row["member_id"]: row["n"] for row in rows})


class _Budget:
    """The monthly budget per county of the members of one batch."""

    def __init__(self, members: dict, now: datetime):
        self.limit = settings.NOTICE_SMS_MONTHLY_BUDGET
        self.month = timezone.localtime(now).date().replace(day=1)
        self.county_of = self._counties(members)
        used = SmsBudgetUsage.objects.filter(
            organization_id__in=set(self.county_of.values()), month=self.month
        ).values_list("organization_id", "sent")
        self.used = Counter(dict(used))

    @staticmethod
    def _counties(members: dict) -> dict[int, int]:
        """Member id → the county above their organisation (the top of the tree if none)."""
        paths = {m["pk"]: m["organization__path"] or "" for m in members.values()}
        ids = {int(part) for path in paths.values() for part in path.strip("/").split("/") if part}
        counties = set(
            Organization.objects.filter(pk__in=ids, kind=Organization.Kind.COUNTY).values_list(
                "pk", flat=True
            )
        )
        result = {}
        for pk, path in paths.items():
            chain = [int(part) for part in path.strip("/").split("/") if part]
            inside = [org for org in chain if org in counties]
            result[pk] = inside[-1] if inside else (chain[0] if chain else 0)
        return result

    def take(self, member) -> bool:
        if not self.limit or member is None:
            return True
        county = self.county_of[member["pk"]]
        if self.used[county] >= self.limit:
            return False
        self.used[county] += 1
        return True

    def record(self, rows: list[NoticeDelivery], members: dict) -> None:
        sent = Counter(self.county_of[r.member_id] for r in rows if r.status == S.SENT)
        over = {self.county_of[r.member_id] for r in rows if r.status == S.OVER_BUDGET}
        for county, count in sent.items():
            usage, _ = SmsBudgetUsage.objects.get_or_create(
                organization_id=county, month=self.month
            )
            SmsBudgetUsage.objects.filter(pk=usage.pk).update(sent=F("sent") + count)
        if self.limit:
            for county in set(sent) | over:
                _budget_warn(county, self.month, self.limit)


def _budget_warn(county_id: int, month, limit: int) -> None:
    from members.services.notices import Audience, notice_publish

    usage = SmsBudgetUsage.objects.filter(organization_id=county_id, month=month).first()
    if usage is None:
        return
    county = Organization.objects.get(pk=county_id)
    if usage.sent >= limit and usage.exhausted_at is None:
        SmsBudgetUsage.objects.filter(pk=usage.pk).update(exhausted_at=timezone.now())
        title = f"{county.name}本月短信预算（{limit}条）已用完，通知短信暂停发送"
        key = f"sms-budget-exhausted:{county_id}:{month:%Y-%m}"
    elif usage.sent >= limit * settings.NOTICE_SMS_BUDGET_WARN_SHARE and usage.warned_at is None:
        SmsBudgetUsage.objects.filter(pk=usage.pk).update(warned_at=timezone.now())
        title = f"{county.name}本月短信已发送{usage.sent}条，接近预算{limit}条"
        key = f"sms-budget-warning:{county_id}:{month:%Y-%m}"
    else:
        return
    notice_publish(
        audience=Audience.staff(county),
        kind=Notice.Kind.SYSTEM,
        title=title,
        body="请在下月前调整 NOTICE_SMS_MONTHLY_BUDGET 或充值短信套餐。",
        dedupe_key=key,
    )


# 号码待核实 ----------------------------------------------------------------------------------


def member_phone_mark_invalid(*, member_ids: Iterable[int]) -> int:
    """A gateway reported these numbers invalid (空号): mark the archives 号码待核实 and tell
    each member's home staff once."""
    from members.services.notices import Audience, notice_publish

    now = timezone.now()
    ids = list(
        Member.objects.filter(pk__in=list(member_ids), phone_invalid_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    Member.objects.filter(pk__in=ids).update(phone_invalid_at=now)
    for member in Member.objects.filter(pk__in=ids).select_related("organization"):
        notice_publish(
            audience=Audience.staff(member.organization),
            kind=Notice.Kind.SYSTEM,
            title=f"{member.name}的手机号码待核实",
            body="短信网关报告档案中的手机号码无效（空号或停机），请与本人核实后更新档案。",
            link=f"/staff/members/{member.pk}/",
            dedupe_key=f"sms-phone-invalid:{member.pk}:{now:%Y%m%d%H%M%S}",
        )
    return len(ids)


# Opt-out -----------------------------------------------------------------------------------


def sms_replies_apply(*, replies: Iterable[InboundSms], source: str) -> int:
    """Replies from members (vendor callbacks, signature or token already checked): TD, 退订
    or R sets `sms_opt_out` on every archive with that number. Returns archives changed."""
    changed = 0
    for reply in replies:
        if not is_opt_out(reply.text):
            continue
        for member in members_with_phone(reply.phone).filter(sms_opt_out=False):
            _opt_out_save(member, True)
            audit_record(
                actor=None,
                action="member.sms_opt_out.reply",
                target=member,
                detail={"source": source},
            )
            changed += 1
    return changed


def member_sms_opt_out_set(*, actor, member: Member, opt_out: bool, ip: str | None = None):
    """Staff set or clear the opt-out of an archive they keep (home staff), audited."""
    if not permissions.can_manage_member(actor, member):
        raise ServiceError("无权修改该党员的短信设置。")
    if member.sms_opt_out == bool(opt_out):
        return member
    _opt_out_save(member, bool(opt_out))
    audit_record(
        actor=actor,
        action="member.sms_opt_out.set" if opt_out else "member.sms_opt_out.clear",
        target=member,
        ip=ip,
    )
    return member


def _opt_out_save(member: Member, value: bool) -> None:
    member.sms_opt_out = value
    member.sms_opt_out_at = timezone.now() if value else None
    member.save(update_fields=["sms_opt_out", "sms_opt_out_at", "updated_at"])


# Receipts ----------------------------------------------------------------------------------


def sms_receipts_apply(receipts: Iterable[SmsReceipt]) -> int:
    """Delivery reports (Tencent status callback: by SerialNo) → delivered / undelivered."""
    from sanyuan.sms import ReceiptStatus

    changed = 0
    for receipt in receipts:
        if receipt.status == ReceiptStatus.PENDING or not receipt.vendor_id:
            continue
        changed += _receipt_update(
            NoticeDelivery.objects.filter(vendor_id=receipt.vendor_id, channel=SMS), receipt
        )
    return changed


def _receipt_update(qs, receipt: SmsReceipt) -> int:
    from sanyuan.sms import ReceiptStatus

    delivered = receipt.status == ReceiptStatus.DELIVERED
    return qs.filter(status=S.SENT).update(
        status=S.DELIVERED if delivered else S.UNDELIVERED,
        receipt_at=receipt.reported_at or timezone.now(),
        last_error="" if delivered else f"{receipt.code}：{receipt.reason}"[:300],
    )


def sms_receipts_poll(*, limit: int = 500) -> int:
    """Aliyun: ask QuerySendDetails for sent deliveries without a receipt (last 30 days),
    per number and day, matched on the OutId we sent. Other backends: nothing to do."""
    from sanyuan.sms import get_backend

    backend = get_backend()
    if not hasattr(backend, "query_receipts"):
        return 0
    since = timezone.now() - timedelta(days=29)
    rows = list(
        NoticeDelivery.objects.filter(
            channel=SMS, status=S.SENT, sent_at__gte=since, member__isnull=False
        )
        .exclude(request_ref="")
        .order_by("sent_at")
        .values("pk", "member_id", "sent_at", "request_ref")[:limit]
    )
    phones = member_phones({row["member_id"] for row in rows})
    changed = 0
    for row in rows:
        phone = phones.get(row["member_id"])
        if not phone:
            continue
        try:
            receipts = backend.query_receipts(
                phone=phone,
                send_date=timezone.localtime(row["sent_at"]).date(),
                request_refs=[row["request_ref"]],
            )
        except Exception:  # one number's query failing must not stop the others
            logger.warning("receipt query failed for delivery %s", row["pk"], exc_info=True)
            continue
        for receipt in receipts:
            changed += _receipt_update(NoticeDelivery.objects.filter(pk=row["pk"]), receipt)
    return changed

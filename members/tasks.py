"""Celery tasks of the registry: thin wrappers that load by id and call a service."""

import logging

from celery import shared_task
from django.utils import timezone

from sanyuan.crypto import decrypt
from sanyuan.sms import SmsDeliveryError, send_sms

from .models import OneTimeCode

logger = logging.getLogger(__name__)

SMS_RETRY = {
    "autoretry_for": (SmsDeliveryError,),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(name="members.audit-purge", acks_late=True)
def audit_purge_task() -> int:
    """Daily: delete audit events past AUDIT_RETENTION_DAYS (at least 180 days)."""
    from .services.audit import audit_purge

    return audit_purge()


@shared_task(name="members.send-one-time-code-sms", acks_late=True, **SMS_RETRY)
def send_one_time_code_sms_task(code_id: int, sealed_code: str) -> None:
    """Send the code, unless it was used, voided or expired meanwhile (so a redelivered
    task never sends a dead code)."""
    otc = OneTimeCode.objects.select_related("member").filter(pk=code_id).first()
    if otc is None or otc.used_at or otc.voided_at or otc.expires_at <= timezone.now():
        return
    minutes = int((otc.expires_at - otc.created_at).total_seconds() // 60)
    send_sms(
        phone=otc.member.phone,
        template="one_time_code",
        params={"code": decrypt(sealed_code), "minutes": minutes},
        # A retry after a gateway timeout must not send the member a second message.
        idempotency_key=f"one-time-code-{otc.pk}",
    )


@shared_task(name="members.send-staff-code-notice-sms", acks_late=True, **SMS_RETRY)
def send_staff_code_notice_sms_task(code_id: int) -> None:
    otc = OneTimeCode.objects.select_related("member").filter(pk=code_id).first()
    if otc is None or not otc.member.phone:
        return
    send_sms(
        phone=otc.member.phone,
        template="staff_code_issued",
        params={"name": otc.member.name},
        idempotency_key=f"staff-code-issued-{otc.pk}",
    )


@shared_task(name="members.notice-dispatch", acks_late=True)
def notice_dispatch_task(notice_id: int) -> int:
    from .services.notices import notice_dispatch

    return notice_dispatch(notice_id=notice_id)


@shared_task(name="members.notice-delivery-send", acks_late=True, bind=True, max_retries=None)
def notice_delivery_send_task(self, delivery_id: int) -> str:
    from .services.notices import DeliveryRetry, notice_delivery_send

    try:
        return notice_delivery_send(delivery_id=delivery_id)
    except DeliveryRetry as retry:
        raise self.retry(countdown=retry.countdown) from None


@shared_task(name="members.notice-sms-send", acks_late=True, time_limit=1800, soft_time_limit=1700)
def notice_sms_send_task(notice_id: int | None = None) -> dict:
    """Send due notice SMS through the vendors' batch APIs (one notice, or all due)."""
    from .services.sms_reach import notice_sms_send

    return notice_sms_send(notice_id=notice_id)


@shared_task(name="members.notice-sms-receipts", acks_late=True, time_limit=900)
def notice_sms_receipts_task() -> int:
    """Beat: poll Aliyun QuerySendDetails for receipts (Tencent sends them by callback)."""
    from .services.sms_reach import sms_receipts_poll

    return sms_receipts_poll()


@shared_task(name="members.notice-sweep", acks_late=True)
def notice_sweep_task() -> dict:
    from .services.notices import notice_sweep

    return notice_sweep()


@shared_task(name="members.roster-check", acks_late=True, time_limit=1800, soft_time_limit=1700)
def roster_check_task(roster_id: int) -> None:
    from .services.imports import roster_check_run

    roster_check_run(roster_id=roster_id)


@shared_task(name="members.export-run", acks_late=True, time_limit=3600, soft_time_limit=3500)
def export_run_task(job_id: int) -> None:
    from .services.export_jobs import export_job_run

    export_job_run(job_id=job_id)


@shared_task(name="members.export-expire", acks_late=True)
def export_expire_task() -> int:
    from .services.export_jobs import export_job_expire

    return export_job_expire()


@shared_task(name="members.roster-import", acks_late=True, time_limit=3600, soft_time_limit=3500)
def roster_import_task(roster_id: int) -> None:
    from .services.imports import roster_import_run

    roster_import_run(roster_id=roster_id)


@shared_task(name="members.roster-cleanup", acks_late=True)
def roster_cleanup_task() -> int:
    from .services.imports import roster_cleanup

    return roster_cleanup()


STATS_ROLLUP_TIME_LIMIT = 1800


@shared_task(
    name="members.stats-rollup",
    acks_late=True,
    time_limit=STATS_ROLLUP_TIME_LIMIT,
    soft_time_limit=STATS_ROLLUP_TIME_LIMIT - 100,
)
def stats_rollup_task() -> dict:
    """Skips when a previous rollup still runs (a slow run outlasting the 5-minute interval,
    or beat's next send reaching another worker): two runs would replace the table at once."""
    from sanyuan.locks import single_flight

    from .services.stats import stats_rollup_refresh

    with single_flight("members.stats-rollup", timeout=STATS_ROLLUP_TIME_LIMIT) as mine:
        if not mine:
            logger.info("stats rollup: a previous run still holds the lock; skipped")
            return {"skipped": True}
        return stats_rollup_refresh()


@shared_task(name="members.lost-contact-scan", acks_late=True)
def lost_contact_scan_task() -> dict:
    from .services.alerts import lost_contact_scan

    return lost_contact_scan()


@shared_task(name="members.token-cleanup", acks_late=True)
def token_cleanup_task() -> int:
    from .services.accounts import expired_tokens_delete

    return expired_tokens_delete()


@shared_task(name="members.temporary-branch-sync", acks_late=True, time_limit=600)
def temporary_branch_sync_task() -> dict:
    """Hourly: temporary branches' membership follows the archive (proposals to their staff)."""
    from .services.branches import temporary_branch_sync

    return temporary_branch_sync()

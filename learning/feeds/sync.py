"""One run of a feed source: fetch, then import every new entry in one transaction.

Fetching happens before the transaction (no database work waits on the network). The import
either takes all new entries or none (a half-imported run would mark entries as seen that
never arrived). Entries already imported (same source and entry id) are skipped, so repeated
runs import nothing twice. The outcome is written on the source: last success, last error,
consecutive failures; after FEED_FAILURES_BEFORE_ALERT failures the county staff get a notice.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Notice
from members.services.notices import Audience, notice_publish
from sanyuan.errors import ServiceError
from sanyuan.sanitize import clean_html, html_to_text

from ..models import Article, FeedSource
from ..services.articles import ArticleInput, article_create
from .adapters import FeedEntry, adapter_for
from .fetch import FetchError

logger = logging.getLogger(__name__)

FEED_FAILURES_BEFORE_ALERT = 3


class FeedSyncError(Exception):
    """A run failed; the task retries, and the source records the error."""


def _article_input(source: FeedSource, entry: FeedEntry) -> ArticleInput:
    body = clean_html(entry.body_html)
    summary = html_to_text(entry.summary)[:300] if entry.summary else ""
    if entry.link.startswith(("https://", "http://")):
        body += f'<p><a href="{_attr(entry.link)}">阅读原文</a></p>'
    return ArticleInput(
        title=html_to_text(entry.title)[:120] or "（无标题）",
        category=source.category,
        organization=source.organization,
        audience=source.audience,
        summary=summary,
        body=body,
        source_url=entry.link[:500] if entry.link.startswith(("https://", "http://")) else "",
    )


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _import(source: FeedSource, entries: list[FeedEntry]) -> int:
    """Caller holds the source row lock inside a transaction."""
    ids = [entry.entry_id[:300] for entry in entries]
    seen = set(
        Article.objects.filter(feed_source=source, feed_entry_id__in=ids).values_list(
            "feed_entry_id", flat=True
        )
    )
    created = 0
    now = timezone.now()
    # Oldest first, so that the newest entry is also the newest article.
    for entry in sorted(entries, key=lambda e: e.published_at or now):
        entry_id = entry.entry_id[:300]
        if entry_id in seen:
            continue
        seen.add(entry_id)
        published_at = None
        if source.publish_immediately:
            published_at = min(entry.published_at or now, now)
        article_create(
            actor=None,
            data=_article_input(source, entry),
            feed_source=source,
            feed_entry_id=entry_id,
            published_at=published_at,
        )
        created += 1
    return created


def feed_source_sync(*, source_id: int) -> int:
    """Run one source; returns the number of new articles. Raises FeedSyncError on failure
    (after recording it on the source), so that the task can retry."""
    source = FeedSource.objects.select_related("organization").filter(pk=source_id).first()
    if source is None or not source.enabled:
        return 0
    started = timezone.now()
    try:
        entries = adapter_for(source).entries(source)
        with transaction.atomic():
            FeedSource.objects.select_for_update().filter(pk=source.pk).first()
            created = _import(source, entries)
            FeedSource.objects.filter(pk=source.pk).update(
                last_run_at=started,
                last_success_at=timezone.now(),
                last_error="",
                failure_count=0,
                last_imported=created,
                next_poll_at=started + timedelta(minutes=source.poll_minutes),
            )
    except Exception as exc:
        if isinstance(exc, FetchError):
            message = str(exc)
        elif isinstance(exc, ServiceError):
            message = f"导入失败：{exc.message}"
        else:
            message = f"导入失败：{type(exc).__name__}"
        _record_failure(source, started, message)
        logger.warning("feed source %s failed: %s", source.pk, message, exc_info=True)
        raise FeedSyncError(message) from exc
    if created:
        logger.info("feed source %s imported %s entries", source.pk, created)
    return created


def _record_failure(source: FeedSource, started, message: str) -> None:
    with transaction.atomic():
        locked = FeedSource.objects.select_for_update().get(pk=source.pk)
        locked.failure_count += 1
        locked.last_run_at = started
        locked.last_error = f"{timezone.localtime(started):%Y-%m-%d %H:%M} {message}"[:1000]
        locked.next_poll_at = started + timedelta(minutes=locked.poll_minutes)
        locked.save(update_fields=["failure_count", "last_run_at", "last_error", "next_poll_at"])
        if locked.failure_count == FEED_FAILURES_BEFORE_ALERT:
            notice_publish(
                audience=Audience.staff(locked.organization),
                kind=Notice.Kind.SYSTEM,
                title=f"公众号同步来源“{locked.name}”连续{locked.failure_count}次失败",
                body=message[:300],
                link=f"/admin/learning/feedsource/{locked.pk}/change/",
                dedupe_key=f"learning-feed-alert:{locked.pk}:{timezone.localdate(started)}",
            )


def feed_sources_claim_due(*, now=None) -> list[int]:
    """Enabled sources whose poll time has come (or that never ran); their next poll time is
    moved forward at once, so that a slow run is not queued again by the next beat."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            FeedSource.objects.select_for_update(skip_locked=True)
            .filter(enabled=True)
            .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        )
        for source in due:
            source.next_poll_at = now + timedelta(minutes=source.poll_minutes)
            source.save(update_fields=["next_poll_at"])
    return [source.pk for source in due]


def retry_countdown(attempt: int) -> int:
    base = settings.LEARNING_FEED_RETRY_BACKOFF_BASE
    return int(min(base * (2**attempt), 3600))

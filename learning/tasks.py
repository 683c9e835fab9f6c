"""Celery tasks of the learning library: thin, ids in, services do the work."""

from celery import shared_task

from sanyuan.queue import enqueue_now


@shared_task(name="learning.article-publish-due", acks_late=True)
def article_publish_due_task() -> int:
    from .services.articles import article_publish_due

    return article_publish_due()


@shared_task(
    name="learning.feed-sync-source",
    acks_late=True,
    bind=True,
    max_retries=3,
    time_limit=120,
    soft_time_limit=90,
)
def feed_source_sync_task(self, source_id: int) -> int:
    from .feeds.sync import FeedSyncError, feed_source_sync, retry_countdown

    try:
        return feed_source_sync(source_id=source_id)
    except FeedSyncError:
        if self.request.retries >= self.max_retries:
            return 0  # recorded on the source; beat tries again at the next poll
        raise self.retry(countdown=retry_countdown(self.request.retries)) from None


@shared_task(name="learning.feed-sync-due", acks_late=True)
def feed_sync_due_task() -> int:
    from .feeds.sync import feed_sources_claim_due

    due = feed_sources_claim_due()
    for source_id in due:
        enqueue_now(feed_source_sync_task, source_id)
    return len(due)

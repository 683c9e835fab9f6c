"""Study records: a member opens an article, the page reports time while it is visible, and
the member finishes it. One row per member and article, updated in place."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from members.models import Member
from members.services.archive import member_engagement_touch
from sanyuan.errors import ServiceError

from ..models import Article, StudyRecord

# A single report may add at most this many seconds (the page reports every ~30 s).
MAX_SECONDS_PER_REPORT = 300
# Reports may not add more time than has passed since the previous one, plus this slack.
REPORT_SLACK_SECONDS = 5


def _record_for(member: Member, article: Article) -> tuple[StudyRecord, bool]:
    record = StudyRecord.objects.filter(member=member, article=article).first()
    if record is not None:
        return record, False
    try:
        with transaction.atomic():
            return StudyRecord.objects.create(member=member, article=article), True
    except IntegrityError:  # the same member opened it twice at once
        return StudyRecord.objects.get(member=member, article=article), False


def study_record_touch(
    *, member: Member, article: Article, seconds: int = 0, finished: bool = False
) -> StudyRecord:
    """Record that `member` opened `article`, spent `seconds` more on it, and maybe finished.

    The caller checked that the member may read the article (selectors.article_get).
    Seconds are capped so that a client cannot claim more time than has passed."""
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        raise ServiceError("学习时长无效。", field="seconds")
    now = timezone.now()
    record, created = _record_for(member, article)
    elapsed = (now - record.last_reported_at).total_seconds()
    allowed = 0 if created else int(elapsed) + REPORT_SLACK_SECONDS
    add = max(0, min(seconds, allowed, MAX_SECONDS_PER_REPORT))
    updates = {"last_reported_at": now}
    if add:
        updates["seconds"] = F("seconds") + add
    if finished and record.finished_at is None:
        updates["finished_at"] = now
    StudyRecord.objects.filter(pk=record.pk).update(**updates)
    record.refresh_from_db()
    member_engagement_touch(member_id=member.pk, studied_at=now)
    return record

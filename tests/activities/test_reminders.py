"""Reminders before the start: sent once, never for a cancelled activity, through the beat
task's service (and the task itself, eagerly)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from activities import services
from activities.models import Activity
from activities.tasks import activity_reminders_send_task
from members.models import Notice
from tests.activities import factories as af

pytestmark = pytest.mark.django_db
S = Activity.Status


def reminders():
    return Notice.objects.filter(kind=Notice.Kind.ACTIVITY_REMINDER)


def test_a_reminder_is_sent_once_within_the_lead_time(aw):
    soon = af.activity(aw.branch_a1, starts_in=timedelta(hours=3))
    later = af.activity(aw.branch_a1, starts_in=timedelta(days=5))
    assert services.activity_reminders_send() == 1
    assert services.activity_reminders_send() == 0
    assert activity_reminders_send_task.delay().get() == 0
    notice = reminders().get()
    assert notice.dedupe_key == f"activity-reminder:{soon.pk}"
    assert notice.audience_organization == aw.branch_a1 and notice.link.endswith(f"/{soon.pk}/")
    soon.refresh_from_db()
    later.refresh_from_db()
    assert soon.reminded_at is not None and later.reminded_at is None


def test_the_later_activity_is_reminded_when_its_time_comes(aw):
    later = af.activity(aw.branch_a1, starts_in=timedelta(days=5))
    lead = timedelta(hours=settings.ACTIVITY_REMINDER_LEAD_HOURS)
    assert services.activity_reminders_send(now=later.starts_at - lead - timedelta(minutes=1)) == 0
    assert services.activity_reminders_send(now=later.starts_at - lead + timedelta(minutes=1)) == 1
    assert reminders().count() == 1


def test_no_reminder_for_a_cancelled_or_draft_or_started_activity(aw):
    cancelled = af.activity(aw.branch_a1, starts_in=timedelta(hours=2))
    services.activity_cancel(user=aw.staff_a, activity=cancelled, reason="改期")
    af.activity(aw.branch_a1, status=S.PLANNED, starts_in=timedelta(hours=2))
    af.activity(aw.branch_a1, starts_in=timedelta(minutes=-5))
    assert activity_reminders_send_task.delay().get() == 0
    assert not reminders().exists()


def test_a_reminder_due_but_cancelled_meanwhile_is_not_sent(aw):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=2))
    due = services.activity_reminders_due()
    assert due == [activity.pk]
    services.activity_cancel(user=aw.staff_a, activity=activity, reason="改期")
    assert services.activity_reminder_send(activity_id=activity.pk) is False
    assert not reminders().exists()


def test_the_dedupe_key_holds_even_if_the_row_mark_is_lost(aw):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=2))
    assert services.activity_reminder_send(activity_id=activity.pk) is True
    Activity.objects.filter(pk=activity.pk).update(reminded_at=None)
    assert services.activity_reminder_send(activity_id=activity.pk) is False
    assert reminders().count() == 1


def test_the_reminder_reaches_a_member_of_the_audience_in_the_inbox(aw):
    from members.selectors import notice_inbox

    af.activity(aw.branch_a1, starts_in=timedelta(hours=2), title="十一月主题党日")
    services.activity_reminders_send(now=timezone.now())
    inbox = notice_inbox(user=aw.member_a.user).results
    assert [n.title for n in inbox] == ["活动提醒：十一月主题党日"]
    assert notice_inbox(user=aw.member_b.user).results == []


def test_the_beat_schedule_lists_the_reminder_task():
    entry = settings.CELERY_BEAT_SCHEDULE["activity-reminders"]
    assert entry["task"] == activity_reminders_send_task.name == "activities.send-reminders"

"""Nothing lost, nothing twice: notices through the real Redis and real Celery workers.

Fault tests break only their own throwaway Redis; bounded by deadlines, never by sleeps that
a slow machine could outrun."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from members.models import Notice, NoticeDelivery
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.factories import login_staff
from tests.gateway import FakeSmsGateway

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
K = Notice.Kind


def wait_for(condition, timeout=40, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def review_outcome_for(member):
    return notice_publish(
        audience=Audience.user(member.user), kind=K.REVIEW_OUTCOME, title="您的修改申请已通过"
    )


def delivery_status(notice):
    row = NoticeDelivery.objects.filter(notice=notice).values_list("status", "attempts").first()
    return row


def test_a_notice_is_delivered_once_through_a_real_worker(start_worker, sms_outbox):
    world = factories.build_world()
    start_worker()
    notice = review_outcome_for(world.member_a)
    assert wait_for(lambda: delivery_status(notice) == ("sent", 1)), delivery_status(notice)
    messages = sms_outbox.messages()
    assert [m["phone"] for m in messages] == [world.member_a.phone]


def test_redis_down_at_publish_time_the_event_commits_and_the_notice_arrives_once_redis_is_back(
    throwaway_redis, start_worker, sms_outbox, settings
):
    world = factories.build_world()
    db = connection.settings_dict
    throwaway_redis.stop()
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        TEST_BROKER_URL=throwaway_redis.url,
        CELERY_TASK_ALWAYS_EAGER="0",
        SMS_FILE_PATH=str(settings.SMS_FILE_PATH),
    )
    script = (
        "from members.models import Member;"
        "from members.services.notices import Audience, notice_publish;"
        f"m = Member.objects.get(pk={world.member_a.pk});"
        "notice_publish(audience=Audience.user(m.user), kind='review_outcome', title='申请已通过')"
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "could not enqueue" in result.stderr  # the broker was down: logged, not raised
    assert time.monotonic() - started < 30
    notice = Notice.objects.get()
    assert notice.dispatched_at is None and not NoticeDelivery.objects.exists()

    throwaway_redis.start()
    start_worker(
        beat=True,
        TEST_BROKER_URL=throwaway_redis.url,
        NOTICE_SWEEP_SECONDS="0.5",
        NOTICE_SWEEP_GRACE_SECONDS="0",
    )
    assert wait_for(lambda: delivery_status(notice) == ("sent", 1)), delivery_status(notice)
    time.sleep(1.5)  # a few more sweeps: still exactly one message
    assert [m["phone"] for m in sms_outbox.messages()] == [world.member_a.phone]


def test_a_worker_killed_mid_delivery_redelivers_without_a_duplicate_sms(start_worker):
    world = factories.build_world()
    with FakeSmsGateway(delay_first=6) as gateway:
        env = {
            "SMS_BACKEND": "http",
            "SMS_HTTP_URL": gateway.url,
            "CELERY_VISIBILITY_TIMEOUT": "2",
            "CELERY_UNACKED_RESTORE_INTERVAL": "1",
            "CELERY_UNACKED_RESTORE_THROTTLE": "1",
        }
        first = start_worker(**env)
        notice = review_outcome_for(world.member_a)
        assert wait_for(lambda: len(gateway.requests) == 1), "the worker never reached the gateway"
        first.kill()  # dies while the gateway is still answering
        start_worker(**env)
        assert wait_for(lambda: delivery_status(notice) and delivery_status(notice)[0] == "sent"), (
            delivery_status(notice)
        )
        assert wait_for(lambda: len(gateway.delivered) == 1, timeout=10)
    assert len(gateway.requests) >= 2  # the task ran again ...
    assert len({r["out_id"] for r in gateway.requests}) == 1  # ... with the same key ...
    assert len(gateway.delivered) == 1  # ... so the member got one message


def test_a_failing_gateway_is_retried_with_backoff_and_delivers_once(start_worker):
    world = factories.build_world()
    with FakeSmsGateway(statuses=[500, 500]) as gateway:
        start_worker(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, NOTICE_RETRY_BACKOFF_BASE="0")
        notice = review_outcome_for(world.member_a)
        assert wait_for(lambda: delivery_status(notice) == ("sent", 3)), delivery_status(notice)
    assert len(gateway.requests) == 3
    assert len(gateway.delivered) == 1


def test_a_gateway_that_keeps_failing_dead_letters_the_delivery(start_worker, client):
    world = factories.build_world()
    with FakeSmsGateway(statuses=[500] * 10) as gateway:
        start_worker(
            SMS_BACKEND="http",
            SMS_HTTP_URL=gateway.url,
            NOTICE_RETRY_BACKOFF_BASE="0",
            NOTICE_MAX_ATTEMPTS="3",
        )
        notice = review_outcome_for(world.member_a)
        assert wait_for(lambda: delivery_status(notice) == ("dead", 3)), delivery_status(notice)
    assert gateway.delivered == {}
    login_staff(client, world.county_staff)
    page = client.get("/admin/members/noticedelivery/?status__exact=dead").content.decode()
    assert "发送失败（已放弃）" in page

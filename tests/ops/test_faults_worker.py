"""A worker killed in the middle of a roster import, and a slow SMS gateway: tasks finish
once and in full, messages go out once, and no request waits on the gateway."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from members.models import Member, NoticeDelivery, OneTimeCode, RosterImport
from members.services import imports
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.gateway import FakeSmsGateway
from tests.ops.conftest import psycopg2_connect, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
REDELIVER_FAST = {
    "CELERY_VISIBILITY_TIMEOUT": "2",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}


NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


def roster_csv(count: int) -> bytes:
    """Rows without a destination: transactional tests may run after a flush that emptied
    the region table the destination is checked against."""
    header = "姓名,身份证号码,手机号码,党组织代码,入党时间,流入省份,流入城市,职业,技能,月收入"
    rows = [
        f"{NAMES[n]}{NAMES[-n]}明,{factories.valid_id_number(birth='19850301', seq=n)},139{n:08d},C-A-1,,,,,,"
        for n in range(1, count + 1)
    ]
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8-sig")


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def backend_waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE '%%members_member%%'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_import_leaves_nothing_half_done_and_the_import_finishes_once(
    start_worker,
):
    world = factories.build_world()
    roster = imports.roster_upload(
        actor=world.county_staff,
        uploaded_file=SimpleUploadedFile("花名册.csv", roster_csv(25)),
    )
    # The dry run is its own task; run it here (the worker started below will find the roster
    # checked and leave it alone: the task is idempotent).
    imports.roster_check_run(roster_id=roster.pk)
    roster.refresh_from_db()
    assert roster.valid_rows == 25, roster.errors_json[:3]
    members_before = Member.objects.count()
    first = start_worker(**REDELIVER_FAST)
    # Hold the members table so that the import blocks inside its transaction.
    blocker = psycopg2_connect(database_url())
    blocker.autocommit = False
    with blocker.cursor() as cursor:
        cursor.execute("LOCK TABLE members_member IN SHARE MODE")
    try:
        imports.roster_confirm(actor=world.county_staff, roster=roster)
        assert wait_for(
            lambda: (
                RosterImport.objects.get(pk=roster.pk).status == "importing"
                and backend_waiting_on_a_lock()
            ),
            30,
        ), first.output()
        first.kill()  # dies mid-task, unacknowledged, its transaction never committed
    finally:
        blocker.rollback()
        blocker.close()
    assert wait_for(lambda: not backend_waiting_on_a_lock(), 20)
    assert Member.objects.count() == members_before
    start_worker(**REDELIVER_FAST)
    assert wait_for(lambda: RosterImport.objects.get(pk=roster.pk).status == "done", 40)
    done = RosterImport.objects.get(pk=roster.pk)
    assert (done.created, done.updated) == (25, 0)
    assert Member.objects.count() == members_before + 25
    assert done.content == ""  # the uploaded file is gone once imported


def test_a_slow_gateway_times_out_is_retried_and_the_member_gets_one_message(start_worker):
    world = factories.build_world()
    with FakeSmsGateway(delay_first=4) as gateway:
        start_worker(
            SMS_BACKEND="http",
            SMS_HTTP_URL=gateway.url,
            SMS_HTTP_TIMEOUT="1",
            NOTICE_RETRY_BACKOFF_BASE="0",
        )
        notice = notice_publish(
            audience=Audience.user(world.member_a.user),
            kind="review_outcome",
            title="您的档案修改申请已通过",
        )

        def delivery():
            return (
                NoticeDelivery.objects.filter(notice=notice)
                .values_list("status", "attempts")
                .first()
            )

        # Two attempts: the first gave up after SMS_HTTP_TIMEOUT (a worker that waited for
        # the slow answer would have finished with one).
        assert wait_for(lambda: delivery() == ("sent", 2), 40), delivery()
        assert wait_for(lambda: len(gateway.requests) == 2, 10)
        time.sleep(4)  # the first, slow request completes at the gateway meanwhile
    assert len({r["out_id"] for r in gateway.requests}) == 1
    assert len(gateway.delivered) == 1


def test_no_request_waits_for_a_hanging_gateway(start_worker, api):
    world = factories.build_world()
    with FakeSmsGateway(delay_first=8) as gateway:
        start_worker(SMS_BACKEND="http", SMS_HTTP_URL=gateway.url, SMS_HTTP_TIMEOUT="1")
        member = world.member_a2
        started = time.monotonic()
        response = api.post(
            "/api/auth/activation-code/",
            {"name": member.name, "id_number": member.id_number},
            format="json",
        )
        answered = time.monotonic() - started
        assert response.status_code == 202
        assert answered < 5  # the gateway is still sleeping on the first request
        # The worker's first attempt times out after 1 s; the retry gets through.
        assert wait_for(lambda: len(gateway.requests) >= 2, 30)
        assert OneTimeCode.objects.filter(member=member).count() == 1
        time.sleep(8)
    assert {r["out_id"] for r in gateway.requests} == {
        f"one-time-code-{OneTimeCode.objects.get(member=member).pk}"
    }
    assert len(gateway.delivered) == 1

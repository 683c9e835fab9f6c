"""Redis stopped under a running gunicorn: pages, the API and logins keep working (the cache
ignores errors, nothing waits on the broker), a review still commits, and its notice reaches
the member once Redis is back. A throwaway Redis on a free port, never the shared one."""

import json
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

from members.models import Notice, NoticeDelivery
from members.services.changes import change_request_submit
from tests import factories
from tests.ops.conftest import http_get, wait_for

pytestmark = pytest.mark.slow


def timed(call):
    started = time.monotonic()
    result = call()
    elapsed = time.monotonic() - started
    print(f"without Redis: answered in {elapsed * 1000:.0f} ms")
    assert elapsed < 15, f"a request waited {elapsed:.1f}s on the missing Redis"
    return result


def post_json(url, payload, headers=None):
    return http_get(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )


def test_pages_keep_working_without_redis_and_notices_catch_up(
    throwaway_redis, start_gunicorn, start_worker, sms_outbox
):
    world = factories.build_world()
    request = change_request_submit(
        member=world.member_a, changes={"employer": "比亚迪"}, reason="换了工作"
    )
    # gunicorn runs the production settings, whose hashers do not read the tests' fast MD5.
    argon2 = Argon2PasswordHasher()
    world.member_b.user.password = argon2.encode(factories.PASSWORD, argon2.salt())
    world.member_b.user.save(update_fields=["password"])
    member = {"Authorization": f"Token {factories.token_for(world.member_a.user)[0]}"}
    staff = {"Authorization": f"Token {factories.token_for(world.staff_a)[0]}"}
    broker = throwaway_redis.url
    app = start_gunicorn(
        REDIS_URL=broker,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        CACHE_URL=broker.rsplit("/", 1)[0] + "/1",
        CELERY_TASK_ALWAYS_EAGER="0",
    )
    assert http_get(app.url + "/api/me/", headers=member)[0] == 200

    throwaway_redis.stop()
    assert timed(lambda: http_get(app.url + "/api/me/", headers=member))[0] == 200
    assert timed(lambda: http_get(app.url + "/", headers={"Accept": "text/html"}))[0] == 200
    assert timed(lambda: http_get(app.url + "/api/forum/threads/", headers=member))[0] == 200
    login = timed(
        lambda: post_json(
            app.url + "/api/auth/login/",
            {
                "name": world.member_b.name,
                "id_number": world.member_b.id_number,
                "password": factories.PASSWORD,
            },
        )
    )
    assert login[0] == 200, login[2]
    code = timed(
        lambda: post_json(
            app.url + "/api/auth/activation-code/",
            {"name": world.member_a2.name, "id_number": world.member_a2.id_number},
        )
    )
    assert code[0] == 202, code[2][:500]
    approved = timed(
        lambda: post_json(
            app.url + f"/api/change-requests/{request.pk}/approve/", {"comment": ""}, staff
        )
    )
    assert approved[0] == 200, approved[2][:500]
    status, _h, body = http_get(app.url + "/healthz/")
    assert status == 503 and json.loads(body)["checks"] == {"database": True, "broker": False}
    notice = Notice.objects.get(kind=Notice.Kind.REVIEW_OUTCOME)
    assert not NoticeDelivery.objects.filter(notice=notice, status="sent").exists()
    assert sms_outbox.messages() == []

    throwaway_redis.start()
    assert wait_for(lambda: http_get(app.url + "/healthz/")[0] == 200, 20)
    start_worker(
        beat=True,
        TEST_BROKER_URL=broker,
        NOTICE_SWEEP_SECONDS="0.5",
        NOTICE_SWEEP_GRACE_SECONDS="0",
    )
    assert wait_for(
        lambda: NoticeDelivery.objects.filter(notice=notice, status="sent").exists(), 40
    )
    time.sleep(1.5)  # more sweeps: still one message
    review_sms = [m for m in sms_outbox.messages() if m["template"] == "notice_review_outcome"]
    assert [m["phone"] for m in review_sms] == [world.member_a.phone]
    # The code asked for while Redis was away was not sent; asking again works.
    code = post_json(
        app.url + "/api/auth/activation-code/",
        {"name": world.member_a2.name, "id_number": world.member_a2.id_number},
    )
    assert code[0] == 202
    assert wait_for(
        lambda: any(m["template"] == "one_time_code" for m in sms_outbox.messages()), 30
    )

"""Redis Sentinel: the site configured with REDIS_SENTINELS / REDIS_SENTINEL_MASTER /
CACHE_SENTINEL_MASTER talks to whichever server the sentinels name master. Real
`redis-server` and `redis-sentinel` from Debian on free ports: the master is killed, the
sentinels promote the replica, and /healthz/, /metrics, the idempotency store (the cache) and
a Celery worker (the broker) work again without a restart."""

import json
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from learning.models import StudyRecord
from tests import factories
from tests.learning import factories as lf
from tests.ops.conftest import Gunicorn, http_get, product_env, wait_for
from tests.ops.servers import MASTER_NAME, SentinelCluster

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cluster():
    cluster = SentinelCluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def sentinel_env(cluster: SentinelCluster) -> dict:
    """Production settings that reach Redis only through the sentinels: the hosts in the URLs
    do not exist (only their database numbers are used)."""
    return {
        "REDIS_SENTINELS": cluster.addresses,
        "REDIS_SENTINEL_MASTER": MASTER_NAME,
        "CACHE_SENTINEL_MASTER": MASTER_NAME,
        "REDIS_URL": "redis://no-such-host.invalid:6379/0",
        "CELERY_BROKER_URL": "redis://no-such-host.invalid:6379/0",
        "CACHE_URL": "redis://no-such-host.invalid:6379/1",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }


def healthy(url: str) -> bool:
    status, _headers, body = http_get(url + "/healthz/", timeout=5)
    return status == 200 and json.loads(body)["checks"] == {"database": True, "broker": True}


def broker_up(url: str) -> bool:
    status, _headers, body = http_get(url + "/metrics", timeout=5)
    return status == 200 and 'sanyuan_up{component="broker"} 1.0' in body.decode()


def replayed(url: str, token: str, article_id: int, key: str) -> bool:
    """The same study report twice with one Idempotency-Key: the second comes from the cache."""
    path = url + reverse("api:article-study", args=[article_id])
    headers = {
        "Authorization": f"Token {token}",
        "Content-Type": "application/json",
        "Idempotency-Key": key,
    }
    data = json.dumps({"seconds": 5}).encode()
    first = http_get(path, headers=headers, data=data, method="POST")
    again = http_get(path, headers=headers, data=data, method="POST")
    return first[0] == again[0] == 200 and again[1].get("Idempotent-Replayed") == "true"


def test_health_metrics_and_the_cache_come_back_after_the_master_fails(
    cluster, collected_static, tmp_path
):
    world = factories.build_world()
    article = lf.article(world.county, audience=lf.A.COUNTY, title="党章学习")
    record = StudyRecord.objects.create(member=world.member_a, article=article)
    StudyRecord.objects.filter(pk=record.pk).update(
        last_reported_at=timezone.now() - timedelta(hours=1)
    )
    token = factories.token_for(world.member_a.user)[0]
    env = product_env(STATIC_ROOT=str(collected_static), **sentinel_env(cluster))
    env.pop("CELERY_RESULT_BACKEND")  # follows the broker: through the sentinels too
    server = Gunicorn(env, tmp_path)
    try:
        server.wait_ready()
        assert healthy(server.url), http_get(server.url + "/healthz/")
        assert broker_up(server.url)
        assert replayed(server.url, token, article.pk, "before-failover-0001")

        killed = time.monotonic()
        cluster.kill_master()
        # within 30 s the sentinels promote the replica and every gunicorn worker answers
        # 200 again (the old master is dead: a 200 comes from the promoted replica)
        assert wait_for(
            lambda: (
                cluster.master_port_now() == cluster.replica_port
                and all(healthy(server.url) for _ in range(4))
            ),
            30,
        ), server.output()
        print(f"/healthz/ 200 again {time.monotonic() - killed:.1f} s after the master died")
        assert wait_for(lambda: broker_up(server.url), 30)
        assert wait_for(
            lambda: replayed(server.url, token, article.pk, f"after-failover-{id(object())}"), 30
        )
    finally:
        server.stop()


def test_a_celery_worker_takes_tasks_through_the_sentinels_before_and_after_a_failover(
    cluster, start_worker
):
    import uuid

    from sanyuan import redisconf
    from sanyuan.celery import app
    from sanyuan.tasks import ping_task

    worker = start_worker(
        TEST_BROKER_URL="redis://no-such-host.invalid:6379/0",
        REDIS_SENTINELS=cluster.addresses,
        REDIS_SENTINEL_MASTER=MASTER_NAME,
    )
    sentinels = redisconf.parse_sentinels(cluster.addresses.split(","))
    url = redisconf.kombu_sentinel_url("redis://x/0", sentinels)

    def sent_and_done() -> bool:
        token = uuid.uuid4().hex
        try:
            with app.connection_for_write(
                url=url, transport_options={"master_name": MASTER_NAME}
            ) as connection:
                ping_task.apply_async(args=[token], connection=connection, retry=False)
        except Exception:  # no master yet
            return False
        return wait_for(lambda: f"pong:{token}" in worker.output(), 10)

    assert "Connected to sentinel://" in worker.output()
    assert wait_for(sent_and_done, 30), worker.output()
    cluster.kill_master()
    assert wait_for(lambda: cluster.master_port_now() == cluster.replica_port, 30)
    assert wait_for(sent_and_done, 60), worker.output()

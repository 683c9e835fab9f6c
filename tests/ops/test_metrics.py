"""/metrics: Prometheus text format, internal addresses (and a token) only."""

import pytest
import redis
from django.conf import settings as django_settings
from prometheus_client.parser import text_string_to_metric_families

from members.models import Notice, NoticeDelivery
from sanyuan.celery import app
from sanyuan.tasks import ping_task

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict:
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            samples[key] = sample.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_status_class_with_their_latency(client):
    before = scrape(client)
    assert client.get("/healthz/").status_code == 200
    assert client.get("/no-such-page/").status_code == 404
    after = scrape(client)
    counter = "sanyuan_http_requests_total"
    assert (
        value(after, counter, status_class="2xx") - value(before, counter, status_class="2xx") == 1
    )
    assert (
        value(after, counter, status_class="4xx") - value(before, counter, status_class="4xx") == 1
    )
    count = "sanyuan_http_request_duration_seconds_count"
    assert value(after, count) - value(before, count) == 2
    assert ("sanyuan_http_request_duration_seconds_bucket", (("le", "+Inf"),)) in after


def test_queue_depth_dead_letters_and_pending_deliveries_are_reported(client, settings, world):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker.delete(queue)
    try:
        for _ in range(3):
            ping_task.apply_async(args=["x"])
        notice = Notice.objects.create(kind=Notice.Kind.SYSTEM, title="测试")
        for user, status in [
            (world.member_a.user, "dead"),
            (world.member_b.user, "dead"),
            (world.staff_a, "pending"),
            (world.staff_b, "sent"),
        ]:
            NoticeDelivery.objects.create(notice=notice, user=user, channel="sms", status=status)
        samples = scrape(client)
    finally:
        app.conf.task_always_eager = True
        broker.delete(queue)
    assert value(samples, "sanyuan_celery_queue_length", queue=queue) == 3
    assert value(samples, "sanyuan_notice_deliveries", status="dead") == 2
    assert value(samples, "sanyuan_notice_deliveries", status="pending") == 1
    assert ("sanyuan_notice_deliveries", (("status", "sent"),)) not in samples
    assert value(samples, "sanyuan_up", component="database") == 1
    assert value(samples, "sanyuan_up", component="broker") == 1


def test_a_broker_that_does_not_answer_is_reported_not_raised(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    samples = scrape(client)
    assert value(samples, "sanyuan_up", component="broker") == 0
    assert value(samples, "sanyuan_up", component="database") == 1


def test_metrics_are_hidden_from_outside_addresses_even_through_the_proxy(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 404
    settings.TRUSTED_PROXY_COUNT = 1
    # nginx (127.0.0.1) forwards a request from outside: the client address decides.
    outside = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.7"
    )
    assert outside.status_code == 404
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5")
    assert inside.status_code == 404  # 10/8 is not allowed by default
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert (
        client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5").status_code
        == 200
    )


def test_a_configured_token_is_required(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404
    wrong = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 404
    assert scrape(client, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")


def test_metrics_settings_default_to_loopback_only():
    assert django_settings.METRICS_ALLOWED_NETWORKS == ["127.0.0.0/8", "::1/128"]
    assert django_settings.MIDDLEWARE[0] == "sanyuan.metrics.MetricsMiddleware"

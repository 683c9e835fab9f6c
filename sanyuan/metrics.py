"""Metrics for monitoring, in Prometheus text format at /metrics.

- `sanyuan_http_requests_total{status_class}` and `sanyuan_http_request_duration_seconds`
  (histogram), counted by MetricsMiddleware in every web process. Under gunicorn the workers
  share them through prometheus-client's multiprocess mode: gunicorn.conf.py sets
  PROMETHEUS_MULTIPROC_DIR before the workers start and tells the library when one exits.
- Read at scrape time, the same on every web host: the Celery queue depth (the Redis list
  of our queue), tasks taken by workers but not yet acknowledged, notice deliveries waiting
  or dead-lettered, and whether the database and the broker answer.

Access: only clients in METRICS_ALLOWED_NETWORKS and, when METRICS_TOKEN is set, with
`Authorization: Bearer <token>`; everyone else gets a 404.
"""

import hmac
import ipaddress
import logging
import os
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

from .net import client_ip
from .redisconf import broker_client

logger = logging.getLogger(__name__)

METRICS_PATH = "/metrics"
# kombu's Redis transport keeps a queue's messages of priority p > 0 in "<queue>\x06\x16<p>"
PRIORITY_SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)
OPEN_DELIVERY_STATUSES = ("pending", "sending", "failed", "dead")

_request_registry = CollectorRegistry(auto_describe=True)
REQUESTS = Counter(
    "sanyuan_http_requests",
    "HTTP responses by status class (5xx are errors).",
    ["status_class"],
    registry=_request_registry,
)
LATENCY = Histogram(
    "sanyuan_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=_request_registry,
)


class MetricsMiddleware:
    """Counts every response and its latency. First in MIDDLEWARE, so that it sees the
    responses of the other middleware (static files, redirects, 503s) too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if request.path_info != METRICS_PATH:
            REQUESTS.labels(status_class=f"{response.status_code // 100}xx").inc()
            LATENCY.observe(time.perf_counter() - started)
        return response


def _multiprocess() -> bool:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return bool(directory) and os.path.isdir(directory)


def _request_metrics() -> bytes:
    if _multiprocess():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(_request_registry)


def _queue_depths() -> tuple[int, int] | None:
    """(messages waiting in our queue, messages taken but unacknowledged) or None."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return (0, 0)
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    try:
        pipe = broker_client().pipeline(transaction=False)
        for step in PRIORITY_STEPS:
            pipe.llen(f"{queue}{PRIORITY_SEPARATOR}{step}" if step else queue)
        pipe.hlen("unacked")
        *lengths, unacked = pipe.execute()
        return sum(lengths), unacked
    except Exception:  # broker down or no master: reported as sanyuan_up{component="broker"} 0
        logger.warning("metrics: broker not reachable", exc_info=True)
        return None


def _delivery_counts() -> dict[str, int] | None:
    """The outbox's open deliveries by status, from the app that keeps the outbox
    (settings.METRICS_OUTBOX_COUNTS names the function; sanyuan imports no app)."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    try:
        counts = dict.fromkeys(OPEN_DELIVERY_STATUSES, 0)
        counts.update(import_string(settings.METRICS_OUTBOX_COUNTS)(OPEN_DELIVERY_STATUSES))
        return counts
    except Exception:  # database down: reported as sanyuan_up{component="database"} 0
        logger.warning("metrics: database not reachable", exc_info=True)
        return None


class ApplicationCollector:
    """Gauges read when Prometheus scrapes."""

    def collect(self):
        up = GaugeMetricFamily("sanyuan_up", "1 when the component answers.", labels=["component"])
        depths = _queue_depths()
        up.add_metric(["broker"], 0 if depths is None else 1)
        if depths is not None:
            queue = settings.CELERY_TASK_DEFAULT_QUEUE
            waiting = GaugeMetricFamily(
                "sanyuan_celery_queue_length",
                "Tasks waiting in the Celery queue (Redis list length).",
                labels=["queue"],
            )
            waiting.add_metric([queue], depths[0])
            yield waiting
            yield GaugeMetricFamily(
                "sanyuan_celery_unacked_tasks",
                "Tasks a worker took and has not acknowledged yet.",
                value=depths[1],
            )
        deliveries = _delivery_counts()
        up.add_metric(["database"], 0 if deliveries is None else 1)
        if deliveries is not None:
            family = GaugeMetricFamily(
                "sanyuan_notice_deliveries",
                "Notice deliveries (SMS, e-mail) not sent yet; 'dead' gave up after "
                "NOTICE_MAX_ATTEMPTS and needs staff attention.",
                labels=["status"],
            )
            for status, count in deliveries.items():
                family.add_metric([status], count)
            yield family
        yield up


def metrics_allowed(request) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    networks = [
        ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETWORKS
    ]
    if not any(address in network for network in networks):
        return False
    if settings.METRICS_TOKEN:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), settings.METRICS_TOKEN.encode())
    return True


def metrics_view(request):
    if not metrics_allowed(request):
        raise Http404
    app_registry = CollectorRegistry(auto_describe=False)
    app_registry.register(ApplicationCollector())
    body = _request_metrics() + generate_latest(app_registry)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

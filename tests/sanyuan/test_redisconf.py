"""Redis Sentinel settings (sanyuan/redisconf.py, read in settings.py) and what the health
check and metrics do with a sentinel broker URL. The failover itself: tests/ops/test_sentinel.py."""

import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from sanyuan import redisconf
from tests.sanyuan.test_settings import ROOT, production_env

SHOW_SETTINGS = """
import json
from django.conf import settings as s
from sanyuan.celery import app
print(json.dumps({
    "broker": s.CELERY_BROKER_URL, "celery_broker": app.conf.broker_url,
    "transport": s.CELERY_BROKER_TRANSPORT_OPTIONS,
    "result": s.CELERY_RESULT_BACKEND, "celery_result": app.conf.result_backend,
    "result_transport": getattr(s, "CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS", None),
    "cache": s.CACHES["default"], "redbeat_url": s.CELERY_REDBEAT_REDIS_URL,
    "redbeat": s.CELERY_REDBEAT_REDIS_OPTIONS, "scheduler": app.conf.beat_scheduler,
    "server_side_cursors_off": s.DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
}))
"""


def settings_with(**env) -> dict:
    """The production settings under `env` (none of the test run's Redis variables)."""
    clean = {
        key: value
        for key, value in production_env().items()
        if key not in {"REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # after the shell's banner


def test_sentinel_addresses_are_parsed_with_the_default_port_and_ipv6():
    assert redisconf.parse_sentinels(["10.0.0.5:26380", " sentinel-2 ", "[fd00::5]:26381", ""]) == [
        ("10.0.0.5", 26380),
        ("sentinel-2", 26379),
        ("fd00::5", 26381),
    ]
    with pytest.raises(ImproperlyConfigured):
        redisconf.parse_sentinels(["10.0.0.5:port"])


@pytest.mark.parametrize(
    ("sentinels", "broker", "cache"),
    [([("a", 1)], "", ""), ([], "sanyuan", ""), ([("a", 1)], "Sanyuan", "")],
)
def test_incomplete_or_unusable_sentinel_settings_are_refused(sentinels, broker, cache):
    with pytest.raises(ImproperlyConfigured):
        redisconf.check_sentinel_settings(sentinels, broker, cache)


def test_with_sentinels_broker_results_beat_and_cache_go_to_their_masters():
    shown = settings_with(
        REDIS_SENTINELS="10.0.0.5:26379,10.0.0.6:26379",
        REDIS_SENTINEL_MASTER="sanyuan-broker",
        CACHE_SENTINEL_MASTER="sanyuan-cache",
        REDIS_SENTINEL_PASSWORD="sentinel-pw",
        REDIS_URL="redis://:broker-pw@unused:6379/2",
        CELERY_BROKER_URL="redis://:broker-pw@unused:6379/2",  # Celery prefers this variable
        CACHE_URL="redis://:cache-pw@unused:6380/1",
    )
    expected = "sentinel://:broker-pw@10.0.0.5:26379/2;sentinel://:broker-pw@10.0.0.6:26379/2"
    assert shown["broker"] == shown["celery_broker"] == expected
    assert shown["result"] == shown["celery_result"] == expected
    sentinel_kwargs = {"socket_timeout": 1, "socket_connect_timeout": 1, "password": "sentinel-pw"}
    assert shown["transport"]["master_name"] == "sanyuan-broker"
    assert shown["transport"]["sentinel_kwargs"] == sentinel_kwargs
    assert shown["result_transport"] == {
        "master_name": "sanyuan-broker",
        "sentinel_kwargs": sentinel_kwargs,
    }
    cache = shown["cache"]
    assert cache["LOCATION"] == "redis://:cache-pw@sanyuan-cache/1"
    assert cache["OPTIONS"]["CONNECTION_FACTORY"] == "django_redis.pool.SentinelConnectionFactory"
    assert cache["OPTIONS"]["SENTINELS"] == [["10.0.0.5", 26379], ["10.0.0.6", 26379]]
    assert "CLIENT_CLASS" not in cache["OPTIONS"]  # reads too go to the master, never a replica
    assert shown["scheduler"] == "redbeat.RedBeatScheduler"
    assert shown["redbeat_url"].startswith("redis-sentinel://")
    assert shown["redbeat"]["service_name"] == "sanyuan-broker"
    assert (shown["redbeat"]["db"], shown["redbeat"]["password"]) == (2, "broker-pw")


def test_without_sentinels_the_urls_are_used_as_given():
    shown = settings_with(
        REDIS_URL="redis://10.0.0.7:6379/0",
        CACHE_URL="redis://10.0.0.7:6380/0",
        DB_DISABLE_SERVER_SIDE_CURSORS="1",
    )
    assert shown["broker"] == shown["result"] == "redis://10.0.0.7:6379/0"
    assert "master_name" not in shown["transport"]
    assert shown["cache"]["LOCATION"] == "redis://10.0.0.7:6380/0"
    assert shown["redbeat_url"] == "redis://10.0.0.7:6379/0"
    assert shown["server_side_cursors_off"] is True


def test_the_server_side_cursor_setting_is_off_by_default():
    assert settings_with()["server_side_cursors_off"] is False


def sentinel_broker(settings, port: int = 1) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"sentinel://127.0.0.1:{port}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"master_name": "sanyuan"}


@pytest.mark.django_db
def test_healthz_with_an_unreachable_sentinel_is_503_not_500(client, settings):
    sentinel_broker(settings)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


@pytest.mark.django_db
def test_metrics_with_an_unreachable_sentinel_report_the_broker_down(client, settings):
    sentinel_broker(settings)
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    assert 'sanyuan_up{component="broker"} 0.0' in response.content.decode()

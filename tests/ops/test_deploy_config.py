"""The example configuration in deploy/ is valid as shipped: the Redis snippets give the
broker persistence without eviction and the cache eviction without persistence, the systemd
units pass `systemd-analyze verify`, and every variable of the environment example is read."""

import re
import shutil
import subprocess

import pytest
import redis

from tests.conftest import free_port
from tests.ops.conftest import ROOT, wait_for

DEPLOY = ROOT / "deploy"


class RedisWith:
    def __init__(self, tmp_path, *args):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                "redis-server",
                *args,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(tmp_path),
                "--pidfile",
                str(tmp_path / f"redis-{self.port}.pid"),
                "--logfile",
                "",
                "--daemonize",
                "no",
                "--supervised",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        assert wait_for(self._answers, 10)

    def _answers(self) -> bool:
        try:
            return self.client.ping()
        except redis.RedisError:
            return False

    def config(self, name) -> str:
        return self.client.config_get(name)[name]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def test_the_broker_snippet_persists_every_second_and_never_evicts(tmp_path):
    main = tmp_path / "redis.conf"
    main.write_text(f"save 3600 1\ninclude {DEPLOY / 'redis/sanyuan-broker.conf'}\n")
    server = RedisWith(tmp_path, str(main))
    try:
        assert server.config("appendonly") == "yes"
        assert server.config("appendfsync") == "everysec"
        assert server.config("maxmemory-policy") == "noeviction"
        assert int(server.config("maxmemory")) > 0
    finally:
        server.stop()


def test_the_cache_instance_evicts_and_keeps_nothing_on_disk(tmp_path):
    server = RedisWith(tmp_path, str(DEPLOY / "redis/redis-cache.conf"))
    try:
        assert server.config("maxmemory-policy") == "allkeys-lru"
        assert server.config("appendonly") == "no"
        assert server.config("save") == ""
        assert int(server.config("maxmemory")) > 0
    finally:
        server.stop()
    assert "port 6380" in (DEPLOY / "redis/redis-cache.conf").read_text()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_the_systemd_units_verify(tmp_path):
    for unit in (DEPLOY / "systemd").glob("*.service"):
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/sanyuan/app", str(ROOT)))
    units = sorted(str(path) for path in tmp_path.glob("*.service"))
    assert len(units) == 3
    result = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_units_restart_on_failure_read_the_environment_file_and_beat_takes_a_lock():
    for name in ("sanyuan-web", "sanyuan-worker", "sanyuan-beat"):
        text = (DEPLOY / f"systemd/{name}.service").read_text()
        assert "Restart=always" in text and "RestartSec=" in text
        assert "EnvironmentFile=/etc/sanyuan/sanyuan.env" in text
        assert "User=sanyuan" in text
    web = (DEPLOY / "systemd/sanyuan-web.service").read_text()
    assert "check --deploy --database default" in web  # wrong keys: the unit does not start
    assert "gunicorn -c gunicorn.conf.py" in web
    beat = (DEPLOY / "systemd/sanyuan-beat.service").read_text()
    assert "only the beat\n# that holds the lock sends tasks" in beat  # celery-redbeat
    assert "--schedule" not in beat  # no schedule file: the schedule lives in Redis


def test_every_variable_of_the_environment_example_is_read_somewhere():
    example = (DEPLOY / "sanyuan.env.example").read_text()
    names = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    readers = "".join(
        path.read_text()
        for path in [
            ROOT / "sanyuan/settings.py",
            ROOT / "gunicorn.conf.py",
            *(DEPLOY / "systemd").glob("*.service"),
        ]
    )
    unread = {
        name for name in names if f'"{name}"' not in readers and f"${{{name}}}" not in readers
    }
    assert unread == set()
    assert {"PII_ENCRYPTION_KEYS", "PII_HASH_KEY", "FILES_X_ACCEL_PREFIX", "FILE_STORAGE"} <= names

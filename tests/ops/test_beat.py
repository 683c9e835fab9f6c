"""Celery beat on several hosts (celery-redbeat): two beat processes against one Redis, only
the one holding the lock sends the periodic tasks; when it dies without releasing the lock,
the other takes over once the lock has expired. A throwaway Redis on a free port."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.conf import settings

from tests.ops.conftest import ROOT, wait_for

pytestmark = pytest.mark.slow

SWEEP = "Sending due task notice-sweep"


class Beat:
    def __init__(self, name: str, broker_url: str, directory: Path):
        self.log_path = directory / f"beat-{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "TEST_BROKER_URL": broker_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "NOTICE_SWEEP_SECONDS": "1",
            "CELERY_BEAT_LOCK_SECONDS": "3",
            "PYTHONUNBUFFERED": "1",
        }
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sanyuan", "beat", "--loglevel", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def sends(self) -> int:
        return self.output().count(SWEEP)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


def queued_sweeps(broker_url: str) -> int:
    import json

    client = redis.Redis.from_url(broker_url)
    messages = client.lrange(settings.CELERY_TASK_DEFAULT_QUEUE, 0, -1)
    return sum(json.loads(m)["headers"]["task"] == "members.notice-sweep" for m in messages)


def test_two_beats_only_the_lock_holder_sends_and_the_other_takes_over(throwaway_redis, tmp_path):
    broker = throwaway_redis.url
    first = Beat("first", broker, tmp_path)
    second = None
    try:
        assert wait_for(lambda: "beat: Acquired lock" in first.output(), 30), first.output()
        second = Beat("second", broker, tmp_path)
        assert wait_for(lambda: "beat: Starting" in second.output(), 30), second.output()
        assert wait_for(lambda: first.sends() >= 3, 30), first.output()
        assert second.sends() == 0 and "Acquired lock" not in second.output(), second.output()
        assert queued_sweeps(broker) >= 3
        lock = redis.Redis.from_url(broker).pttl(f"{settings.CELERY_REDBEAT_KEY_PREFIX}:lock")
        assert 0 < lock <= 3000

        first.process.send_signal(signal.SIGKILL)  # the host dies: the lock is not released
        first.process.wait(timeout=10)
        assert wait_for(lambda: "beat: Acquired lock" in second.output(), 30), second.output()
        assert wait_for(lambda: second.sends() >= 2, 30), second.output()
    finally:
        first.stop()
        if second is not None:
            second.stop()

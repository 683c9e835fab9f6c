import json
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and cached values never leak between tests."""
    cache.clear()
    _forget_idempotency_keys()
    yield


def _forget_idempotency_keys():
    """Remembered answers live in the broker's Redis (sanyuan.idempotency), not the cache."""
    from sanyuan.redisconf import broker_client

    redis = broker_client()
    keys = list(redis.scan_iter(match="idem:*", count=1000))
    if keys:
        redis.delete(*keys)


@pytest.fixture
def sms_outbox():
    """The messages the file SMS backend wrote during the test, as a list of dicts."""
    path = settings.SMS_FILE_PATH
    path.unlink(missing_ok=True)

    class Outbox:
        def messages(self):
            if not path.exists():
                return []
            return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]

    return Outbox()


@pytest.fixture
def world(db):
    """A small county: two committees (A and B) with branches, staff and members."""
    return factories.build_world()


@pytest.fixture
def api():
    return APIClient()


def client_for(user):
    client = APIClient()
    if user is not None:
        token, _ = factories.token_for(user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.fixture
def as_user():
    return client_for


class WorkerProcess:
    """A `celery worker` subprocess using the test database and this xdist worker's Redis."""

    def __init__(self, env: dict, beat: bool):
        import subprocess
        import sys

        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sanyuan",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += [
                "--beat",
                "--schedule",
                os.path.join(settings.TEST_RUN_DIR, "beat-schedule"),
            ]
        self.log_path = os.path.join(settings.TEST_RUN_DIR, f"worker-{id(self)}.log")
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, broker_url: str, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("celery worker exited:\n" + self.output())
            if "ready." in self.output():
                return
            time.sleep(0.2)
        raise RuntimeError("celery worker did not start:\n" + self.output())

    def output(self) -> str:
        with open(self.log_path) as handle:
            return handle.read()

    def kill(self) -> None:
        """SIGKILL: the worker dies mid-task without acknowledging."""
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if not self.log.closed:
            self.log.close()


@pytest.fixture
def start_worker(transactional_db, settings):
    """Start real Celery workers (subprocesses); tasks are sent for real (not eager) meanwhile.

    `start_worker(beat=False, **env)`: env overrides, e.g. TEST_BROKER_URL of a throwaway
    Redis, SMS_BACKEND=http with SMS_HTTP_URL, CELERY_VISIBILITY_TIMEOUT."""
    from django.db import connection

    from sanyuan.celery import app

    started: list[WorkerProcess] = []
    db = connection.settings_dict
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def start(beat: bool = False, **overrides) -> WorkerProcess:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="tests.settings",
            DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            PYTEST_XDIST_WORKER=os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
            CELERY_TASK_ALWAYS_EAGER="0",
            SMS_FILE_PATH=str(settings.SMS_FILE_PATH),
        )
        env.update({key: str(value) for key, value in overrides.items()})
        worker = WorkerProcess(env, beat)
        started.append(worker)
        worker.wait_ready(env.get("TEST_BROKER_URL", settings.CELERY_BROKER_URL))
        return worker

    yield start
    app.conf.task_always_eager = previous
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    return start_worker()


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ThrowawayRedis:
    """A redis-server of our own on a free port, to stop and start in fault tests (never the
    shared one)."""

    def __init__(self, directory: str):
        self.port = free_port()
        self.directory = directory
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import subprocess
        import time

        import redis

        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.directory,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("throwaway redis did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def throwaway_redis(tmp_path):
    server = ThrowawayRedis(str(tmp_path))
    server.start()
    yield server
    server.stop()


WECHAT_MP_APP = ("wx-mp-test-app", "mp-test-secret")
WECHAT_MINI_APP = ("wx-mini-test-app", "mini-test-secret")


@pytest.fixture
def wechat_fake(settings):
    """A local WeChat API (tests/fakes/wechat.py) that knows the official account
    (WECHAT_MP_APP) and the mini-program (WECHAT_MINI_APP); the settings point at it."""
    from tests.fakes.wechat import FakeWechat

    fake = FakeWechat()
    fake.add_app("mp", *WECHAT_MP_APP)
    fake.add_app("mini", *WECHAT_MINI_APP)
    settings.WECHAT_API_BASE_URL = fake.url
    settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET = WECHAT_MP_APP
    settings.WECHAT_MINI_APP_ID, settings.WECHAT_MINI_APP_SECRET = WECHAT_MINI_APP
    with fake:
        yield fake


@pytest.fixture(scope="session")
def browser():
    """The worker's one headless Chromium (browser tests run on one xdist worker); a second
    sync_playwright() in the same process fails, so every browser test shares this one."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()

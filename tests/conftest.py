import json

import pytest
from django.conf import settings
from django.core.cache import cache
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and cached values never leak between tests."""
    cache.clear()
    yield


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


@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real `celery worker` process on this xdist worker's Redis database and queue, using
    the test database. Tasks are sent for real (not eager) while it runs."""
    import os
    import subprocess
    import sys
    import time

    from django.db import connection

    from sanyuan.celery import app

    env = dict(os.environ)
    db = connection.settings_dict
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        PYTEST_XDIST_WORKER=os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
    )
    process = subprocess.Popen(
        [
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
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    try:
        deadline = time.monotonic() + 30
        inspector = app.control.inspect(timeout=1)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("celery worker exited:\n" + process.stdout.read())
            if inspector.ping():
                break
            time.sleep(0.3)
        yield process
    finally:
        app.conf.task_always_eager = previous
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()

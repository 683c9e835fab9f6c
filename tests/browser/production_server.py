"""A gunicorn of our own with production settings (tests/browser/production_settings.py):
static files collected into a temporary STATIC_ROOT and served by whitenoise, the test
database, this worker's Redis. Started on a free port, stopped after the test; its access
log records the bytes of every response body (`bytes_since`)."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.conftest import free_port

ROOT = Path(settings.BASE_DIR)
LOG_FORMAT = "%(m)s %(U)s%(q)s %(s)s %(B)s"


class ProductionServer:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = directory / "access.log"
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.browser.production_settings",
            "DEBUG": "0",
            "STATIC_ROOT": str(directory / "static"),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "CACHE_URL": settings.CACHES["default"]["LOCATION"],
            "SMS_BACKEND": "file",
            "SMS_FILE_PATH": str(directory / "sms.jsonl"),
            "EMAIL_BACKEND": "locmem",
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "LOG_LEVEL": "WARNING",
        }
        self.process = None

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
            timeout=180,
        )
        self.log = open(self.directory / "gunicorn.log", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sanyuan.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--access-logfile",
                str(self.log_path),
                "--access-logformat",
                LOG_FORMAT,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.output())
            try:
                with urllib.request.urlopen(self.url + "/manifest.webmanifest", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer:\n" + self.output())

    def output(self) -> str:
        return (self.directory / "gunicorn.log").read_text(errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def requests_since(self, offset: int) -> list[tuple[str, int, int]]:
        """(method and path, status, body bytes) of each request logged after `offset`."""
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            lines = handle.read().decode(errors="replace").splitlines()
        rows = []
        for line in lines:
            method, path, status, size = line.rsplit(" ", 3)[-4:]
            rows.append((f"{method} {path}", int(status), int(size) if size.isdigit() else 0))
        return rows

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "log", None) and not self.log.closed:
            self.log.close()

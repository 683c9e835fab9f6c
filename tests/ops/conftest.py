"""Operations tests: a local S3-compatible server (moto) and helpers to run the product's own
processes (manage.py, gunicorn) against the test database."""

import os
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
S3_ACCESS_KEY = "testing-access-key"
S3_SECRET_KEY = "testing-secret-key"


class S3Server:
    """moto's S3 server on a free loopback port (in this process, on a thread)."""

    def __init__(self):
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per S3 request
        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=S3_ACCESS_KEY,
            aws_secret_access_key=S3_SECRET_KEY,
            region_name="us-east-1",
        )

    def new_bucket(self) -> str:
        name = f"sanyuan-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def objects(self, bucket: str) -> dict[str, bytes]:
        client = self.client()
        listed = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {
            item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            for item in listed
        }

    def env(self, bucket: str) -> dict:
        """The environment that selects this bucket in sanyuan/settings.py."""
        return {
            "FILE_STORAGE": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": S3_ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET_KEY,
        }

    def storages(self, bucket: str, base: dict) -> dict:
        """settings.STORAGES with the default storage on this bucket (as settings.py builds it)."""
        return {
            **base,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": self.endpoint,
                    "region_name": "us-east-1",
                    "access_key": S3_ACCESS_KEY,
                    "secret_key": S3_SECRET_KEY,
                    "addressing_style": "path",
                    "signature_version": "s3v4",
                    "default_acl": None,
                    "querystring_auth": True,
                    "querystring_expire": 60,
                    "file_overwrite": False,
                },
            },
        }


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server()
    server.server.start()
    yield server
    server.server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):
    """Uploaded files go to a fresh bucket of the local S3 server for this test."""
    bucket = s3_server.new_bucket()
    settings.STORAGES = s3_server.storages(bucket, settings.STORAGES)
    settings.FILE_STORAGE = "s3"
    return bucket


def database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{name or db['NAME']}"
    )


def product_env(**overrides) -> dict:
    """Environment for the product's own processes (manage.py, gunicorn, celery) using the
    production settings module with this test run's keys and database."""
    from django.conf import settings

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "TEST_", "S3_", "FILE_STORAGE"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sanyuan.settings",
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver,ldej.example.gov.cn",
        DATABASE_URL=database_url(),
        DB_CONN_MAX_AGE="60",
        PII_ENCRYPTION_KEYS=",".join(settings.PII_ENCRYPTION_KEYS),
        PII_HASH_KEY=settings.PII_HASH_KEY,
        CACHE_URL=settings.CACHES["default"].get("LOCATION", "locmem://") or "locmem://",
        REDIS_URL=settings.CELERY_BROKER_URL,
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        CELERY_RESULT_BACKEND=settings.CELERY_BROKER_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        CELERY_TASK_ALWAYS_EAGER="1",
        SECURE_SSL_REDIRECT="0",
        SMS_BACKEND="file",
        SMS_FILE_PATH=str(settings.SMS_FILE_PATH),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def manage(*args, env: dict, timeout: float = 120):
    import subprocess

    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for(condition, timeout: float = 30, interval: float = 0.1) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def http_get(url: str, *, headers=None, timeout: float = 10, data=None, method=None):
    """(status, headers, body) without raising on 4xx/5xx."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {}, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class Gunicorn:
    """The product's gunicorn (gunicorn.conf.py) on a free loopback port."""

    def __init__(self, env: dict, directory: Path):
        import subprocess

        self.port = free_port()
        self.log_path = directory / f"gunicorn-{self.port}.log"
        env = {
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_TIMEOUT": "30",
            "PROMETHEUS_MULTIPROC_DIR": str(directory / f"metrics-{self.port}"),
            **env,
        }
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 40) -> None:
        import urllib.error

        def answers():
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.output())
            try:
                status, _h, _b = http_get(self.url + "/healthz/", timeout=2)
                return status in (200, 503)
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                return False

        if not wait_for(answers, timeout):
            raise RuntimeError("gunicorn did not answer:\n" + self.output())

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        import subprocess

        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """STATIC_ROOT after collectstatic with the production storage (hashed names, .gz)."""
    import subprocess

    root = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sanyuan.settings",
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-" + "x" * 50,
        "ALLOWED_HOSTS": "localhost",
        "PII_ENCRYPTION_KEYS": "dGVzdC1vbmx5LXBpaS1lbmNyeXB0aW9uLWtleS0wMDA=",
        "PII_HASH_KEY": "collectstatic-hash-key-000000",
        "STATIC_ROOT": str(root),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def start_gunicorn(transactional_db, tmp_path, collected_static):
    """start_gunicorn(**env) -> a running Gunicorn using the test database."""
    started: list[Gunicorn] = []

    def start(**overrides) -> Gunicorn:
        server = Gunicorn(product_env(STATIC_ROOT=str(collected_static), **overrides), tmp_path)
        started.append(server)
        server.wait_ready()
        return server

    yield start
    for server in started:
        server.stop()


class ThrowawayPostgres:
    """A PostgreSQL cluster of our own (initdb as the postgres user) on a free loopback port,
    to stop and start in fault tests: never the shared server."""

    def __init__(self):
        import pwd
        import tempfile

        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sanyuan-pg-"))
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.bin = self.binaries()

    @staticmethod
    def binaries() -> Path:
        """initdb and pg_ctl: Debian keeps them off PATH, in /usr/lib/postgresql/<major>/bin."""
        import glob
        import shutil

        if os.environ.get("PG_BIN"):
            return Path(os.environ["PG_BIN"])
        on_path = shutil.which("pg_ctl")
        if on_path:
            return Path(on_path).resolve().parent
        found = sorted(
            glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
        )
        if not found:
            pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        return Path(found[-1]).parent

    def _run(self, *command: str, timeout: float = 60) -> None:
        import subprocess

        if self.as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"{command} failed:\n{result.stdout}\n{result.stderr}")

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "-l",
            str(self.root / "server.log"),
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{dbname}"

    def copy_database_from(self, source_url: str, dbname: str) -> None:
        """A copy of another database (schema and data) as `dbname` in this cluster."""
        import subprocess

        conn = psycopg2_connect(self.url())
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{dbname}"')
        conn.close()
        dump = subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", source_url],
            capture_output=True,
            timeout=120,
        )
        assert dump.returncode == 0, dump.stderr.decode()
        restore = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={self.url(dbname)}",
            ],
            input=dump.stdout,
            capture_output=True,
            timeout=120,
        )
        assert restore.returncode == 0, restore.stderr.decode()

    def destroy(self) -> None:
        import shutil

        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def psycopg2_connect(url: str):
    import psycopg2

    conn = psycopg2.connect(url)
    conn.autocommit = True
    return conn


@pytest.fixture
def throwaway_postgres():
    server = ThrowawayPostgres()
    server.init()
    server.start()
    yield server
    server.destroy()

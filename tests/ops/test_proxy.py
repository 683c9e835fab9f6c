"""The shipped nginx configuration (deploy/nginx/) in front of the shipped gunicorn
configuration: TLS with HTTP/2, the redirect to HTTPS, static files with long caching, the
upload limit, /metrics, and protected files handed over with X-Accel-Redirect, from local
disk and from an S3 bucket."""

import http.client
import json
import shutil
import ssl
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from members.models import ChangeEvidence
from members.services.changes import change_request_submit
from tests import factories
from tests.conftest import free_port
from tests.forum import factories as forum_factories
from tests.ops.conftest import ROOT, S3Server, wait_for

NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx (.ci/run installs it)"),
]
SITE = "ldej.example.gov.cn"
METRICS_TOKEN = "proxy-test-metrics-token"


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SITE)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(SITE)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "fullchain.pem", directory / "privkey.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class Nginx:
    """deploy/nginx/sanyuan.conf with this machine's ports and paths, in a private prefix."""

    def __init__(self, directory: Path, *, upstream: str, static: Path, media: Path, s3_host):
        self.directory = directory
        self.http_port, self.https_port = free_port(), free_port()
        cert, key = self_signed_certificate(directory)
        site = (ROOT / "deploy/nginx/sanyuan.conf").read_text()
        replacements = [
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"),
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"),
            (f"/etc/letsencrypt/live/{SITE}/fullchain.pem", str(cert)),
            (f"/etc/letsencrypt/live/{SITE}/privkey.pem", str(key)),
            ("/srv/sanyuan/app", str(ROOT)),
            ("/srv/sanyuan/static", str(static)),
            ("/srv/sanyuan/media", str(media)),
            ("/var/www/letsencrypt", str(directory)),
            ("127.0.0.1:8000", upstream),
            ("s3.internal.example:9000", s3_host),
            ("/var/log/nginx/", f"{directory}/"),
        ]
        for old, new in replacements:
            assert old in site, old
            site = site.replace(old, new)
        site = "\n".join(line for line in site.splitlines() if "[::]" not in line)
        (directory / "site.conf").write_text(site)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / sub).mkdir()
        (directory / "nginx.conf").write_text(
            f"""
daemon off;
worker_processes 1;
user root root;
pid {directory}/nginx.pid;
error_log {directory}/error.log info;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {directory}/access.log;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/site.conf;
}}
"""
        )
        test = subprocess.run(
            [NGINX, "-t", "-p", str(directory), "-c", str(directory / "nginx.conf")],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert test.returncode == 0, test.stderr
        self.process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            if not wait_for(self._listening, 15):
                raise AssertionError(self.error_log())
        except BaseException:
            self.stop()  # never leave a server behind a failed start
            raise

    def _listening(self) -> bool:
        try:
            return self.http("GET", "/")[0] == 301
        except OSError:
            return False

    def http(self, method, path):
        conn = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=5)
        try:
            conn.request(method, path, headers={"Host": SITE})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def error_log(self) -> str:
        path = self.directory / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def https(self, method, path, *, headers=None, body=None):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection(
            "127.0.0.1", self.https_port, context=context, timeout=30
        )
        try:
            conn.request(method, path, body=body, headers={"Host": SITE, **(headers or {})})
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()

    def negotiated_protocol(self) -> str:
        import socket

        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["h2", "http/1.1"])
        with (
            socket.create_connection(("127.0.0.1", self.https_port), timeout=5) as raw,
            context.wrap_socket(raw, server_hostname=SITE) as tls,
        ):
            return tls.selected_alpn_protocol()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def proxied(start_gunicorn, tmp_path, collected_static, settings, request):
    """start(storage) -> (nginx, gunicorn) with files on local disk or in a bucket."""
    servers = []

    def start(files_env: dict, media: Path, s3_host: str = "127.0.0.1:9"):
        gunicorn = start_gunicorn(TRUSTED_PROXY_COUNT="1", METRICS_TOKEN=METRICS_TOKEN, **files_env)
        directory = tmp_path / "nginx"
        directory.mkdir()
        nginx = Nginx(
            directory,
            upstream=f"127.0.0.1:{gunicorn.port}",
            static=collected_static,
            media=media,
            s3_host=s3_host,
        )
        servers.append(nginx)
        return nginx, gunicorn

    yield start
    for nginx in servers:
        nginx.stop()


def evidence_of(member) -> ChangeEvidence:
    change_request_submit(
        member=member,
        changes={"name": "张三丰"},
        reason="户籍更名",
        evidence_files=[forum_factories.photo("户口本.jpg", size=(160, 120))],
    )
    return ChangeEvidence.objects.get()


def evidence_path(evidence) -> str:
    return f"/api/change-requests/{evidence.change_request_id}/evidence/{evidence.pk}/"


def auth(user) -> dict:
    token, _ = factories.token_for(user)
    return {"Authorization": f"Token {token}"}


def assert_protected_file_served(nginx, world, evidence, expected: bytes):
    status, headers, body = nginx.https("GET", evidence_path(evidence), headers=auth(world.staff_a))
    assert status == 200, (status, body[:300], nginx.error_log()[-2000:])
    assert body == expected
    assert headers["Content-Type"] == "image/jpeg"
    assert (
        headers["Content-Disposition"] == "inline; filename*=UTF-8''%E6%88%B7%E5%8F%A3%E6%9C%AC.jpg"
    )
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
    assert "X-Accel-Redirect" not in headers
    # Evidence photos are ID cards: Django's no-store, and nothing nginx adds beside it.
    assert headers.get_all("Cache-Control") == ["no-store"]
    assert "Expires" not in headers
    site = (nginx.directory / "site.conf").read_text()
    hidden = {
        line.split()[1].rstrip(";").lower()
        for line in site.splitlines()
        if "proxy_hide_header" in line
    }
    # The bucket's own headers are hidden (its Cache-Control too: the one above is Django's).
    assert not (hidden - {"cache-control"}) & {name.lower() for name in headers}
    assert "Set-Cookie" not in headers
    # Out of scope: Django's 404, no bytes.
    status, _h, body = nginx.https("GET", evidence_path(evidence), headers=auth(world.staff_b))
    assert status == 404 and expected not in body


def test_tls_http2_redirects_static_files_upload_limit_and_metrics(
    proxied, tmp_path, collected_static
):
    nginx, _gunicorn = proxied({"FILES_X_ACCEL_PREFIX": "/_protected"}, tmp_path / "media")
    assert nginx.negotiated_protocol() == "h2"
    status, headers, _b = nginx.http("GET", "/api/me/?x=1")
    assert status == 301 and headers["Location"] == f"https://{SITE}/api/me/?x=1"

    status, headers, body = nginx.https("GET", "/healthz/")
    assert status == 200 and json.loads(body)["status"] == "ok"
    status, headers, body = nginx.https("GET", "/api/me/")
    assert status == 401  # Django answered through the proxy
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")

    hashed = next(collected_static.glob("css/app.*.css"))
    status, headers, body = nginx.https("GET", f"/static/css/{hashed.name}")
    assert status == 200 and body == hashed.read_bytes()
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    status, headers, _b = nginx.https("GET", "/static/css/app.css")
    assert status == 200 and headers["Cache-Control"] == "public, max-age=3600"

    status, _h, _b = nginx.https("POST", "/api/auth/login/", body=b"x" * (46 * 1024 * 1024))
    assert status == 413  # client_max_body_size, before gunicorn sees a byte

    status, _h, _b = nginx.https("GET", "/metrics")
    assert status == 404  # the token is required
    for _ in range(6):
        nginx.https("GET", "/healthz/")
    counts = []
    for _ in range(3):  # whichever worker answers, it reports the sum over all workers
        status, _h, body = nginx.https(
            "GET", "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}
        )
        assert status == 200
        line = next(
            line
            for line in body.decode().splitlines()
            if line.startswith('sanyuan_http_requests_total{status_class="2xx"}')
        )
        counts.append(float(line.rsplit(" ", 1)[1]))
    assert min(counts) >= 7


def test_local_files_are_sent_by_nginx_after_the_permission_check(proxied, tmp_path, settings):
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    world = factories.build_world()
    evidence = evidence_of(world.member_a)
    nginx, _gunicorn = proxied(
        {"FILES_X_ACCEL_PREFIX": "/_protected", "MEDIA_ROOT": str(media)}, media
    )
    assert_protected_file_served(nginx, world, evidence, (media / evidence.file.name).read_bytes())
    status, _h, _b = nginx.https("GET", f"/_protected/{evidence.file.name}")
    assert status == 404  # internal: never reachable from outside


def test_files_in_a_bucket_are_fetched_by_nginx_with_the_signed_url(proxied, tmp_path, settings):
    s3 = S3Server()
    s3.server.start()
    try:
        bucket = s3.new_bucket()
        settings.STORAGES = s3.storages(bucket, settings.STORAGES)
        world = factories.build_world()
        evidence = evidence_of(world.member_a)
        stored = s3.objects(bucket)[evidence.file.name]
        nginx, _gunicorn = proxied(
            {"FILES_X_ACCEL_PREFIX": "/_protected_s3", **s3.env(bucket)},
            tmp_path / "unused-media",
            s3_host=f"127.0.0.1:{s3.port}",
        )
        assert_protected_file_served(nginx, world, evidence, stored)
        status, _h, body = nginx.https("GET", f"/_protected_s3/{bucket}/{evidence.file.name}")
        assert status == 404 and body != stored
    finally:
        s3.server.stop()

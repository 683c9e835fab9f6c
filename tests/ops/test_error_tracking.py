"""Error tracking: with SENTRY_DSN set, an unhandled error reaches the Sentry (or GlitchTip)
the DSN names, without the ID number, mobile number or name of the person involved.

A fake ingest endpoint on a free port stands in for Sentry: it accepts envelopes only at
`/api/<project id>/envelope/` with `X-Sentry-Auth: Sentry sentry_key=<the DSN's public key>`
(401 otherwise, 403 for another project, as Sentry's Relay answers), unpacks gzip or brotli
and parses the envelope format (a header line, then items, each a header line and a payload).
The product runs in a subprocess with its production settings, which call sentry_sdk.init."""

import gzip
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest

from sanyuan.errortracking import mask_text, scrub_event, scrub_query_string
from tests.conftest import free_port
from tests.ops.conftest import manage, product_env, wait_for

PROJECT_ID = "42"
PUBLIC_KEY = "0123456789abcdef0123456789abcdef"
NAME, ID_NUMBER, PHONE = "欧阳娜娜", "610422199003071234", "13912345678"


def parse_envelope(body: bytes) -> list[tuple[dict, bytes]]:
    """[(item header, payload)]; the envelope header is checked and dropped."""
    header_line, _, rest = body.partition(b"\n")
    json.loads(header_line)
    items = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] :]
            rest = rest.removeprefix(b"\n")
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((item, payload))
    return items


class FakeSentry:
    def __init__(self):
        self.port = free_port()
        self.items: list[tuple[dict, dict]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                match = re.fullmatch(r"/api/(\d+)/envelope/", self.path.split("?")[0])
                auth = self.headers.get("X-Sentry-Auth", "")
                if match is None:
                    return self.answer(404, {"detail": "not found"})
                if f"sentry_key={PUBLIC_KEY}" not in auth or not auth.startswith("Sentry "):
                    return self.answer(401, {"detail": "missing authorization information"})
                if match[1] != PROJECT_ID:
                    return self.answer(403, {"detail": "event submission rejected with_reason: ProjectId"})  # fmt: skip
                body = self.rfile.read(int(self.headers["Content-Length"]))
                encoding = self.headers.get("Content-Encoding", "")
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                items = parse_envelope(body)
                for header, payload in items:
                    if header.get("type") in ("event", "transaction"):
                        owner.items.append((header, json.loads(payload)))
                self.answer(200, {"id": json.loads(body.partition(b"\n")[0]).get("event_id")})

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def dsn(self, key: str = PUBLIC_KEY, project: str = PROJECT_ID) -> str:
        return f"http://{key}@127.0.0.1:{self.port}/{project}"

    def events(self) -> list[dict]:
        return [event for header, event in self.items if header["type"] == "event"]


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


# The request goes through Django's WSGI handler, as under gunicorn. The personal data comes
# from the environment, so that the script's own source (sent as context) does not hold it.
FAIL_A_REQUEST = """
import io, json, logging, os
import sentry_sdk
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from wsgiref.util import setup_testing_defaults
name, id_number, phone = (os.environ[f"PROBE_{key}"] for key in ("NAME", "ID", "PHONE"))
body = json.dumps({"name": name, "id_number": id_number, "phone": phone}).encode()
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/boom/", "HTTP_HOST": "testserver",
    "QUERY_STRING": os.environ["PROBE_QUERY"],
    "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
    "wsgi.input": io.BytesIO(body), "HTTP_AUTHORIZATION": f"Token {id_number}",
    "HTTP_COOKIE": f"sessionid={phone}; member={id_number}",
    "HTTP_X_FORWARDED_FOR": os.environ["PROBE_ADDRESS"],
}
setup_testing_defaults(environ)
with override_settings(ROOT_URLCONF="tests.ops.sentry_urls"):
    statuses = []
    b"".join(get_wsgi_application()(environ, lambda status, headers: statuses.append(status)))
    print("status", statuses[0])
logging.getLogger("members.imports").error("import of %s (%s) failed", name, phone)
sentry_sdk.flush(10)
"""
ADDRESS = "203.0.113.9"
SECRETS = (NAME, quote(NAME), ID_NUMBER, PHONE, ADDRESS)


def run_failing_request(dsn: str):
    return manage(
        "shell",
        "-c",
        FAIL_A_REQUEST,
        env=product_env(
            SENTRY_DSN=dsn,
            SENTRY_ENVIRONMENT="ci",
            PROBE_NAME=NAME,
            PROBE_ID=ID_NUMBER,
            PROBE_PHONE=PHONE,
            PROBE_ADDRESS=ADDRESS,
            PROBE_QUERY=f"name={quote(NAME)}&phone={PHONE}&id_number={ID_NUMBER}&page=2",
        ),
    )


@pytest.mark.django_db(transaction=True)
def test_an_error_reaches_sentry_without_id_number_phone_or_name(fake_sentry):
    result = run_failing_request(fake_sentry.dsn())
    assert result.returncode == 0 and "status 500 " in result.stdout, result.stderr
    assert wait_for(lambda: len(fake_sentry.events()) >= 2, 15), fake_sentry.items
    events = fake_sentry.events()
    error = next(e for e in events if e.get("exception"))
    assert error["exception"]["values"][-1]["type"] == "RuntimeError"
    assert error["exception"]["values"][-1]["value"] == "roster row rejected: [text] [id] [phone]"
    assert error["environment"] == "ci"
    assert error["request"]["query_string"] == "name=%5Bfiltered%5D&phone=%5Bfiltered%5D&id_number=%5Bfiltered%5D&page=2"  # fmt: skip
    assert any("logentry" in e or "message" in e for e in events)
    for event in events:
        text = json.dumps(event, ensure_ascii=False)  # the SDK escapes Chinese as \\uXXXX
        for secret in SECRETS:
            at = text.find(secret)
            assert at < 0, f"{secret} sent in: …{text[max(0, at - 300) : at + 60]}…"
        for frame in event.get("exception", {}).get("values", [{}])[-1].get("stacktrace", {}).get("frames", []):  # fmt: skip
            assert "vars" not in frame


@pytest.mark.django_db(transaction=True)
def test_a_dsn_with_another_key_is_refused_by_the_fake(fake_sentry):
    result = run_failing_request(fake_sentry.dsn(key="f" * 32))
    assert result.returncode == 0, result.stderr
    assert fake_sentry.items == []


def test_without_a_dsn_nothing_is_initialised():
    import sentry_sdk

    assert not sentry_sdk.get_client().is_active()


def test_the_masks():
    assert (
        mask_text(f"{NAME}的身份证 {ID_NUMBER}，电话 139-1234-5678")
        == "[text] [id]，[text] [phone]"
    )
    assert mask_text("61042219900307123X and +86 13912345678") == "[id] and [phone]"
    assert mask_text("order 2026120312 took 1733212345678 ms") == "order 2026120312 took 1733212345678 ms"  # fmt: skip
    assert mask_text(f"/search?q={quote(NAME)}") == "/search?q=[text]"
    assert scrub_query_string("q=张&page=3&cursor=abc") == "q=%5Bfiltered%5D&page=3&cursor=abc"


def test_user_keeps_only_its_id_and_personal_keys_are_replaced_everywhere():
    event = scrub_event(
        {
            "user": {"id": 7, "username": ID_NUMBER, "ip_address": "10.0.0.8"},
            "extra": {"member": {"name": "Zhang San", "employer": "比亚迪"}, "rows": 3},
            "breadcrumbs": {"values": [{"message": f"SMS to {PHONE}", "data": {"phone": "x"}}]},
            "contexts": {"runtime": {"name": "CPython"}},
        },
        {},
    )
    assert event["user"] == {"id": 7}
    assert event["extra"] == {"member": {"name": "[filtered]", "employer": "[filtered]"}, "rows": 3}
    assert event["breadcrumbs"]["values"][0] == {"message": "SMS to [phone]", "data": {"phone": "[filtered]"}}  # fmt: skip
    assert event["contexts"] == {"runtime": {"name": "CPython"}}

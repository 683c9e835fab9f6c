"""A local WeChat Pay API v3 (普通商户) on a free port, for tests. No pytest import here.

What it does as WeChat Pay documents it:
- refuses any request whose `Authorization` (WECHATPAY2-SHA256-RSA2048, signed over
  `METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n` with the merchant API key) does not
  verify against the merchant public key and serial it was given, or whose timestamp is
  five minutes off: 401 SIGN_ERROR (unsigned, like the real one);
- signs every other answer (`Wechatpay-Serial/Signature/Timestamp/Nonce`) with its platform
  key, named by the platform certificate serial or, in `mode="public_key"`, by a
  `PUB_KEY_ID_…` WeChat Pay public key id; the bill file download is not signed;
- keeps orders (JSAPI create, query, close), refunds (create, query) and the daily trade
  bill, with the documented error codes;
- test hooks: `pay()` (the payer pays), `complete_refund()`, `inject_error()`, and
  callbacks, signed and encrypted with the merchant's APIv3 key, which a test delivers
  (`deliver()`: by HTTP, re-signed at delivery time, as often as it likes) or posts itself
  (`callback.headers`, `callback.body`), or drops (a lost callback).
"""

import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .wechatpay_api import CHINA, ApiViews, FakeRefund, MerchantAccount, Order, Refusal, iso
from .wechatpay_keys import (
    aes_gcm_encrypt,
    apiv3_key,
    certificate_pem,
    certificate_serial_hex,
    private_pem,
    public_pem,
    rsa_key,
    self_signed_certificate,
    sha256_rsa_sign,
    sha256_rsa_verifies,
)

AUTH = re.compile(r"^WECHATPAY2-SHA256-RSA2048 (.+)$")
PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Callback:
    """A callback as WeChat Pay POSTs it: `client.post(url, data=cb.body,
    content_type="application/json", headers=cb.headers)`."""

    url: str
    headers: dict
    body: bytes
    mchid: str = ""


@dataclass
class Injected:
    status: int
    code: str
    message: str
    path_contains: str
    times: int
    signed: bool
    raw_body: bytes | None = None


class FakeWechatPay(ApiViews):
    def __init__(self, *, mode: str = "certificate", clock=None, platform_key=None):
        if mode not in ("certificate", "public_key"):
            raise ValueError("mode is 'certificate' or 'public_key'")
        self.mode = mode
        self.clock = clock or time.time
        self.platform_key = platform_key or rsa_key()
        self.platform_certificate = self_signed_certificate(self.platform_key)
        self.public_key_id = "PUB_KEY_ID_0" + "".join(
            secrets.choice("0123456789") for _ in range(28)
        )
        self.merchants: dict[str, MerchantAccount] = {}
        self.orders: dict[tuple[str, str], Order] = {}
        self.refunds: dict[tuple[str, str], FakeRefund] = {}
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str, int]] = []
        self.deliveries: list[tuple[str, int]] = []
        self.injected: list[Injected] = []
        self.tamper_bill = None  # bytes -> bytes, applied to served bill files
        self.sign_answers = True  # False: answers without Wechatpay-* headers (a forgery)
        self.answer_time_offset = 0  # seconds added to the timestamp of signed answers
        self.lock = threading.RLock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle and identity ----------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def platform_serial(self) -> str:
        return certificate_serial_hex(self.platform_certificate)

    @property
    def signing_serial(self) -> str:
        return self.public_key_id if self.mode == "public_key" else self.platform_serial

    def add_merchant(self, *, mchid, serial_no, public_key, apiv3_key: bytes, appids) -> None:
        self.merchants[mchid] = MerchantAccount(
            mchid, serial_no, public_key, apiv3_key, tuple(appids)
        )

    def configure_merchant(
        self,
        directory,
        *,
        mchid: str = "1900000001",
        appids=("wxd678efh567hg6787", "wx8888888888888888"),
        organizations=(),
        merchant_key=None,
    ) -> dict:
        """Register a merchant and write its key files into `directory`; returns its
        WECHATPAY_MERCHANTS entry (platform certificate or public key, as this fake signs)."""
        directory = Path(directory)
        key = merchant_key or rsa_key()
        apiv3 = apiv3_key()
        serial = secrets.token_hex(20).upper()
        self.add_merchant(
            mchid=mchid,
            serial_no=serial,
            public_key=key.public_key(),
            apiv3_key=apiv3,
            appids=appids,
        )
        (directory / f"{mchid}_apiclient_key.pem").write_bytes(private_pem(key))
        entry = {
            "mchid": mchid,
            "appids": list(appids),
            "serial_no": serial,
            "private_key_path": str(directory / f"{mchid}_apiclient_key.pem"),
            "apiv3_key": apiv3.decode(),
            "organizations": list(organizations),
        }
        if self.mode == "public_key":
            (directory / "pub_key.pem").write_bytes(public_pem(self.platform_key.public_key()))
            entry.update(
                public_key_id=self.public_key_id, public_key_path=str(directory / "pub_key.pem")
            )
        else:
            (directory / "platform.pem").write_bytes(certificate_pem(self.platform_certificate))
            entry["platform_certificate_paths"] = [str(directory / "platform.pem")]
        return entry

    def inject_error(
        self, status, code, message="", *, path_contains="", times=1, signed=True, raw_body=None
    ):
        """The next `times` requests whose path contains `path_contains` get this error
        (`raw_body`: a body that is not WeChat Pay's JSON, e.g. a proxy's HTML page)."""
        with self.lock:
            self.injected.append(
                Injected(status, code, message, path_contains, times, signed, raw_body)
            )

    # -- signing -------------------------------------------------------------------------

    def sign_headers(self, body: bytes, *, timestamp=None, key=None, serial=None) -> dict:
        """Wechatpay-* headers over `body` (overridable, to forge bad ones)."""
        ts = str(int(self.clock()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(16)
        message = f"{ts}\n{nonce}\n".encode() + body + b"\n"
        return {
            "Wechatpay-Serial": serial or self.signing_serial,
            "Wechatpay-Signature": sha256_rsa_sign(key or self.platform_key, message),
            "Wechatpay-Timestamp": ts,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
        }

    def _authenticate(self, method: str, target: str, headers, body: bytes) -> MerchantAccount:
        match = AUTH.match(headers.get("Authorization", ""))
        params = dict(PARAM.findall(match.group(1))) if match else {}
        merchant = self.merchants.get(params.get("mchid", ""))
        fields = ("nonce_str", "signature", "timestamp", "serial_no")
        if merchant is None or not all(params.get(f) for f in fields):
            raise Refusal(401, "SIGN_ERROR", "Authorization 头格式错误或商户号不存在")
        if params["serial_no"].upper() != merchant.serial_no.upper():
            raise Refusal(401, "SIGN_ERROR", "商户证书序列号有误")
        ts = params["timestamp"]
        if not ts.isdigit() or abs(self.clock() - int(ts)) >= 300:
            raise Refusal(401, "SIGN_ERROR", "请求时间戳与当前时间相差过大")
        message = f"{method}\n{target}\n{ts}\n{params['nonce_str']}\n".encode() + body + b"\n"
        if not sha256_rsa_verifies(merchant.public_key, message, params["signature"]):
            raise Refusal(401, "SIGN_ERROR", "签名错误，请检查后再试")
        if not headers.get("User-Agent"):
            raise Refusal(400, "INVALID_REQUEST", "HTTP 头缺少 User-Agent")
        return merchant

    # -- HTTP ----------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, payload, headers = fake.handle(method, self.path, self.headers, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler

    def handle(self, method: str, target: str, headers, body: bytes):
        with self.lock:
            try:
                merchant = self._authenticate(method, target, headers, body)
                self._raise_injected(target)
                status, answer, raw_file = self._route(method, target, merchant, body)
            except Refusal as refusal:
                status, answer, raw_file = refusal.status, refusal, None
            self.requests.append((method, urlsplit(target).path, status))
        return self._encode(status, answer, raw_file)

    def _encode(self, status, answer, raw_file):
        request_id = secrets.token_hex(16)
        if raw_file is not None:  # the bill file: a stream, never signed
            return (
                status,
                raw_file,
                {"Content-Type": "application/octet-stream", "Request-ID": request_id},
            )
        signed = True
        if isinstance(answer, Refusal) and getattr(answer, "raw_body", None) is not None:
            return status, answer.raw_body, {"Content-Type": "text/html", "Request-ID": request_id}
        if isinstance(answer, Refusal):
            payload = {"code": answer.code, "message": answer.message}
            if answer.detail:
                payload["detail"] = answer.detail
            signed = answer.status != 401 and getattr(answer, "signed", True)
            answer = payload
        body = b"" if answer is None else json.dumps(answer, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8", "Request-ID": request_id}
        if signed and self.sign_answers:
            headers.update(
                self.sign_headers(body, timestamp=int(self.clock()) + self.answer_time_offset)
            )
        return status, body, headers

    def _raise_injected(self, target: str) -> None:
        for injected in self.injected:
            if injected.times > 0 and injected.path_contains in target:
                injected.times -= 1
                refusal = Refusal(injected.status, injected.code, injected.message or injected.code)
                refusal.signed = injected.signed
                refusal.raw_body = injected.raw_body
                raise refusal

    # -- test hooks: the payer, WeChat Pay's callbacks ------------------------------------

    def pay(
        self, out_trade_no: str, *, mchid: str | None = None, at: datetime | None = None
    ) -> Callback:
        """The payer pays the order; returns the TRANSACTION.SUCCESS callback (not sent)."""
        with self.lock:
            mchid = mchid or next(iter(self.merchants))
            order = self.orders[(mchid, out_trade_no)]
            if order.state != "NOTPAY":
                raise ValueError(f"order {out_trade_no} is {order.state}, it cannot be paid")
            order.state = "SUCCESS"
            order.transaction_id = "4200" + "".join(secrets.choice("0123456789") for _ in range(24))
            order.success_time = at or datetime.fromtimestamp(int(self.clock()), CHINA)
            return self.make_callback(
                mchid=mchid,
                event_type="TRANSACTION.SUCCESS",
                summary="支付成功",
                original_type="transaction",
                resource=self.transaction(order),
                url=order.notify_url,
            )

    def complete_refund(
        self, out_refund_no: str, *, status: str = "SUCCESS", mchid: str | None = None
    ) -> Callback:
        """The refund ends (SUCCESS, CLOSED or ABNORMAL); returns the REFUND.* callback."""
        with self.lock:
            mchid = mchid or next(iter(self.merchants))
            refund = self.refunds[(mchid, out_refund_no)]
            refund.status = status
            if status == "SUCCESS":
                refund.success_time = datetime.fromtimestamp(int(self.clock()), CHINA)
            order = self.orders[(mchid, refund.out_trade_no)]
            resource = {
                "mchid": mchid,
                "out_trade_no": order.out_trade_no,
                "transaction_id": order.transaction_id,
                "out_refund_no": refund.out_refund_no,
                "refund_id": refund.refund_id,
                "refund_status": status,
                "user_received_account": "支付用户零钱",
                "amount": {
                    "total": refund.total,
                    "refund": refund.amount,
                    "payer_total": refund.total,
                    "payer_refund": refund.amount,
                },
            }
            if refund.success_time:
                resource["success_time"] = iso(refund.success_time)
            summary = {"SUCCESS": "退款成功", "CLOSED": "退款关闭", "ABNORMAL": "退款异常"}[status]
            return self.make_callback(
                mchid=mchid,
                event_type=f"REFUND.{status}",
                summary=summary,
                original_type="refund",
                resource=resource,
                url=refund.notify_url,
            )

    def make_callback(
        self,
        *,
        mchid,
        event_type,
        summary,
        original_type,
        resource: dict,
        url="",
        apiv3_key=None,
        **signing,
    ) -> Callback:
        """A callback body with the resource encrypted (with `apiv3_key`, by default the
        merchant's) and signed; `signing` goes to sign_headers (timestamp, key, serial)."""
        key = apiv3_key or self.merchants[mchid].apiv3_key
        sealed = aes_gcm_encrypt(
            key, json.dumps(resource, ensure_ascii=False).encode(), original_type
        )
        body = json.dumps(
            {
                "id": "EV-" + secrets.token_hex(10),
                "create_time": iso(datetime.fromtimestamp(int(self.clock()), CHINA)),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": {"original_type": original_type, **sealed},
            },
            ensure_ascii=False,
        ).encode()
        return Callback(url=url, headers=self.sign_headers(body, **signing), body=body, mchid=mchid)

    def resign(self, callback: Callback) -> Callback:
        """The same callback signed now, as WeChat Pay signs each redelivery afresh."""
        return replace(callback, headers=self.sign_headers(callback.body))

    def deliver(self, callback: Callback, url: str | None = None) -> int:
        """POST the callback (re-signed now) and return the HTTP status the merchant gave."""
        fresh = self.resign(callback)
        request = urllib.request.Request(
            url or callback.url,
            data=fresh.body,
            method="POST",
            headers={**fresh.headers, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        self.deliveries.append((url or callback.url, status))
        return status

"""A WeChat Pay API v3 client for one merchant (JSAPI and mini-program payments).

Every request is signed; every 2xx answer is verified before a byte of it is believed
(SignatureError otherwise); 4xx/5xx answers become typed ApiError subclasses. The client
never retries by itself: callers (Celery tasks) retry on `exc.retryable`, and WeChat Pay
treats a repeated order or refund with the same out_trade_no / out_refund_no as the same
one, so a retry never charges or refunds twice.

API pages (普通商户, https://pay.weixin.qq.com/doc/v3/merchant/…): JSAPI下单
`POST /v3/pay/transactions/jsapi`; 商户订单号查询订单 (…/4013070356)
`GET /v3/pay/transactions/out-trade-no/{out_trade_no}?mchid=`; 关闭订单
`POST /v3/pay/transactions/out-trade-no/{out_trade_no}/close` (204); 退款申请 (…/4012556457)
`POST /v3/refund/domestic/refunds`; 查询单笔退款 `GET /v3/refund/domestic/refunds/{no}`;
申请交易账单 (…/4012556654) `GET /v3/bill/tradebill`, then 下载账单 GET download_url
(signed request, unsigned answer: the file is checked against `hash_value` instead,
https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_3_9.shtml).
"""

import gzip
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from datetime import date, datetime
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings

from .bill import TradeBill, parse_trade_bill
from .config import Merchant
from .errors import (
    BillIntegrityError,
    ConfigurationError,
    SignatureError,
    TransportError,
    VerificationError,
    api_error,
)
from .models import PaymentParams, Refund, Transaction
from .signing import authorization_header, header, new_nonce, pay_sign

USER_AGENT = "sanyuan-wechatpay/1.0 (Python urllib)"
MAX_ANSWER_BYTES = 64 * 1024 * 1024
CHINA = ZoneInfo("Asia/Shanghai")
# WeChat Pay's own hosts may hand out bill download links besides the configured one.
WECHATPAY_ORIGINS = ("https://api.mch.weixin.qq.com", "https://api2.mch.weixin.qq.com")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is never followed: the signature covers one URL only."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def rfc3339(moment: datetime) -> str:
    """`2026-03-05T18:30:00+08:00`, as WeChat Pay wants `time_expire`."""
    if moment.tzinfo is None:
        raise ValueError("time_expire must be an aware datetime")
    return moment.astimezone(CHINA).isoformat(timespec="seconds")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class WechatPayClient:
    def __init__(
        self,
        merchant: Merchant,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.merchant = merchant
        self.base_url = (base_url or settings.WECHATPAY_BASE_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.WECHATPAY_TIMEOUT_SECONDS
        self.clock = clock

    # -- transport ---------------------------------------------------------------------

    def _send(self, method: str, url: str, body: bytes | None, headers: dict):
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            try:
                with _opener.open(request, timeout=self.timeout) as response:
                    return response.status, response.headers, self._read(response)
            except urllib.error.HTTPError as exc:
                with exc:
                    return exc.code, exc.headers, self._read(exc)
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise TransportError(f"{method} {urlsplit(url).path}: {exc}") from exc

    @staticmethod
    def _read(response) -> bytes:
        data = response.read(MAX_ANSWER_BYTES + 1)
        if len(data) > MAX_ANSWER_BYTES:
            raise TransportError("answer larger than MAX_ANSWER_BYTES")
        return data

    def _signed_headers(self, method: str, url: str, body: str) -> dict:
        headers = {
            "Authorization": authorization_header(
                mchid=self.merchant.mchid,
                serial_no=self.merchant.serial_no,
                private_key=self.merchant.private_key,
                method=method,
                url=url,
                body=body,
                timestamp=int(self.clock()),
                nonce=new_nonce(),
            ),
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    def request(self, method: str, path: str, *, query: dict | None = None, payload=None):
        """Send a signed request; returns (status, decoded JSON or None for 204).

        Raises SignatureError when a 2xx answer is not provably WeChat Pay's, an ApiError
        subclass for 4xx/5xx, TransportError when nothing usable came back."""
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        body = "" if payload is None else json.dumps(payload, ensure_ascii=False)
        headers = self._signed_headers(method, url, body)
        status, answer_headers, raw = self._send(method, url, body.encode() or None, headers)
        if not 200 <= status < 300:
            raise self._error(status, answer_headers, raw)
        self.merchant.verifier.verify(answer_headers, raw, now=self.clock())
        if not raw:
            return status, None
        try:
            return status, json.loads(raw)
        except ValueError as exc:
            raise TransportError(f"{path}: the answer is not JSON") from exc

    def _error(self, status: int, answer_headers, raw: bytes):
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        try:
            self.merchant.verifier.verify(answer_headers, raw, now=self.clock())
            verified = True
        except SignatureError:
            verified = False
        return api_error(
            status=status,
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
            detail=data.get("detail"),
            request_id=header(answer_headers, "Request-ID"),
            verified=verified,
        )

    # -- orders ------------------------------------------------------------------------

    def _check_appid(self, appid: str) -> None:
        if appid not in self.merchant.appids:
            raise ConfigurationError(
                f"appid {appid} is not bound to merchant {self.merchant.mchid}"
            )

    def jsapi_prepay(
        self,
        *,
        appid: str,
        description: str,
        out_trade_no: str,
        amount_fen: int,
        payer_openid: str,
        time_expire: datetime | None = None,
        attach: str = "",
        notify_url: str | None = None,
    ) -> str:
        """Create (or find again, with the same arguments) a JSAPI order; its prepay_id.

        `appid` is the public account's (pages in WeChat's browser) or the mini-program's,
        whichever issued `payer_openid`; it must be one of the merchant's appids."""
        self._check_appid(appid)
        if not isinstance(amount_fen, int) or isinstance(amount_fen, bool) or amount_fen <= 0:
            raise ValueError("amount_fen must be a positive integer")
        notify_url = notify_url or settings.WECHATPAY_NOTIFY_URL
        if not notify_url:
            raise ConfigurationError("WECHATPAY_NOTIFY_URL is not set")
        payload = {
            "appid": appid,
            "mchid": self.merchant.mchid,
            "description": description,
            "out_trade_no": out_trade_no,
            "notify_url": notify_url,
            "amount": {"total": amount_fen, "currency": "CNY"},
            "payer": {"openid": payer_openid},
        }
        if time_expire is not None:
            payload["time_expire"] = rfc3339(time_expire)
        if attach:
            payload["attach"] = attach
        _, data = self.request("POST", "/v3/pay/transactions/jsapi", payload=payload)
        prepay_id = (data or {}).get("prepay_id")
        if not prepay_id:
            raise VerificationError("the JSAPI order answer has no prepay_id")
        return str(prepay_id)

    def payment_params(self, *, appid: str, prepay_id: str) -> PaymentParams:
        """The signed parameters that open the payment sheet (see PaymentParams)."""
        self._check_appid(appid)
        time_stamp = str(int(self.clock()))
        nonce = new_nonce()
        package = f"prepay_id={prepay_id}"
        signature = pay_sign(
            self.merchant.private_key,
            appid=appid,
            timestamp=time_stamp,
            nonce=nonce,
            package=package,
        )
        return PaymentParams(
            app_id=appid,
            time_stamp=time_stamp,
            nonce_str=nonce,
            package=package,
            pay_sign=signature,
        )

    def jsapi_order(self, **kwargs) -> PaymentParams:
        """`jsapi_prepay` and `payment_params` in one call (same keyword arguments)."""
        prepay_id = self.jsapi_prepay(**kwargs)
        return self.payment_params(appid=kwargs["appid"], prepay_id=prepay_id)

    def _order_path(self, out_trade_no: str) -> str:
        return f"/v3/pay/transactions/out-trade-no/{quote(out_trade_no, safe='')}"

    def query_order(self, out_trade_no: str) -> Transaction:
        """The order's state; OrderNotFound when WeChat Pay never saw it."""
        _, data = self.request(
            "GET", self._order_path(out_trade_no), query={"mchid": self.merchant.mchid}
        )
        transaction = Transaction.from_api(data or {})
        if transaction.out_trade_no != out_trade_no or transaction.mchid != self.merchant.mchid:
            raise VerificationError("the order answer is about another order or merchant")
        return transaction

    def close_order(self, out_trade_no: str) -> None:
        """Close an unpaid order (204). OrderPaid if it was paid meanwhile: query it."""
        self.request(
            "POST",
            self._order_path(out_trade_no) + "/close",
            payload={"mchid": self.merchant.mchid},
        )

    # -- refunds -----------------------------------------------------------------------

    def refund(
        self,
        *,
        out_refund_no: str,
        amount_fen: int,
        total_fen: int,
        out_trade_no: str = "",
        transaction_id: str = "",
        reason: str = "",
        notify_url: str | None = None,
    ) -> Refund:
        """Ask for a refund of `amount_fen` of an order of `total_fen`. Usually answers
        PROCESSING; the REFUND.* callback or `query_refund` tells the end."""
        if bool(out_trade_no) == bool(transaction_id):
            raise ValueError("give exactly one of out_trade_no and transaction_id")
        if amount_fen <= 0 or total_fen < amount_fen:
            raise ValueError("0 < amount_fen <= total_fen")
        payload = {
            "out_refund_no": out_refund_no,
            "amount": {"refund": amount_fen, "total": total_fen, "currency": "CNY"},
        }
        # without one, WeChat Pay uses the refund notify URL set on the merchant platform
        if notify_url or settings.WECHATPAY_NOTIFY_URL:
            payload["notify_url"] = notify_url or settings.WECHATPAY_NOTIFY_URL
        payload.update({"out_trade_no": out_trade_no} if out_trade_no else {})
        payload.update({"transaction_id": transaction_id} if transaction_id else {})
        if reason:
            payload["reason"] = reason
        _, data = self.request("POST", "/v3/refund/domestic/refunds", payload=payload)
        return self._checked_refund(data, out_refund_no)

    def query_refund(self, out_refund_no: str) -> Refund:
        _, data = self.request(
            "GET", f"/v3/refund/domestic/refunds/{quote(out_refund_no, safe='')}"
        )
        return self._checked_refund(data, out_refund_no)

    @staticmethod
    def _checked_refund(data, out_refund_no: str) -> Refund:
        refund = Refund.from_api(data or {})
        if refund.out_refund_no != out_refund_no:
            raise VerificationError("the refund answer is about another refund")
        return refund

    # -- trade bill --------------------------------------------------------------------

    def trade_bill(
        self, bill_date: date, *, bill_type: str = "ALL", compressed: bool = False
    ) -> TradeBill:
        """The day's trade bill, downloaded (gzip-compressed on the wire if `compressed`),
        checked against its SHA1 and parsed.

        BillNotFound (no trade that day), BillNotReady (before ~10:00 the next day),
        BillIntegrityError when the file does not match what WeChat Pay announced."""
        query = {"bill_date": bill_date.isoformat(), "bill_type": bill_type}
        if compressed:
            query["tar_type"] = "GZIP"
        _, data = self.request("GET", "/v3/bill/tradebill", query=query)
        data = data or {}
        content = self.download(str(data.get("download_url", "")))
        if compressed:
            try:
                content = gzip.decompress(content)
            except (OSError, EOFError, zlib.error) as exc:
                raise BillIntegrityError("the bill is not a gzip file") from exc
        check_bill_hash(content, str(data.get("hash_type", "")), str(data.get("hash_value", "")))
        return parse_trade_bill(content, bill_date=bill_date, bill_type=bill_type)

    def download(self, download_url: str) -> bytes:
        """GET a bill file: signed like any request; the answer carries no signature."""
        allowed = {_origin(self.base_url), *WECHATPAY_ORIGINS}
        if _origin(download_url) not in allowed or not urlsplit(download_url).path:
            raise VerificationError(f"refusing a bill download from {_origin(download_url)}")
        headers = self._signed_headers("GET", download_url, "")
        status, answer_headers, raw = self._send("GET", download_url, None, headers)
        if not 200 <= status < 300:
            raise self._error(status, answer_headers, raw)
        return raw


def check_bill_hash(content: bytes, hash_type: str, hash_value: str) -> None:
    if hash_type.upper() != "SHA1":
        raise BillIntegrityError(f"unknown bill hash_type {hash_type!r}")
    actual = hashlib.sha1(content, usedforsecurity=False).hexdigest()  # the hash WeChat Pay chose
    if not hmac.compare_digest(actual, hash_value.strip().lower()):
        raise BillIntegrityError("the bill does not match its hash_value")

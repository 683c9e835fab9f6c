"""A local Alibaba Cloud SMS API (dysmsapi 2017-05-25) for tests and benchmarks.

It checks the V3 signature (ACS3-HMAC-SHA256) as documented in "V3版本请求体&签名机制"
(https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
canonical request = method, path, sorted RFC 3986-encoded query, the lower-cased signed
headers (host, every x-acs-* header and content-type must be signed), the signed-header list
and x-acs-content-sha256 (which must be the body's SHA-256); string to sign =
"ACS3-HMAC-SHA256\\n" + hex SHA-256 of it; signature = hex HMAC-SHA256 with the secret.
x-acs-date must be within 15 minutes and a nonce is accepted once. Business errors come back
as HTTP 200 with `Code` (SendSms / SendBatchSms / QuerySendDetails API references).
"""

import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from .server import FakeServer

SIGN_WINDOW = timedelta(minutes=15)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_URL = re.compile(r"(https?://|www\.)", re.I)


def _error(status: int, code: str, message: str):
    body = {"RequestId": str(uuid.uuid4()).upper(), "Code": code, "Message": message}
    return status, {"Content-Type": "application/json;charset=utf-8"}, json.dumps(body).encode()


def _ok(body: dict):
    body = {"RequestId": str(uuid.uuid4()).upper(), **body}
    data = json.dumps(body, ensure_ascii=False).encode()
    return 200, {"Content-Type": "application/json;charset=utf-8"}, data


def _encode(value: str) -> str:
    return quote(value, safe="~", encoding="utf-8")


@dataclass
class SentMessage:
    phone: str
    sign_name: str
    template_code: str
    params: dict
    out_id: str
    biz_id: str
    sent_at: datetime
    status: int = 3  # QuerySendDetails SendStatus: 1 waiting, 2 failed, 3 delivered
    err_code: str = "DELIVERED"


@dataclass
class FailureBudget:
    code: str
    calls: int


@dataclass
class FakeAliyunState:
    access_key_id: str = "LTAI5tFakeKeyId"
    access_key_secret: str = "fake-secret-0123456789abcdef"
    sign_names: set = field(default_factory=lambda: {"三原县委组织部"})
    # template code -> {param name: max length}
    templates: dict = field(default_factory=dict)
    invalid_numbers: set = field(default_factory=set)
    balance_exhausted: bool = False
    outage: bool = False
    failures: list = field(default_factory=list)  # FailureBudget, consumed per call
    sent: list = field(default_factory=list)
    calls: list = field(default_factory=list)  # (action, number of phones)
    nonces: set = field(default_factory=set)


class FakeAliyunSms(FakeServer):
    def __init__(self, **state):
        super().__init__()
        self.state = FakeAliyunState(**state)

    # Test controls --------------------------------------------------------------------

    def fail_next(self, code: str, calls: int = 1):
        """The next `calls` send calls answer `code` (e.g. isv.BUSINESS_LIMIT_CONTROL)."""
        with self.lock:
            self.state.failures.append(FailureBudget(code, calls))

    def add_template(self, code: str, params: dict):
        self.state.templates[code] = dict(params)

    # Dispatch -------------------------------------------------------------------------

    def handle(self, request):
        if self.state.outage:
            return _error(
                503,
                "ServiceUnavailable",
                "The request has failed due to a temporary failure of the server.",
            )
        refused = self._check_signature(request)
        if refused:
            return refused
        params = dict(parse_qsl(request.raw_query, keep_blank_values=True))
        if request.body:
            params.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
        action = request.headers.get("x-acs-action", "")
        if request.headers.get("x-acs-version") != "2017-05-25":
            return _error(400, "InvalidVersion", "Specified parameter Version is not valid.")
        handler = {
            "SendSms": self._send_sms,
            "SendBatchSms": self._send_batch_sms,
            "QuerySendDetails": self._query_send_details,
        }.get(action)
        if handler is None:
            return _error(
                404,
                "InvalidAction.NotFound",
                "Specified api is not found, please check your url and method.",
            )
        with self.lock:
            return handler(params)

    # Signature ------------------------------------------------------------------------

    def _check_signature(self, request):
        headers = {k.lower(): v for k, v in request.headers.items()}
        match = re.fullmatch(
            r"ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)",
            headers.get("authorization", ""),
        )
        if not match:
            return _error(
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        key_id, signed, signature = match.groups()
        if key_id != self.state.access_key_id:
            return _error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        signed_names = signed.split(";")
        required = {"host"} | {h for h in headers if h.startswith("x-acs-")}
        if "content-type" in headers:
            required.add("content-type")
        if not required <= set(signed_names) or signed_names != sorted(signed_names):
            return _error(
                400,
                "IncompleteSignature",
                "The request signature does not conform to Aliyun standards.",
            )
        payload_hash = hashlib.sha256(request.body).hexdigest()
        if headers.get("x-acs-content-sha256") != payload_hash:
            return _error(
                400, "IncompleteSignature", "The x-acs-content-sha256 does not match the body."
            )
        expected = self.signature(
            request.method, request.path, request.raw_query, headers, signed_names, payload_hash
        )
        if not hmac.compare_digest(expected, signature):
            return _error(
                400, "SignatureDoesNotMatch", "Specified signature does not match our calculation."
            )
        return self._check_freshness(headers)

    def _check_freshness(self, headers):
        try:
            stamp = datetime.strptime(headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return _error(
                400,
                "InvalidTimeStamp.Format",
                "Specified time stamp or date value is not well formatted.",
            )
        if abs(datetime.now(UTC) - stamp) > SIGN_WINDOW:
            return _error(
                400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
            )
        nonce = headers.get("x-acs-signature-nonce", "")
        with self.lock:
            if not nonce or nonce in self.state.nonces:
                return _error(
                    400, "SignatureNonceUsed", "Specified signature nonce was used already."
                )
            self.state.nonces.add(nonce)
        return None

    def signature(self, method, path, raw_query, headers, signed_names, payload_hash) -> str:
        query = sorted(parse_qsl(raw_query, keep_blank_values=True))
        canonical_query = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in query)
        canonical_headers = "".join(
            f"{name}:{headers.get(name, '').strip()}\n" for name in signed_names
        )
        canonical = "\n".join(
            [method, path, canonical_query, canonical_headers, ";".join(signed_names), payload_hash]
        )
        to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
        key = self.state.access_key_secret.encode()
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    # Actions --------------------------------------------------------------------------

    def _account_refusal(self):
        if self.state.failures:
            budget = self.state.failures[0]
            budget.calls -= 1
            if budget.calls <= 0:
                self.state.failures.pop(0)
            return _ok({"Code": budget.code, "Message": "模拟失败"})
        if self.state.balance_exhausted:
            return _ok({"Code": "isv.AMOUNT_NOT_ENOUGH", "Message": "账户余额不足"})
        return None

    def _check_message(self, sign_name, template_code, params):
        if sign_name not in self.state.sign_names:
            return "isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名"
        template = self.state.templates.get(template_code)
        if template is None:
            return "isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板"
        if not isinstance(params, dict) or any(not isinstance(v, str) for v in params.values()):
            return "isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"
        missing = set(template) - set(params)
        if missing:
            return "isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量"
        for name, max_len in template.items():
            if len(params[name]) > max_len:
                return "isv.PARAM_LENGTH_LIMIT", "参数超出长度限制"
            if _URL.search(params[name]):
                return "isv.PARAM_NOT_SUPPORT_URL", "不支持URL"
        return None

    def _bad_number(self, phones):
        for phone in phones:
            if not _MOBILE.match(phone) or phone in self.state.invalid_numbers:
                return _ok({"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
        return None

    def _send_sms(self, params):
        phones = [p for p in params.get("PhoneNumbers", "").split(",") if p]
        self.state.calls.append(("SendSms", len(phones)))
        if not phones:
            return _error(400, "MissingPhoneNumbers", "PhoneNumbers is mandatory for this action.")
        if len(phones) > 1000:
            return _ok({"Code": "isv.MOBILE_COUNT_OVER_LIMIT", "Message": "手机号码数量超过限制"})
        values = json.loads(params.get("TemplateParam") or "{}")
        refusal = self._account_refusal() or self._bad_number(phones)
        if refusal:
            return refusal
        problem = self._check_message(params.get("SignName"), params.get("TemplateCode"), values)
        if problem:
            return _ok({"Code": problem[0], "Message": problem[1]})
        return self._record(
            phones,
            [params["SignName"]] * len(phones),
            params["TemplateCode"],
            [values] * len(phones),
            params.get("OutId", ""),
        )

    def _send_batch_sms(self, params):
        phones = json.loads(params.get("PhoneNumberJson") or "[]")
        signs = json.loads(params.get("SignNameJson") or "[]")
        values = json.loads(params.get("TemplateParamJson") or "[]")
        self.state.calls.append(("SendBatchSms", len(phones)))
        if len(phones) > 100:
            return _ok({"Code": "isv.MOBILE_COUNT_OVER_LIMIT", "Message": "手机号码数量超过限制"})
        if not (len(phones) == len(signs) == len(values)) or not phones:
            return _ok({"Code": "isv.INVALID_PARAMETERS", "Message": "参数异常"})
        refusal = self._account_refusal() or self._bad_number(phones)
        if refusal:
            return refusal
        for sign, value in zip(signs, values, strict=True):
            problem = self._check_message(sign, params.get("TemplateCode"), value)
            if problem:
                return _ok({"Code": problem[0], "Message": problem[1]})
        return self._record(phones, signs, params["TemplateCode"], values, params.get("OutId", ""))

    def _record(self, phones, signs, template_code, values, out_id):
        biz_id = f"{uuid.uuid4().int % 10**18:018d}^0"
        now = datetime.now(UTC)
        for phone, sign, value in zip(phones, signs, values, strict=True):
            self.state.sent.append(
                SentMessage(phone, sign, template_code, value, out_id, biz_id, now)
            )
        return _ok({"Code": "OK", "Message": "OK", "BizId": biz_id})

    def _query_send_details(self, params):
        phone = params.get("PhoneNumber", "")
        try:
            day = datetime.strptime(params.get("SendDate", "") + "+0800", "%Y%m%d%z").date()
            page_size, page = int(params.get("PageSize", "0")), int(params.get("CurrentPage", "0"))
        except ValueError:
            return _ok({"Code": "isv.INVALID_PARAMETERS", "Message": "参数异常"})
        today = (datetime.now(UTC) + timedelta(hours=8)).date()
        if (
            not (1 <= page_size <= 50)
            or page < 1
            or not (today - timedelta(days=29) <= day <= today)
        ):
            return _ok({"Code": "isv.INVALID_PARAMETERS", "Message": "参数异常"})
        rows = [
            m
            for m in self.state.sent
            if m.phone == phone
            and (m.sent_at + timedelta(hours=8)).date() == day
            and (not params.get("BizId") or m.biz_id == params["BizId"])
        ]
        window = rows[(page - 1) * page_size : page * page_size]
        return _ok(
            {
                "Code": "OK",
                "Message": "OK",
                "TotalCount": len(rows),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": [self._detail(m) for m in window]},
            }
        )

    @staticmethod
    def _detail(m: SentMessage) -> dict:
        beijing = (m.sent_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")
        return {
            "PhoneNum": m.phone,
            "SendStatus": m.status,
            "ErrCode": m.err_code,
            "TemplateCode": m.template_code,
            "Content": f"【{m.sign_name}】{json.dumps(m.params, ensure_ascii=False)}",
            "SendDate": beijing,
            "ReceiveDate": beijing,
            "OutId": m.out_id,
        }

"""A local Tencent Cloud SMS API (2021-01-11) for tests and benchmarks.

It checks TC3-HMAC-SHA256 as documented in "签名方法 v3"
(https://cloud.tencent.com/document/api/382/52072): canonical request = method, "/", the
query (empty for POST), the signed headers (names and values lower-cased and trimmed;
content-type and host at least), the signed-header list and hex SHA-256 of the payload;
string to sign = "TC3-HMAC-SHA256\\n" + X-TC-Timestamp + "\\n" + "<date>/sms/tc3_request" +
"\\n" + hex SHA-256 of it; the key is derived as HMAC("TC3"+SecretKey, date) → service →
"tc3_request". X-TC-Timestamp must be within 5 minutes and match the credential's date.
Errors are HTTP 200 with Response.Error; SendSms answers SendStatusSet number by number.
"""

import hashlib
import hmac
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .server import FakeServer

SIGN_WINDOW_SECONDS = 300
_MOBILE = re.compile(r"^\+861[3-9]\d{9}$")
_URL = re.compile(r"(https?://|www\.)", re.I)


def _response(body: dict):
    data = {"Response": {**body, "RequestId": str(uuid.uuid4())}}
    return 200, {"Content-Type": "application/json"}, json.dumps(data, ensure_ascii=False).encode()


def _error(code: str, message: str):
    return _response({"Error": {"Code": code, "Message": message}})


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


@dataclass
class SentMessage:
    phone: str
    sign_name: str
    template_id: str
    params: list
    session_context: str
    serial_no: str


@dataclass
class FakeTencentState:
    secret_id: str = "AKIDfakeSecretId0123456789"
    secret_key: str = "fake-tencent-secret-key-0123"
    sdk_app_id: str = "1400000001"
    sign_names: set = field(default_factory=lambda: {"三原县委组织部"})
    templates: dict = field(default_factory=dict)  # template id -> [max length per {n}]
    invalid_numbers: set = field(default_factory=set)
    balance_exhausted: bool = False
    outage: bool = False
    # number -> code answered for it on its next sends (e.g. a 30-second limit)
    number_failures: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)  # [code, calls] for whole calls
    sent: list = field(default_factory=list)
    calls: list = field(default_factory=list)


class FakeTencentSms(FakeServer):
    def __init__(self, **state):
        super().__init__()
        self.state = FakeTencentState(**state)

    def add_template(self, template_id: str, lengths: list):
        self.state.templates[template_id] = list(lengths)

    def fail_next(self, code: str, calls: int = 1):
        with self.lock:
            self.state.failures.append([code, calls])

    def handle(self, request):
        if self.state.outage:
            return 502, {"Content-Type": "text/html"}, b"<html>502 Bad Gateway</html>"
        headers = {k.lower(): v for k, v in request.headers.items()}
        refused = self._check_signature(request, headers)
        if refused:
            return refused
        if headers.get("x-tc-version") != "2021-01-11":
            return _error("NoSuchVersion", "The requested version does not exist.")
        if headers.get("x-tc-action") != "SendSms":
            return _error("InvalidAction", "The requested action does not exist.")
        if not headers.get("x-tc-region"):
            return _error(
                "MissingParameter", "The request is missing a required parameter `Region`."
            )
        try:
            params = json.loads(request.body.decode("utf-8"))
        except ValueError:
            return _error("FailedOperation.JsonParseFail", "解析请求包体时候失败。")
        with self.lock:
            return self._send_sms(params)

    # Signature ------------------------------------------------------------------------

    def _check_signature(self, request, headers):
        match = re.fullmatch(
            r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/([a-z]+)/tc3_request, "
            r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
            headers.get("authorization", ""),
        )
        if not match:
            return _error("AuthFailure.InvalidAuthorization", "Authorization 不符合腾讯云标准。")
        secret_id, day, service, signed, signature = match.groups()
        if secret_id != self.state.secret_id:
            return _error("AuthFailure.SecretIdNotFound", "The SecretId is not found.")
        try:
            stamp = int(headers.get("x-tc-timestamp", ""))
        except ValueError:
            return _error("AuthFailure.InvalidAuthorization", "X-TC-Timestamp is invalid.")
        now = datetime.now(UTC).timestamp()
        if abs(now - stamp) > SIGN_WINDOW_SECONDS:
            return _error(
                "AuthFailure.SignatureExpire",
                "Signature expired. Timestamp and server time cannot differ by more than five minutes.",
            )
        names = signed.split(";")
        if service != "sms" or not {"content-type", "host"} <= set(names):
            return _error("AuthFailure.InvalidAuthorization", "Authorization 不符合腾讯云标准。")
        if datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d") != day:
            return _error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated because of exceeding request date.",
            )
        expected = self.signature(request, headers, names, day, stamp)
        if not hmac.compare_digest(expected, signature):
            return _error(
                "AuthFailure.SignatureFailure",
                "The provided credentials could not be validated. Please check your signature is correct.",
            )
        return None

    def signature(self, request, headers, names, day, stamp) -> str:
        canonical_headers = "".join(f"{n}:{headers.get(n, '').strip().lower()}\n" for n in names)
        payload = hashlib.sha256(request.body).hexdigest()
        query = request.raw_query if request.method == "GET" else ""
        canonical = "\n".join(
            [request.method, "/", query, canonical_headers, ";".join(names), payload]
        )
        scope = f"{day}/sms/tc3_request"
        to_sign = "\n".join(
            ["TC3-HMAC-SHA256", str(stamp), scope, hashlib.sha256(canonical.encode()).hexdigest()]
        )
        key = _hmac(
            _hmac(_hmac(("TC3" + self.state.secret_key).encode(), day), "sms"), "tc3_request"
        )
        return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()

    # SendSms --------------------------------------------------------------------------

    def _send_sms(self, params):
        phones = params.get("PhoneNumberSet") or []
        self.state.calls.append(("SendSms", len(phones)))
        problem = self._check_call(params, phones)
        if problem:
            return _error(*problem)
        statuses = [self._send_one(phone, params) for phone in phones]
        return _response({"SendStatusSet": statuses})

    def _check_call(self, params, phones):
        if not phones:
            return "MissingParameter.EmptyPhoneNumberSet", "传入的号码列表为空。"
        if len(phones) > 200:
            return "LimitExceeded.PhoneNumberCountLimit", "调用接口单次提交的手机号个数超过200个。"
        if self.state.failures:
            budget = self.state.failures[0]
            budget[1] -= 1
            if budget[1] <= 0:
                self.state.failures.pop(0)
            return budget[0], "模拟失败"
        if params.get("SmsSdkAppId") != self.state.sdk_app_id:
            return "UnauthorizedOperation.SmsSdkAppIdVerifyFail", "SmsSdkAppId 校验失败。"
        if params.get("SignName") not in self.state.sign_names:
            return "FailedOperation.SignatureIncorrectOrUnapproved", "签名未审批或格式错误。"
        lengths = self.state.templates.get(params.get("TemplateId"))
        if lengths is None:
            return "FailedOperation.TemplateIncorrectOrUnapproved", "模板未审批或内容不匹配。"
        values = params.get("TemplateParamSet") or []
        if len(values) != len(lengths):
            return "FailedOperation.TemplateParamSetNotMatchApprovedTemplate", "参数格式错误。"
        for value, max_len in zip(values, lengths, strict=True):
            if _URL.search(value):
                return (
                    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter",
                    "禁止在模板变量中使用 URL。",
                )
            if len(value) > max_len:
                return (
                    "InvalidParameterValue.TemplateParameterLengthLimit",
                    "单个模板变量字符数超过规定的限制数。",
                )
        return None

    def _send_one(self, phone, params):
        serial = f"3369:{uuid.uuid4().int % 10**20:020d}"
        status = {
            "SerialNo": "",
            "PhoneNumber": phone,
            "Fee": 0,
            "SessionContext": params.get("SessionContext", ""),
            "IsoCode": "CN",
        }
        code = self._number_code(phone)
        if code:
            return {**status, "Code": code, "Message": code}
        self.state.sent.append(
            SentMessage(
                phone,
                params["SignName"],
                params["TemplateId"],
                list(params.get("TemplateParamSet") or []),
                params.get("SessionContext", ""),
                serial,
            )
        )
        return {**status, "SerialNo": serial, "Fee": 1, "Code": "Ok", "Message": "send success"}

    def _number_code(self, phone):
        if not _MOBILE.match(phone) or phone.removeprefix("+86") in self.state.invalid_numbers:
            return "InvalidParameterValue.IncorrectPhoneNumber"
        if self.state.balance_exhausted:
            return "FailedOperation.InsufficientBalanceInSmsPackage"
        return self.state.number_failures.pop(phone.removeprefix("+86"), None)

    # Status callback ------------------------------------------------------------------

    def status_callback_body(self, report_status="SUCCESS", errmsg="DELIVRD") -> bytes:
        """What Tencent would POST to our status callback for everything sent so far."""
        items = [
            {
                "user_receive_time": (datetime.now(UTC) + timedelta(hours=8)).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "nationcode": "86",
                "mobile": m.phone.removeprefix("+86"),
                "report_status": report_status,
                "errmsg": errmsg,
                "description": "用户短信送达成功"
                if report_status == "SUCCESS"
                else "用户短信接收失败",
                "sid": m.serial_no,
            }
            for m in self.state.sent
        ]
        return json.dumps(items, ensure_ascii=False).encode()

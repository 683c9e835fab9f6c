"""Tencent Cloud SMS through the official SDK (tencentcloud-sdk-python-sms, API 2021-01-11,
TC3-HMAC-SHA256).

SendSms takes up to 200 numbers with one set of parameters; its SendStatusSet is judged
number by number, so a partial failure marks only its own deliveries. Receipts arrive by the
status callback (parse_status_callback).
"""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass

from .base import (
    Outcome,
    ReceiptStatus,
    SmsConfigurationError,
    SmsReceipt,
    SmsResult,
    beijing_time,
)
from .gateway import (
    CodeRule,
    GatewayBackend,
    Prepared,
    chunks_without_repeats,
    classify,
    results_for,
)
from .gateway import request_ref as make_request_ref
from .inbound import SmsCallbackRejected
from .templates import VendorLimits
from .tencent_codes import TENCENT_CODES, TENCENT_PREFIXES

logger = logging.getLogger(__name__)

SEND_SMS_MAX = 200

# 正文模板审核标准 (https://cloud.tencent.com/document/product/382/39023, 变量规范): a variable
# holds at most 12 characters for personal accounts (error 1036 / TemplateParameterLengthLimit);
# accounts opened after 2024-01-25 or long unused default to 6 (FAQ 382/13301 and the SDK's
# errorcodes.py), enterprise accounts may have more: the console shows the account's length,
# and SMS_TEMPLATES can set it per variable. Verification codes: 0–6 digits only. No variable
# may carry a link (ProhibitedUseUrlInTemplateParameter).
TENCENT_LIMITS = VendorLimits(
    vendor="tencent",
    lengths={"text": 12, "number": 12, "time": 12, "money": 12, "phone": 12, "code": 6, "link": 12},
    links=frozenset(),
    code_pattern=r"^[0-9]+$",
)


@dataclass(frozen=True)
class TencentConfig:
    secret_id: str
    secret_key: str
    sdk_app_id: str
    region: str = "ap-guangzhou"
    endpoint: str = "sms.tencentcloudapi.com"
    protocol: str = "https"
    timeout_seconds: float = 5.0


def classify_tencent(code: str, message: str = "") -> CodeRule:
    if code == "Ok":
        return CodeRule(Outcome.SENT, "")
    return classify(TENCENT_CODES, TENCENT_PREFIXES, code, message)


class TencentBackend(GatewayBackend):
    limits = TENCENT_LIMITS

    def __init__(self, *, config: TencentConfig, sign_name: str, templates: dict):
        super().__init__(sign_name=sign_name, templates=templates)
        if not (config.secret_id and config.secret_key and config.sdk_app_id):
            raise SmsConfigurationError(
                "SMS_TENCENT_SECRET_ID / SMS_TENCENT_SECRET_KEY / SMS_TENCENT_SDK_APP_ID are not set"
            )
        self.config = config
        self.client = self._client(config)

    @staticmethod
    def _client(config: TencentConfig):
        from tencentcloud.common.credential import Credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111.sms_client import SmsClient

        http = HttpProfile(
            endpoint=config.endpoint,
            protocol=config.protocol,
            reqTimeout=max(1, round(config.timeout_seconds)),
        )
        profile = ClientProfile(httpProfile=http)
        return SmsClient(Credential(config.secret_id, config.secret_key), config.region, profile)

    def _send_prepared(self, spec, items: list[Prepared]):
        by_params: dict[tuple, list[Prepared]] = defaultdict(list)
        for item in items:
            by_params[item.params_key].append(item)
        for group in by_params.values():
            for chunk in chunks_without_repeats(group, SEND_SMS_MAX):
                yield from self._send_chunk(spec, chunk)

    def _send_chunk(self, spec, chunk: list[Prepared]):
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111.models import SendSmsRequest

        request = SendSmsRequest()
        request.SmsSdkAppId = self.config.sdk_app_id
        request.SignName = self.sign_name
        request.TemplateId = spec.code
        request.PhoneNumberSet = [f"+86{item.number}" for item in chunk]
        request.TemplateParamSet = [str(v) for v in chunk[0].values.values()]
        request.SessionContext = make_request_ref(chunk)
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            code = exc.get_code() or "ServerNetworkError"
            yield from results_for(chunk, classify_tencent(code, exc.get_message()), code=code)
            return
        except Exception as exc:
            logger.warning("tencent sms call failed: %s", exc)
            yield from results_for(
                chunk, classify_tencent("ClientNetworkError"), code="ClientNetworkError"
            )
            return
        yield from self._judge(chunk, response.SendStatusSet or [], request.SessionContext)

    @staticmethod
    def _judge(chunk: list[Prepared], statuses, ref: str):
        by_number = {}
        for status in statuses:
            number = (status.PhoneNumber or "").removeprefix("+86")
            by_number[number] = status
        for item in chunk:
            status = by_number.get(item.number)
            code = status.Code if status else "InternalError.MissingStatus"
            rule = classify_tencent(code, status.Message if status else "")
            yield (
                item.index,
                SmsResult(
                    out_id=item.recipient.out_id,
                    phone=item.recipient.phone,
                    outcome=rule.outcome,
                    vendor_id=(status.SerialNo or "") if status else "",
                    request_ref=ref,
                    code=code,
                    reason=rule.reason,
                ),
            )


def parse_status_callback(body: bytes) -> list[SmsReceipt]:
    """The items of Tencent's status callback (a JSON array; "一次回调请求里可能有多次的短信
    请求结果"). `vendor_id` is the `sid`, which equals the SendStatus SerialNo.
    Tencent documents no signature on callbacks: check the token in the callback URL first
    (inbound.check_callback_token). Raises SmsCallbackRejected on a malformed body."""
    try:
        items = json.loads(body.decode("utf-8"))
        if not isinstance(items, list):
            raise ValueError("not a list")
        return [_receipt(item) for item in items]
    except (UnicodeDecodeError, KeyError, TypeError, ValueError) as exc:
        raise SmsCallbackRejected(f"状态回调格式不正确：{exc}") from exc


def _receipt(item: dict) -> SmsReceipt:
    delivered = item["report_status"] == "SUCCESS"
    return SmsReceipt(
        phone=str(item["mobile"]),
        status=ReceiptStatus.DELIVERED if delivered else ReceiptStatus.FAILED,
        vendor_id=str(item["sid"]),
        code=str(item.get("errmsg", "")),
        reason=str(item.get("description", "")),
        reported_at=beijing_time(item.get("user_receive_time")),
    )

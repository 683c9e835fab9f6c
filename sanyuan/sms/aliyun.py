"""Alibaba Cloud SMS through the official SDK (alibabacloud_dysmsapi20170525, ACS3-HMAC-SHA256).

Recipients whose parameters are equal go out together through SendSms (up to 1,000 numbers,
one set of parameters); the rest through SendBatchSms (up to 100 numbers, per-number sign and
parameters). Receipts come from QuerySendDetails (by number and day, at most 30 days back,
at most 50 a page), matched on the OutId we sent.
"""

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from .aliyun_codes import ALIYUN_CODES, ALIYUN_PER_NUMBER_CODES, ALIYUN_PREFIXES
from .base import Outcome, ReceiptStatus, SmsConfigurationError, SmsReceipt, beijing_time
from .gateway import (
    CodeRule,
    GatewayBackend,
    Prepared,
    chunks_without_repeats,
    classify,
    results_for,
)
from .gateway import request_ref as make_request_ref
from .templates import VendorLimits

logger = logging.getLogger(__name__)

SEND_SMS_MAX = 1000
SEND_BATCH_SMS_MAX = 100
QUERY_PAGE_MAX = 50
QUERY_DAYS_BACK = 30

# https://help.aliyun.com/document_detail/108088.html: 单个变量的长度限制为1~35个字符;
# 验证码 4~6 位 (document_detail/463237); 电话号码不超过15个字符 (document_detail/2806243).
# Links belong in the template's fixed text (通知短信模板规范 document_detail/463270 链接规范),
# so only a variable the operator declared "link" may carry one.
ALIYUN_LIMITS = VendorLimits(
    vendor="aliyun",
    lengths={
        "text": 35,
        "number": 35,
        "time": 35,
        "money": 35,
        "phone": 15,
        "code": 6,
        "link": 35,
    },
    links=frozenset({"link"}),
)


@dataclass(frozen=True)
class AliyunConfig:
    access_key_id: str
    access_key_secret: str
    endpoint: str = "dysmsapi.aliyuncs.com"
    protocol: str = "https"
    timeout_seconds: float = 5.0


def classify_aliyun(code: str, message: str = "") -> CodeRule:
    if code == "OK":
        return CodeRule(Outcome.SENT, "")
    return classify(ALIYUN_CODES, ALIYUN_PREFIXES, code, message)


class AliyunBackend(GatewayBackend):
    limits = ALIYUN_LIMITS

    def __init__(self, *, config: AliyunConfig, sign_name: str, templates: dict):
        super().__init__(sign_name=sign_name, templates=templates)
        if not (config.access_key_id and config.access_key_secret):
            raise SmsConfigurationError(
                "SMS_ALIYUN_ACCESS_KEY_ID / SMS_ALIYUN_ACCESS_KEY_SECRET are not set"
            )
        self.config = config
        self.client = self._client(config)

    @staticmethod
    def _client(config: AliyunConfig):
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        milliseconds = int(config.timeout_seconds * 1000)
        return Client(
            Config(
                access_key_id=config.access_key_id,
                access_key_secret=config.access_key_secret,
                endpoint=config.endpoint,
                protocol=config.protocol,
                connect_timeout=milliseconds,
                read_timeout=milliseconds,
            )
        )

    # Sending ------------------------------------------------------------------------------

    def _send_prepared(self, spec, items: list[Prepared]):
        by_params: dict[tuple, list[Prepared]] = defaultdict(list)
        for item in items:
            by_params[item.params_key].append(item)
        singles = []
        for group in by_params.values():
            if len(group) == 1:
                singles.extend(group)
                continue
            for chunk in chunks_without_repeats(group, SEND_SMS_MAX):
                yield from self._send_sms(spec, chunk)
        for chunk in chunks_without_repeats(singles, SEND_BATCH_SMS_MAX):
            if len(chunk) == 1:
                yield from self._send_sms(spec, chunk)
            else:
                yield from self._send_batch_sms(spec, chunk)

    def _send_sms(self, spec, chunk: list[Prepared]):
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        request = SendSmsRequest(
            phone_numbers=",".join(item.number for item in chunk),
            sign_name=self.sign_name,
            template_code=spec.code,
            template_param=json.dumps(chunk[0].values, ensure_ascii=False)
            if chunk[0].values
            else None,
            out_id=make_request_ref(chunk),
        )
        code, message, biz_id = self._call(self.client.send_sms, request)
        if len(chunk) > 1 and code in ALIYUN_PER_NUMBER_CODES:
            # One bad number refuses the whole call: find it by sending the others alone.
            for item in chunk:
                yield from self._send_sms(spec, [item])
            return
        yield from results_for(chunk, classify_aliyun(code, message), code=code, vendor_id=biz_id)

    def _send_batch_sms(self, spec, chunk: list[Prepared]):
        from alibabacloud_dysmsapi20170525.models import SendBatchSmsRequest

        request = SendBatchSmsRequest(
            phone_number_json=json.dumps([item.number for item in chunk]),
            sign_name_json=json.dumps([self.sign_name] * len(chunk), ensure_ascii=False),
            template_code=spec.code,
            template_param_json=json.dumps([item.values for item in chunk], ensure_ascii=False),
            out_id=make_request_ref(chunk),
        )
        code, message, biz_id = self._call(self.client.send_batch_sms, request)
        if code in ALIYUN_PER_NUMBER_CODES:
            for item in chunk:
                yield from self._send_sms(spec, [item])
            return
        yield from results_for(chunk, classify_aliyun(code, message), code=code, vendor_id=biz_id)

    def _call(self, method, request) -> tuple[str, str, str]:
        """(code, message, biz_id) of one vendor call; transport errors become a retry code."""
        try:
            response = method(request)
        except Exception as exc:
            code = getattr(exc, "code", None)
            if code and code not in ("None", ""):
                return str(code), str(getattr(exc, "message", exc)), ""
            logger.warning("aliyun sms call failed: %s", exc)
            return "NETWORK", str(exc)[:200], ""
        body = response.body
        return body.code or "", body.message or "", getattr(body, "biz_id", "") or ""

    # Receipts -----------------------------------------------------------------------------

    def query_receipts(
        self, *, phone: str, send_date: date, request_refs=None, biz_id: str = ""
    ) -> list[SmsReceipt]:
        """Delivery reports for one number on one day (QuerySendDetails, every page). With
        `request_refs`, only rows whose OutId is among them (what SmsResult.request_ref held).
        Raises ValueError for a day more than 30 days back or in the future."""
        today = timezone.localdate()
        if not today - timedelta(days=QUERY_DAYS_BACK - 1) <= send_date <= today:
            raise ValueError("阿里云只能查询最近 30 天内的发送记录")
        wanted = set(request_refs) if request_refs is not None else None
        receipts, page = [], 1
        while True:
            rows, total = self._query_page(phone, send_date, page, biz_id)
            receipts += [
                self._receipt(row) for row in rows if wanted is None or row.out_id in wanted
            ]
            if page * QUERY_PAGE_MAX >= total or not rows:
                return receipts
            page += 1

    def _query_page(self, phone, send_date, page, biz_id):
        from alibabacloud_dysmsapi20170525.models import QuerySendDetailsRequest

        request = QuerySendDetailsRequest(
            phone_number=phone,
            send_date=send_date.strftime("%Y%m%d"),
            page_size=QUERY_PAGE_MAX,
            current_page=page,
            biz_id=biz_id or None,
        )
        body = self.client.query_send_details(request).body
        if body.code != "OK":
            raise SmsConfigurationError(f"QuerySendDetails: {body.code} {body.message}")
        dtos = body.sms_send_detail_dtos
        rows = (dtos.sms_send_detail_dto or []) if dtos else []
        return rows, int(body.total_count or 0)

    @staticmethod
    def _receipt(row) -> SmsReceipt:
        status = {1: ReceiptStatus.PENDING, 2: ReceiptStatus.FAILED, 3: ReceiptStatus.DELIVERED}
        return SmsReceipt(
            phone=row.phone_num or "",
            status=status.get(int(row.send_status or 1), ReceiptStatus.PENDING),
            request_ref=row.out_id or "",
            code=row.err_code or "",
            reported_at=beijing_time(row.receive_date),
        )

"""Callbacks of the SMS gateways: replies from members (opt-out) and delivery receipts.

Anonymous, but only with a valid signature (Aliyun MNS push) or the secret token in the URL
(`?token=SMS_CALLBACK_TOKEN`: Aliyun documents no signature for its HTTP batch push, Tencent
none for its callbacks). A refused callback answers 403 and changes nothing; a malformed one
400. The answers are the bodies each vendor expects, so it does not push again.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members.services import sms_reach
from sanyuan.sms import SmsCallbackRejected
from sanyuan.sms import inbound as sms_inbound

CALLBACK_SCHEMA = extend_schema(
    request=None,
    responses={
        200: OpenApiResponse(description="已接收"),
        400: OpenApiResponse(description="内容格式不正确"),
        403: OpenApiResponse(description="令牌或签名不正确"),
    },
)


class SmsCallbackApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []  # the vendors push in bursts; the token or signature gates
    ok_body: dict = {}
    error_key = "msg"

    @CALLBACK_SCHEMA
    def post(self, request):
        try:
            self.verify(request)
        except SmsCallbackRejected as exc:
            return Response({self.error_key: str(exc)}, status=403)
        try:
            count = self.handle(bytes(request.body))
        except SmsCallbackRejected as exc:
            return Response({self.error_key: str(exc)}, status=400)
        return Response({**self.ok_body, "count": count})

    def verify(self, request) -> None:
        sms_inbound.check_callback_token(
            request.query_params.get("token", ""), settings.SMS_CALLBACK_TOKEN
        )

    def handle(self, body: bytes) -> int:
        raise NotImplementedError


class AliyunSmsReplyApi(SmsCallbackApi):
    """Aliyun SmsUp, HTTP batch push (a JSON array of replies)."""

    ok_body = {"code": 0, "msg": "成功"}

    def handle(self, body):
        replies = sms_inbound.parse_aliyun_sms_up(body)
        return sms_reach.sms_replies_apply(replies=replies, source="阿里云上行短信")


class AliyunMnsReplyApi(SmsCallbackApi):
    """Aliyun SmsUp through an MNS topic's HTTP subscription (RSA-SHA1 signed by MNS)."""

    ok_body = {"code": 0, "msg": "成功"}

    def verify(self, request):
        headers = {key: value for key, value in request.headers.items()}
        sms_inbound.verify_mns_push(
            method=request.method,
            path=request.get_full_path(),
            headers=headers,
            body=bytes(request.body),
            allowed_cert_prefixes=settings.SMS_MNS_CERT_URL_PREFIXES,
        )

    def handle(self, body):
        replies = sms_inbound.parse_mns_notification(body)
        return sms_reach.sms_replies_apply(replies=replies, source="阿里云 MNS 推送")


class TencentSmsReplyApi(SmsCallbackApi):
    """Tencent reply callback (one JSON object per reply)."""

    ok_body = {"result": 0, "errmsg": "OK"}
    error_key = "errmsg"

    def handle(self, body):
        reply = sms_inbound.parse_tencent_reply(body)
        return sms_reach.sms_replies_apply(replies=[reply], source="腾讯云回复回调")


class TencentSmsStatusApi(SmsCallbackApi):
    """Tencent status callback (receipts, a JSON array)."""

    ok_body = {"result": 0, "errmsg": "OK"}
    error_key = "errmsg"

    def handle(self, body):
        from sanyuan.sms.tencent import parse_status_callback

        return sms_reach.sms_receipts_apply(parse_status_callback(body))

"""The mini-program's WeChat login and the member's bindings (DESIGN.md, second-round API):
`POST /api/auth/wechat/mini-program/ {code}` answers a token for a bound openid, or 404
`{"code": "not_bound"}` so that the client shows the name + ID + password form and binds."""

import logging

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.auth import AuthThrottle
from members.services import accounts
from sanyuan import wechat
from sanyuan.wechat.errors import WechatCodeError, WechatError, WechatLoginBlockedError

from . import permissions, services
from .models import WechatBinding
from .services import subscriptions

logger = logging.getLogger(__name__)
MINI = WechatBinding.AppKind.MINI_PROGRAM


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=128,
        error_messages={"required": "缺少微信登录凭证 code。", "blank": "微信登录凭证不能为空。"},
    )


class BindingSerializer(serializers.ModelSerializer):
    app_kind_label = serializers.CharField(source="get_app_kind_display", read_only=True)

    class Meta:
        model = WechatBinding
        fields = ["id", "app_kind", "app_kind_label", "created_at", "last_signed_in_at"]


NOT_CONFIGURED = {"code": "not_configured", "detail": "本站尚未开通微信小程序登录。"}
WECHAT_DOWN = OpenApiResponse(
    description="`code` 为 `not_configured`（本站未开通小程序）或 `wechat_unavailable`（微信暂时无法响应）"
)


def _session_or_error(code: str):
    """The mini-program session of `code`, or the Response to answer instead."""
    if not wechat.mini_configured():
        return None, Response(NOT_CONFIGURED, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    try:
        return wechat.mini_program_login(code), None
    except WechatLoginBlockedError:
        body = {
            "code": "wechat_blocked",
            "detail": "该微信账号被限制登录，请用姓名和身份证号码登录。",
        }
        return None, Response(body, status=status.HTTP_403_FORBIDDEN)
    except WechatCodeError:
        body = {"code": "invalid_code", "detail": "微信登录凭证无效或已过期，请重试。"}
        return None, Response(body, status=status.HTTP_400_BAD_REQUEST)
    except WechatError as exc:
        logger.warning("jscode2session failed: %s", exc)
        body = {"code": "wechat_unavailable", "detail": "微信暂时无法响应，请稍后再试。"}
        return None, Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE)


class MiniProgramLoginApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]

    @extend_schema(
        request=CodeSerializer,
        responses={
            200: inline_serializer(
                "WechatTokenSerializer",
                {"token": serializers.CharField(), "expiry": serializers.DateTimeField()},
            ),
            404: OpenApiResponse(description="`code` 为 `not_bound`：该微信尚未绑定档案"),
            503: WECHAT_DOWN,
        },
        description="小程序 wx.login() 的 code 换取 openid；已绑定的党员得到令牌。",
    )
    def post(self, request):
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session, problem = _session_or_error(data.validated_data["code"])
        if problem is not None:
            return problem
        member = services.member_for_identity(
            app_kind=MINI,
            app_id=wechat.mini_app().app_id,
            openid=session.openid,
            unionid=session.unionid,
        )
        if member is None:
            return Response(
                {
                    "code": "not_bound",
                    "detail": "该微信尚未绑定党员档案，请用姓名、身份证号码和密码登录后绑定。",
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        token, expiry = accounts.token_create(user=member.user)
        return Response({"token": token, "expiry": expiry})


class OwnBindingsOnly(BasePermission):
    """The member's own bindings: staff never list, bind or unbind through the API (home staff
    remove a binding in the admin); anonymous gets 401, staff and accounts without a tier 403."""

    message = "仅限流动党员本人使用。"

    def has_permission(self, request, view):
        return permissions.can_bind(request.user)


class MyBindingListApi(APIView):
    permission_classes = [IsAuthenticated, OwnBindingsOnly]

    @extend_schema(responses={200: BindingSerializer(many=True)})
    def get(self, request):
        rows = services.binding_list(actor=request.user).order_by("id")
        return Response(BindingSerializer(rows, many=True).data)

    @extend_schema(
        request=CodeSerializer,
        responses={201: BindingSerializer, 503: WECHAT_DOWN},
        description="在小程序中登录后，用 wx.login() 的新 code 绑定本小程序（每个微信应用只能绑定一次）。",
    )
    def post(self, request):
        data = CodeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session, problem = _session_or_error(data.validated_data["code"])
        if problem is not None:
            return problem
        binding = services.binding_create(
            actor=request.user,
            app_kind=MINI,
            app_id=wechat.mini_app().app_id,
            openid=session.openid,
            unionid=session.unionid,
        )
        return Response(BindingSerializer(binding).data, status=status.HTTP_201_CREATED)


class MyBindingDetailApi(APIView):
    permission_classes = [IsAuthenticated, OwnBindingsOnly]

    @extend_schema(
        responses={204: None},
        description="解除本人的一个微信绑定；其他党员的绑定为 404，工作人员为 403（在管理后台解除）。",
    )
    def delete(self, request, pk):
        binding = services.binding_get(actor=request.user, pk=pk)
        services.binding_remove(actor=request.user, binding=binding)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WechatSubscriptionSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="通知类型（notice 为其他类型共用的模板）")
    kind_label = serializers.CharField()
    template_id = serializers.CharField(help_text="传给 wx.requestSubscribeMessage 的模板 ID")
    remaining = serializers.IntegerField(help_text="还可以收到的该模板消息条数")


class WechatSubscriptionAnswerSerializer(serializers.Serializer):
    app_id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    accepted = serializers.DictField(
        child=serializers.CharField(max_length=32),
        help_text="wx.requestSubscribeMessage 的结果：{模板ID: accept / reject / ban / filter}",
        error_messages={
            "required": "缺少订阅结果 accepted。",
            "not_a_dict": "订阅结果格式不正确。",
        },
    )


class MySubscriptionListApi(APIView):
    """The mini-program's one-time subscriptions (订阅消息): which templates to ask for, how
    many messages of each the member still allows, and recording their answers."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: WechatSubscriptionSerializer(many=True)},
        description="可订阅的消息模板及剩余可接收条数（尚未绑定本小程序时均为 0）。",
    )
    def get(self, request):
        rows = subscriptions.subscription_list(actor=request.user)
        return Response(WechatSubscriptionSerializer(rows, many=True).data)

    @extend_schema(
        request=WechatSubscriptionAnswerSerializer,
        responses={200: WechatSubscriptionSerializer(many=True)},
        description="提交 wx.requestSubscribeMessage 的结果：每次“允许”可接收一条该模板消息。",
    )
    def post(self, request):
        data = WechatSubscriptionAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = subscriptions.subscription_record(
            actor=request.user,
            app_id=data.validated_data.get("app_id") or None,
            answers=data.validated_data["accepted"],
        )
        return Response(WechatSubscriptionSerializer(rows, many=True).data)

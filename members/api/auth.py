"""Anonymous and session endpoints: activation, password reset, login (password, or phone
+ code), logout."""

from django.conf import settings
from django.contrib.auth import logout
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from members.api import serializers as s
from members.services import accounts, phone_login
from members.services.audit import audit_record
from sanyuan.net import client_ip


class AuthThrottle(AnonRateThrottle):
    scope = "auth"


class AnonymousApi(APIView):
    # Answers hold tokens or concern secrets: never remembered for an Idempotency-Key.
    idempotency_exempt = True
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]


class ActivationCodeRequestApi(AnonymousApi):
    @extend_schema(
        request=s.IdentitySerializer,
        responses={202: OpenApiResponse(description="已受理（无论档案是否存在）")},
    )
    def post(self, request):
        data = s.IdentitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        accounts.one_time_code_request(**data.validated_data, ip=client_ip(request))
        return Response(
            {
                "detail": "如果姓名和身份证号码与档案一致，验证码将发送到档案登记的手机，10分钟内有效。"
            },
            status=status.HTTP_202_ACCEPTED,
        )


class RegisterApi(AnonymousApi):
    @extend_schema(request=s.RegisterSerializer, responses={201: s.TokenSerializer})
    def post(self, request):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = accounts.member_activate(**data.validated_data)
        token, expiry = accounts.token_create(user=user)
        return Response({"token": token, "expiry": expiry}, status=status.HTTP_201_CREATED)


class PasswordResetApi(AnonymousApi):
    @extend_schema(request=s.PasswordResetSerializer, responses={200: s.TokenSerializer})
    def post(self, request):
        data = s.PasswordResetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = accounts.member_password_reset(**data.validated_data)
        token, expiry = accounts.token_create(user=user)
        return Response({"token": token, "expiry": expiry})


class LoginApi(AnonymousApi):
    throttle_classes: list = []  # django-axes locks out per account and address

    @extend_schema(
        request=s.LoginSerializer,
        responses={200: s.TokenSerializer},
        description="党员：姓名+身份证号码+密码；工作人员：用户名+密码。县级账号还须 `otp`"
        "（身份验证器上的6位动态验证码），缺少或错误时返回400，`code` 为 `otp_required`。",
    )
    def post(self, request):
        data = s.LoginSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = accounts.account_authenticate(request=request._request, **data.validated_data)
        token, expiry = accounts.token_create(user=user)
        return Response({"token": token, "expiry": expiry})


class LoginCodeRequestApi(AnonymousApi):
    """Phone + code login, step one. 202 whether or not the number is registered."""

    throttle_classes: list = []  # per number and per address (LOGIN_CODE_RATES)

    @extend_schema(
        request=s.LoginCodeRequestSerializer,
        responses={202: OpenApiResponse(description="已受理（无论号码是否登记）")},
    )
    def post(self, request):
        data = s.LoginCodeRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        phone_login.login_code_request(**data.validated_data, ip=client_ip(request))
        minutes = int(settings.LOGIN_CODE_TTL.total_seconds() // 60)
        return Response(
            {
                "detail": "如果该手机号码已登记并开通短信登录，验证码将发送到该手机，"
                f"{minutes}分钟内有效。"
            },
            status=status.HTTP_202_ACCEPTED,
        )


class LoginCodeVerifyApi(AnonymousApi):
    throttle_classes: list = []  # django-axes and the login throttles, as the password login

    @extend_schema(
        request=s.LoginCodeVerifySerializer,
        responses={200: s.TokenSerializer},
        description="手机号码+短信验证码登录（党员）。一个号码登记了多份档案时返回400，"
        "`code` 为 `name_required`，请带上 `name` 再试。",
    )
    def post(self, request):
        data = s.LoginCodeVerifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = phone_login.phone_login_verify(request=request._request, **data.validated_data)
        token, expiry = accounts.token_create(user=user)
        return Response({"token": token, "expiry": expiry})


class LogoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        audit_record(
            actor=request.user, action="logout", target=request.user, ip=client_ip(request)
        )
        if request.auth is not None and hasattr(request.auth, "delete"):
            request.auth.delete()
        else:
            logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""The dues API: the member's own dues and orders (mini-program), the WeChat Pay callback,
and the staff's ledger endpoints. Views parse, call one selector or service, and render."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember
from members.permissions import member_of
from sanyuan.keyset import keyset_page, page_url
from sanyuan.net import client_ip

from .. import permissions, selectors, services
from ..services.payments import online_available
from . import serializers as s


class IsDuesStaff(BasePermission):
    """Home staff of any tier; members and host-organisation staff get 403."""

    message = "仅限党组织工作人员使用。"

    def has_permission(self, request, view):
        try:
            permissions.check_dues_staff(request.user)
        except PermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


def _statement(member) -> dict:
    st = selectors.statement(member)
    st.online = st.account is not None and online_available(member)
    return s.StatementSerializer(st).data


# The member's own ---------------------------------------------------------------------------


class MyDuesApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_dues", responses=s.StatementSerializer)
    def get(self, request):
        return Response(_statement(member_of(request.user)))


class MyDuesHistoryApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_dues_history",
        parameters=[OpenApiParameter("cursor", str)],
        responses=s.EntryPageSerializer,
    )
    def get(self, request):
        qs = permissions.filter_entries_visible_to(request.user).select_related("receipt")
        page = keyset_page(
            qs,
            fields=("id",),
            descending=True,
            cursor=request.query_params.get("cursor"),
            page_size=50,
        )
        return Response(
            {
                "next": page_url(request, page.next_cursor),
                "previous": page_url(request, page.previous_cursor),
                "results": s.EntrySerializer(page.results, many=True).data,
            }
        )


class MyReceiptApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_dues_receipt", responses=s.ReceiptDetailSerializer)
    def get(self, request, pk):
        receipt = selectors.receipt_get(user=request.user, pk=pk)
        return Response(s.ReceiptDetailSerializer(receipt).data)


class MyBaseDeclareApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_dues_base_declare",
        request=s.BaseDeclareSerializer,
        responses={201: s.StatementSerializer},
    )
    def post(self, request):
        data = s.BaseDeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = member_of(request.user)
        services.base_declare(actor=request.user, member=member, **data.validated_data)
        return Response(_statement(member), status=status.HTTP_201_CREATED)


class MyOrderCreateApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_dues_order_create",
        request=s.OrderCreateSerializer,
        responses={201: s.OrderCreatedSerializer},
    )
    def post(self, request):
        data = s.OrderCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order, params = services.order_create(
            actor=request.user, member=member_of(request.user), **data.validated_data
        )
        payment = (
            params.for_mini_program()
            if order.channel == "mini_program"
            else params.for_weixin_js_bridge()
        )
        body = {**s.OrderSerializer(order).data, "payment": payment}
        return Response(body, status=status.HTTP_201_CREATED)


class MyOrderApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_dues_order", responses=s.OrderSerializer)
    def get(self, request, out_trade_no):
        order = selectors.order_get(member=member_of(request.user), out_trade_no=out_trade_no)
        return Response(s.OrderSerializer(order).data)


# WeChat Pay ---------------------------------------------------------------------------------


class WechatPayNotifyApi(APIView):
    """支付/退款结果通知: verified with the merchant's WeChat Pay key, decrypted with the
    APIv3 key, recorded once; 401 for anything not provably WeChat Pay's."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        operation_id="payments_wechat_notify",
        request={"application/json": OpenApiTypes.OBJECT},
        description="微信支付的支付和退款结果通知（签名、加密的 JSON），由微信支付调用。",
        responses={
            200: OpenApiResponse(description="SUCCESS"),
            401: OpenApiResponse(description="验签失败"),
        },
    )
    def post(self, request):
        code, body = services.notify_handle(headers=request.headers, body=request.body)
        return Response(body, status=code)


# Staff --------------------------------------------------------------------------------------


def _member(request, pk):
    return selectors.dues_member_get(user=request.user, pk=pk)


class DuesStandingListApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_members_list",
        parameters=[
            OpenApiParameter("organization", int),
            OpenApiParameter("behind", int),
            OpenApiParameter("cursor", str),
        ],
        responses=s.StandingPageSerializer,
    )
    def get(self, request):
        org_id = request.query_params.get("organization", "")
        organization = None
        if org_id:
            organization = (
                permissions.filter_organizations_for_totals(request.user)
                .filter(pk=int(org_id) if org_id.isdigit() else 0)
                .first()
            )
            if organization is None:
                raise Http404
        behind = request.query_params.get("behind", "0")
        behind = int(behind) if behind.isdigit() and int(behind) <= 120 else 0
        qs = selectors.standing_list(
            user=request.user, organization=organization, behind_months=behind
        )
        page = keyset_page(
            qs,
            fields=("organization_id", "id"),
            descending=False,
            cursor=request.query_params.get("cursor"),
            page_size=100,
        )
        return Response(
            {
                "next": page_url(request, page.next_cursor),
                "previous": page_url(request, page.previous_cursor),
                "results": s.StandingSerializer(page.results, many=True).data,
            }
        )


class DuesMemberApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(operation_id="dues_member", responses=s.StatementSerializer)
    def get(self, request, pk):
        member = _member(request, pk)
        body = _statement(member)
        body["entries"] = s.EntrySerializer(selectors.member_entries(member), many=True).data
        return Response(body)


class DuesAccountSetApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_account_set",
        request=s.AccountSetSerializer,
        responses=s.StatementSerializer,
    )
    def post(self, request, pk):
        member = _member(request, pk)
        data = s.AccountSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.account_set(
            actor=request.user, member=member, ip=client_ip(request), **data.validated_data
        )
        return Response(_statement(member))


class DuesBaseSetApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_base_set",
        request=s.BaseDeclareSerializer,
        responses=s.StatementSerializer,
    )
    def post(self, request, pk):
        member = _member(request, pk)
        data = s.BaseDeclareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.base_set(
            actor=request.user, member=member, ip=client_ip(request), **data.validated_data
        )
        return Response(_statement(member))


class DuesPaymentRecordApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_payment_record",
        request=s.PaymentRecordSerializer,
        responses={201: s.ReceiptDetailSerializer},
    )
    def post(self, request, pk):
        member = _member(request, pk)
        data = s.PaymentRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = services.payment_record(
            actor=request.user, member=member, ip=client_ip(request), **data.validated_data
        )
        return Response(s.ReceiptDetailSerializer(receipt).data, status=status.HTTP_201_CREATED)


class DuesCorrectionApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_correction",
        request=s.CorrectionSerializer,
        responses={201: s.EntrySerializer},
    )
    def post(self, request, pk):
        entry = permissions.filter_entries_visible_to(request.user).filter(pk=pk).first()
        if entry is None:
            raise Http404
        data = s.CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = services.correction_record(
            actor=request.user, entry=entry, ip=client_ip(request), **data.validated_data
        )
        return Response(s.EntrySerializer(line).data, status=status.HTTP_201_CREATED)


class DuesRefundApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_refund",
        request=s.RefundSerializer,
        responses={
            201: s.ReceiptDetailSerializer,
            202: OpenApiResponse(description="已向微信支付申请退款"),
        },
    )
    def post(self, request, pk):
        receipt = selectors.receipt_get(user=request.user, pk=pk)
        data = s.RefundSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        refund = services.refund_record(
            actor=request.user, receipt=receipt, ip=client_ip(request), **data.validated_data
        )
        if refund is None:
            return Response(
                {"detail": "已向微信支付申请退款，退款成功后自动入账。"},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(s.ReceiptDetailSerializer(refund).data, status=status.HTTP_201_CREATED)


class DuesReceiptApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(operation_id="dues_receipt", responses=s.ReceiptDetailSerializer)
    def get(self, request, pk):
        return Response(
            s.ReceiptDetailSerializer(selectors.receipt_get(user=request.user, pk=pk)).data
        )


class DuesTotalsApi(APIView):
    permission_classes = [IsDuesStaff]

    @extend_schema(
        operation_id="dues_totals",
        parameters=[OpenApiParameter("organization", int), OpenApiParameter("year", int)],
        responses=s.TotalSerializer(many=True),
    )
    def get(self, request):
        org_id = request.query_params.get("organization", "")
        parent = None
        if org_id:
            parent = (
                permissions.filter_organizations_for_totals(request.user)
                .filter(pk=int(org_id) if org_id.isdigit() else 0)
                .first()
            )
            if parent is None:
                raise Http404
        raw_year = request.query_params.get("year", "")
        year = (
            int(raw_year)
            if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100
            else (timezone.localdate().year)
        )
        rows = selectors.totals(
            user=request.user, parent=parent, start=date(year, 1, 1), end=date(year, 12, 1)
        )
        return Response(
            [
                {"organization": org.pk, "name": org.name, "due_fen": due, "paid_fen": paid}
                for org, due, paid in rows
            ]
        )

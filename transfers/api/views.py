"""The transfers API: the member's own transfers (list, ask to move inside the county,
withdraw) for the mini-program, and the staff's steps. Views parse, call one selector or
service, and render; the services check every permission themselves."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember
from members.models import Member, Organization
from members.permissions import member_of
from sanyuan.inputs import parse_int

from .. import permissions, selectors, services
from ..models import Transfer
from . import serializers as s


class IsTransferStaff(BasePermission):
    """Home staff of any tier; members and host-organisation staff get 403."""

    message = "仅限党组织工作人员使用。"

    def has_permission(self, request, view):
        try:
            permissions.check_transfer_staff(request.user)
        except PermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


def _organization(pk) -> Organization | None:
    """The organisation with this id, or None (the service answers 400 with its message)."""
    return Organization.objects.filter(pk=pk).first()


def _member(pk) -> Member:
    """Staff name a member by id; the service checks the scope (404 outside it)."""
    member = Member.objects.select_related("organization").filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def _detail(request, pk, status_code=status.HTTP_200_OK) -> Response:
    transfer = selectors.transfer_get(user=request.user, pk=pk)
    staff = permissions.takes_part(request.user)
    context = {"request": request, "staff": staff}
    return Response(s.TransferDetailSerializer(transfer, context=context).data, status=status_code)


# The member's own ---------------------------------------------------------------------------


class MyTransferListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_transfers_list", responses=s.TransferSerializer(many=True))
    def get(self, request):
        rows = selectors.my_transfers(member=member_of(request.user))
        return Response(s.TransferSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="me_transfers_create",
        request=s.MyRequestSerializer,
        responses={201: s.TransferDetailSerializer},
    )
    def post(self, request):
        data = s.MyRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_request(
            actor=request.user,
            member=member_of(request.user),
            to_organization=_organization(data.validated_data["to_organization"]),
            reason=data.validated_data["reason"],
        )
        return _detail(request, transfer.pk, status.HTTP_201_CREATED)


class MyTransferDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_transfers_retrieve", responses=s.TransferDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)


class MyTransferWithdrawApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=s.WithdrawSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        data = s.WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.transfer_withdraw(
            actor=request.user, transfer=transfer, reason=data.validated_data.get("reason", "")
        )
        return _detail(request, pk)


class MyDestinationListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="党支部名称中的文字")],
        responses=s.DestinationSerializer(many=True),
    )
    def get(self, request):
        rows = selectors.destination_list(
            member=member_of(request.user), q=request.query_params.get("q", "")
        )
        return Response(s.DestinationSerializer(rows, many=True).data)


# Staff ------------------------------------------------------------------------------------


class TransferListApi(generics.ListAPIView):
    """GET: transfers in scope. POST: staff ask to move a member inside the county."""

    permission_classes = [IsTransferStaff]
    serializer_class = s.TransferSerializer

    @extend_schema(
        operation_id="transfers_list",
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=[*Transfer.Status.values, "open", "overdue"],
                description="状态；open：办理中；overdue：介绍信逾期未回执",
            ),
            OpenApiParameter("kind", str, enum=Transfer.Kind.values),
            OpenApiParameter("member", int, description="党员id"),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        return selectors.transfer_list(
            user=self.request.user,
            status=params.get("status") or None,
            kind=params.get("kind") or None,
            member=parse_int(params.get("member")),
        )

    @extend_schema(
        operation_id="transfers_create",
        request=s.StaffRequestSerializer,
        responses={201: s.TransferDetailSerializer},
    )
    def post(self, request):
        data = s.StaffRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_request(
            actor=request.user,
            member=_member(data.validated_data["member"]),
            to_organization=_organization(data.validated_data["to_organization"]),
            reason=data.validated_data["reason"],
        )
        return _detail(request, transfer.pk, status.HTTP_201_CREATED)


class TransferDetailApi(APIView):
    permission_classes = [IsTransferStaff]

    @extend_schema(operation_id="transfers_retrieve", responses=s.TransferDetailSerializer)
    def get(self, request, pk):
        return _detail(request, pk)


class _StepApi(APIView):
    permission_classes = [IsTransferStaff]
    serializer_class = None

    def call(self, request, transfer, data: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def post(self, request, pk):
        transfer = selectors.transfer_get(user=request.user, pk=pk)
        data = self.serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        self.call(request, transfer, data.validated_data)
        return _detail(request, pk)


class TransferApproveApi(_StepApi):
    serializer_class = s.CommentSerializer

    @extend_schema(request=s.CommentSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.transfer_approve(
            actor=request.user, transfer=transfer, comment=data.get("comment", "")
        )


class TransferRejectApi(_StepApi):
    serializer_class = s.RejectSerializer

    @extend_schema(request=s.RejectSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.transfer_reject(actor=request.user, transfer=transfer, reason=data["reason"])


class TransferAcceptApi(_StepApi):
    serializer_class = s.CommentSerializer

    @extend_schema(request=None, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.transfer_accept(actor=request.user, transfer=transfer)


class TransferWithdrawApi(_StepApi):
    serializer_class = s.WithdrawSerializer

    @extend_schema(request=s.WithdrawSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.transfer_withdraw(
            actor=request.user, transfer=transfer, reason=data.get("reason", "")
        )


class LetterIssueApi(_StepApi):
    serializer_class = s.LetterIssueSerializer

    @extend_schema(request=s.LetterIssueSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.letter_issue(
            actor=request.user,
            transfer=transfer,
            number=data["number"],
            validity_days=data.get("validity_days"),
            dues_paid_until=data.get("dues_paid_until"),
        )


class ReceiptRecordApi(_StepApi):
    serializer_class = s.ReceiptSerializer

    @extend_schema(request=s.ReceiptSerializer, responses=s.TransferDetailSerializer)
    def post(self, request, pk):
        return super().post(request, pk)

    def call(self, request, transfer, data):
        services.receipt_record(
            actor=request.user,
            transfer=transfer,
            reported_on=data["reported_on"],
            from_name=data.get("from_name", ""),
            note=data.get("note", ""),
        )


class TransferPrepareApi(APIView):
    """Out of the county: home staff prepare; the county tier then issues the letter."""

    permission_classes = [IsTransferStaff]

    @extend_schema(request=s.PrepareSerializer, responses={201: s.TransferDetailSerializer})
    def post(self, request):
        data = s.PrepareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        transfer = services.transfer_prepare(
            actor=request.user,
            member=_member(data.validated_data["member"]),
            to_name=data.validated_data["to_name"],
            reason=data.validated_data["reason"],
        )
        return _detail(request, transfer.pk, status.HTTP_201_CREATED)


class IncomingRegisterApi(APIView):
    """Into the county: register a member arriving with an introduction letter."""

    permission_classes = [IsTransferStaff]

    @extend_schema(request=s.IncomingSerializer, responses={201: s.TransferDetailSerializer})
    def post(self, request):
        data = s.IncomingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organization"] = _organization(values["organization"])
        transfer = services.incoming_register(actor=request.user, **values)
        return _detail(request, transfer.pk, status.HTTP_201_CREATED)


class CandidateListApi(generics.ListAPIView):
    """Members away at one fixed place for six months or more (their membership should move),
    for their home staff."""

    permission_classes = [IsTransferStaff]
    serializer_class = s.CandidateSerializer

    @extend_schema(
        parameters=[OpenApiParameter("organization", int, description="组织id（含其全部下级）")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.candidate_list(
            user=self.request.user,
            organization=parse_int(self.request.query_params.get("organization")),
        )

    def get_serializer(self, *args, **kwargs):
        if args and kwargs.get("many"):
            rows = list(args[0])
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["since"] = selectors.city_since(rows)
            args = (rows, *args[1:])
        return super().get_serializer(*args, **kwargs)

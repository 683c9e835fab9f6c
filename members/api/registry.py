"""The registry API: the member's own archive, and archives and organisations for staff."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members import permissions, selectors
from members.api import serializers as s
from members.api.access import IsMember, IsStaff
from members.services import accounts, archive
from sanyuan.net import client_ip


class MeApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=s.MemberSerializer)
    def get(self, request):
        member = selectors.member_get(user=request.user, pk=request.user.member.pk)
        return Response(s.MemberSerializer(member).data)

    @extend_schema(request=s.MeUpdateSerializer, responses=s.MemberSerializer)
    def patch(self, request):
        data = s.MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = selectors.member_get(user=request.user, pk=request.user.member.pk)
        archive.member_contact_update(member=member, **data.validated_data)
        return Response(s.MemberSerializer(member).data)


class OrganizationListApi(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.OrganizationSerializer

    @extend_schema(
        parameters=[OpenApiParameter("parent", int, description="只列出该组织的直接下级")]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        parent = self.request.query_params.get("parent")
        return selectors.organization_list(
            user=self.request.user, parent=int(parent) if parent and parent.isdigit() else None
        )


def _organization_or_none(user, pk):
    if pk is None:
        return None
    return permissions.filter_organizations_visible_to(user).filter(pk=pk).first()


class MemberListCreateApi(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.MemberSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("organization", int, description="组织id（含其全部下级）"),
            OpenApiParameter("q", str, description="姓名、身份证号后四位、完整身份证号或手机号"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        organization = params.get("organization")
        return selectors.member_list(
            user=self.request.user,
            organization=int(organization) if organization and organization.isdigit() else None,
            q=params.get("q", ""),
        )

    @extend_schema(request=s.MemberCreateSerializer, responses={201: s.MemberSerializer})
    def post(self, request):
        data = s.MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organization"] = _organization_or_none(request.user, values["organization"])
        member = archive.member_create(actor=request.user, **values)
        return Response(s.MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=s.MemberSerializer)
    def get(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        return Response(s.MemberSerializer(member).data)

    @extend_schema(request=s.MemberUpdateSerializer, responses=s.MemberSerializer)
    def patch(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        data = s.MemberUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        if "organization" in changes:
            changes["organization"] = _organization_or_none(request.user, changes["organization"])
        archive.member_update(actor=request.user, member=member, **changes)
        return Response(s.MemberSerializer(member).data)


class MemberActivationCodeApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=s.ReasonSerializer, responses={201: s.IssuedCodeSerializer})
    def post(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = accounts.one_time_code_issue(
            staff=request.user, member=member, ip=client_ip(request), **data.validated_data
        )
        return Response(
            {"code": issued.code, "expires_at": issued.expires_at}, status=status.HTTP_201_CREATED
        )

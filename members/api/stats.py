"""Issue 8's API: the dashboard figures, lost-contact alerts, temporary branches, hosting."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members import permissions, selectors
from members.api.access import IsMember, IsStaff
from members.models import Organization
from members.selectors.stats import overview_as_json, stats_overview
from members.services import alerts, branches, hosting
from sanyuan.errors import ServiceError


def _body(request) -> dict:
    """The request's JSON object (or form); a list or a bare value is a 400 in Chinese, never
    an AttributeError on `.get`."""
    if not isinstance(request.data, dict):
        raise ServiceError("请求体应为JSON对象。")
    return request.data


class StatsOverviewApi(APIView):
    """The "four knowns" for the staff member's scope (DESIGN.md: GET /api/stats/overview/)."""

    permission_classes = [IsStaff]

    @extend_schema(
        responses=inline_serializer(
            "StatsOverview",
            {
                "scope": serializers.ListField(child=serializers.DictField()),
                "source": serializers.CharField(),
                "fresh_as_of": serializers.DateTimeField(),
                "total": serializers.IntegerField(),
                "figures": serializers.DictField(),
                "engagement": serializers.DictField(),
                "other": serializers.ListField(child=serializers.DictField()),
            },
        )
    )
    def get(self, request):
        return Response(overview_as_json(stats_overview(user=request.user)))


class LostContactRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    organization_name = serializers.CharField(source="organization.name")
    phone = serializers.CharField()
    lost_contact_since = serializers.DateTimeField()
    escalated = serializers.SerializerMethodField()

    def get_escalated(self, obj) -> bool:
        return obj.lost_contact_escalated_at is not None


class LostContactListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=LostContactRowSerializer(many=True))
    def get(self, request):
        rows = alerts.lost_contact_list(user=request.user)[:500]
        return Response(LostContactRowSerializer(rows, many=True).data)


class TemporaryBranchSuggestionsApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses=inline_serializer(
            "TemporaryBranchSuggestion",
            {
                "city": serializers.CharField(),
                "city_name": serializers.CharField(),
                "full_members": serializers.IntegerField(),
                "members": serializers.IntegerField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(branches.temporary_branch_suggestions(user=request.user))


class TemporaryBranchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id")
    region_code = serializers.CharField()
    dissolved_at = serializers.DateTimeField(allow_null=True)


class TemporaryBranchCreateApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=TemporaryBranchSerializer(many=True))
    def get(self, request):
        rows = branches.temporary_branch_list(user=request.user)[:200]
        return Response(TemporaryBranchSerializer(rows, many=True).data)

    @extend_schema(
        request=inline_serializer("TemporaryBranchCreateInput", {"city": serializers.CharField()}),
        responses={201: TemporaryBranchSerializer},
    )
    def post(self, request):
        branch = branches.temporary_branch_create(
            staff=request.user, city=str(_body(request).get("city", ""))[:6]
        )
        return Response(TemporaryBranchSerializer(branch).data, status=status.HTTP_201_CREATED)


class TemporaryBranchDissolveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=None, responses=TemporaryBranchSerializer)
    def post(self, request, pk):
        org = selectors.organization_get(user=request.user, pk=pk)
        return Response(
            TemporaryBranchSerializer(
                branches.temporary_branch_dissolve(staff=request.user, branch=org)
            ).data
        )


class TemporaryBranchProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    branch = serializers.IntegerField(source="branch_id")
    branch_name = serializers.CharField(source="branch.name")
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    kind = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class TemporaryBranchProposalListApi(APIView):
    """Who is proposed to join or leave the temporary branches the user manages."""

    permission_classes = [IsStaff]

    @extend_schema(responses=TemporaryBranchProposalSerializer(many=True))
    def get(self, request):
        rows = branches.temporary_branch_proposals(user=request.user)[:300]
        return Response(TemporaryBranchProposalSerializer(rows, many=True).data)


class TemporaryBranchProposalDecideApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=inline_serializer(
            "TemporaryBranchProposalDecision", {"accept": serializers.BooleanField()}
        ),
        responses=TemporaryBranchProposalSerializer,
    )
    def post(self, request, pk):
        accept = _body(request).get("accept")
        if not isinstance(accept, bool):
            raise ServiceError("请说明是否确认（accept 为 true 或 false）。", field="accept")
        decided = branches.temporary_branch_proposal_decide(
            staff=request.user, proposal_id=pk, accept=accept
        )
        return Response(TemporaryBranchProposalSerializer(decided).data)


class HostingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name")
    id_number = serializers.CharField(source="member.id_number_masked")
    home_organization_name = serializers.CharField(source="member.organization.name")
    host_organization = serializers.IntegerField(source="host_organization_id")
    status = serializers.CharField()
    via = serializers.CharField()
    created_at = serializers.DateTimeField()
    decline_reason = serializers.CharField()


class HostingListApi(APIView):
    """Host staff: arrivals to decide and members hosted. Home staff: POST records a departure."""

    permission_classes = [IsStaff]

    @extend_schema(responses=HostingSerializer(many=True))
    def get(self, request):
        return Response(
            HostingSerializer(hosting.hosting_pending_for(user=request.user)[:300], many=True).data
        )

    @extend_schema(
        request=inline_serializer(
            "HostingRequest",
            {"member": serializers.IntegerField(), "host_organization": serializers.IntegerField()},
        ),
        responses={201: HostingSerializer},
    )
    def post(self, request):
        data = _body(request)
        member = selectors.member_get(user=request.user, pk=data.get("member"))
        host_id = data.get("host_organization")
        host = Organization.objects.filter(
            pk=host_id if str(host_id).isdigit() else 0, kind="host"
        ).first()
        created = hosting.hosting_request(staff=request.user, member=member, host=host)
        return Response(HostingSerializer(created).data, status=status.HTTP_201_CREATED)


class HostingDecisionApi(APIView):
    permission_classes = [IsStaff]
    decision = "accept"

    @extend_schema(
        request=inline_serializer(
            "HostingDecision", {"reason": serializers.CharField(required=False)}
        ),
        responses=HostingSerializer,
    )
    def post(self, request, pk):
        if self.decision == "accept":
            done = hosting.hosting_accept(staff=request.user, hosting_id=pk)
        else:
            done = hosting.hosting_decline(
                staff=request.user, hosting_id=pk, reason=str(_body(request).get("reason", ""))
            )
        return Response(HostingSerializer(done).data)


class HostingArriveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=inline_serializer(
            "HostingArrive",
            {"token": serializers.CharField(), "host_organization": serializers.IntegerField()},
        ),
        responses=HostingSerializer,
    )
    def post(self, request):
        data = _body(request)
        host_id = str(data.get("host_organization", ""))
        host = permissions.host_grant(request.user, host_id)
        if host is None:
            from django.http import Http404

            raise Http404
        done = hosting.hosting_arrive_by_qr(
            staff=request.user, token=str(data.get("token", ""))[:500], host=host
        )
        return Response(HostingSerializer(done).data)


class MyQrTokenApi(APIView):
    """The member's arrival token for the mini-program to draw as a QR code."""

    permission_classes = [IsMember]

    @extend_schema(
        responses=inline_serializer(
            "QrToken",
            {
                "token": serializers.CharField(),
                "url": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
            },
        )
    )
    def get(self, request):
        token = hosting.hosting_qr_token(member=permissions.member_of(request.user))
        url = (
            request.build_absolute_uri(reverse("members:staff-hosting-arrive")) + "?token=" + token
        )
        expires = timezone.now() + timedelta(seconds=settings.HOSTING_QR_TTL_SECONDS)
        return Response({"token": token, "url": url, "expires_at": expires})

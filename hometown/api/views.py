"""The hometown API: the member's own family support cases, support-group membership and
contributions (mini-program), and the staff's cases, contributions and figures. Views parse,
call one selector or service, and render; services check every permission themselves."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember, IsStaffOrMember
from members.permissions import filter_members_managed_by, member_of
from sanyuan import keyset
from sanyuan.errors import ServiceError

from .. import permissions, selectors, services
from . import serializers as s

PAGE_SIZE = 50


class IsHometownStaff(BasePermission):
    """Home staff of any tier; members and host-organisation staff get 403."""

    message = "仅限党组织工作人员使用。"

    def has_permission(self, request, view):
        try:
            permissions.check_hometown_staff(request.user)
        except PermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


def _keyset(request, qs, serializer) -> Response:
    try:
        page = keyset.keyset_page(
            qs,
            fields=("id",),
            descending=True,
            cursor=request.query_params.get("cursor"),
            page_size=PAGE_SIZE,
        )
    except ServiceError as exc:
        raise Http404 from exc
    return Response(
        {
            "next": keyset.page_url(request, page.next_cursor),
            "previous": keyset.page_url(request, page.previous_cursor),
            "results": serializer(page.results, many=True).data,
        }
    )


def _payload(serializer_class, request) -> dict:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


# The member's own -----------------------------------------------------------------------------


class MySupportCaseListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_support_cases_list", responses=s.SupportCaseSerializer(many=True)
    )
    def get(self, request):
        rows = selectors.my_support_cases(member=member_of(request.user))[:100]
        return Response(s.SupportCaseSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="me_support_cases_ask",
        request=s.SupportCaseAskSerializer,
        responses={201: s.SupportCaseDetailSerializer},
    )
    def post(self, request):
        case = services.support_case_ask(
            actor=request.user,
            member=member_of(request.user),
            **_payload(s.SupportCaseAskSerializer, request),
        )
        case = selectors.support_case_get(user=request.user, pk=case.pk)
        return Response(s.SupportCaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class SupportCaseDetailApi(APIView):
    """One case: its member or home staff in scope (404 for anyone else)."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(responses=s.SupportCaseDetailSerializer)
    def get(self, request, pk):
        if permissions.is_staff(request.user):
            permissions.check_hometown_staff(request.user)
        case = selectors.support_case_get(user=request.user, pk=pk)
        return Response(s.SupportCaseDetailSerializer(case).data)


class MySupportGroupApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_support_group_get", responses=s.MembershipSerializer)
    def get(self, request):
        membership = selectors.my_membership(member=member_of(request.user))
        if membership is None or not membership.is_active:
            raise Http404
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(
        operation_id="me_support_group_join",
        request=s.SupportGroupJoinSerializer,
        responses=s.MembershipSerializer,
    )
    def put(self, request):
        membership = services.support_group_join(
            actor=request.user,
            member=member_of(request.user),
            **_payload(s.SupportGroupJoinSerializer, request),
        )
        return Response(s.MembershipSerializer(membership).data)

    @extend_schema(operation_id="me_support_group_leave", responses={204: None})
    def delete(self, request):
        services.support_group_leave(actor=request.user, member=member_of(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyContributionListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_contributions_list", responses=s.ContributionSerializer(many=True)
    )
    def get(self, request):
        rows = selectors.my_contributions(member=member_of(request.user))[:100]
        return Response(s.ContributionSerializer(rows, many=True).data)

    @extend_schema(
        operation_id="me_contributions_record",
        request=s.ContributionInputSerializer,
        responses={201: s.ContributionSerializer},
    )
    def post(self, request):
        row = services.contribution_record(
            actor=request.user,
            member=member_of(request.user),
            **_payload(s.ContributionInputSerializer, request),
        )
        return Response(s.ContributionSerializer(row).data, status=status.HTTP_201_CREATED)


# Staff ----------------------------------------------------------------------------------------


class SupportCaseListApi(APIView):
    permission_classes = [IsHometownStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("which", str, description="open, requested, stale, closed, all"),
            OpenApiParameter("cursor", str),
        ],
        responses=s.SupportCasePageSerializer,
        operation_id="support_cases_list",
    )
    def get(self, request):
        which = request.query_params.get("which", "open")
        rows = selectors.support_case_list(user=request.user, which=which)
        return _keyset(request, rows, s.SupportCaseSerializer)

    @extend_schema(
        request=s.SupportCaseOpenSerializer, responses={201: s.SupportCaseDetailSerializer}
    )
    def post(self, request):
        data = _payload(s.SupportCaseOpenSerializer, request)
        member = filter_members_managed_by(request.user).filter(pk=data.pop("member")).first()
        if member is None:
            raise Http404
        case = services.support_case_open(actor=request.user, member=member, **data)
        case = selectors.support_case_get(user=request.user, pk=case.pk)
        return Response(s.SupportCaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class SupportCaseStepApi(APIView):
    permission_classes = [IsHometownStaff]

    @extend_schema(
        request=s.SupportCaseStepInputSerializer, responses={201: s.SupportCaseDetailSerializer}
    )
    def post(self, request, pk):
        case = selectors.support_case_get(user=request.user, pk=pk)
        services.support_case_step_add(
            actor=request.user, case=case, **_payload(s.SupportCaseStepInputSerializer, request)
        )
        case = selectors.support_case_get(user=request.user, pk=pk)
        return Response(s.SupportCaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class MembershipListApi(APIView):
    permission_classes = [IsHometownStaff]

    @extend_schema(
        parameters=[OpenApiParameter("offer", str), OpenApiParameter("cursor", str)],
        responses=s.MembershipPageSerializer,
        operation_id="support_group_members_list",
    )
    def get(self, request):
        rows = selectors.membership_list(
            user=request.user, offer=request.query_params.get("offer", "")[:20]
        )
        return _keyset(request, rows, s.MembershipSerializer)


class ContributionListApi(APIView):
    permission_classes = [IsHometownStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="recorded, confirmed, declined"),
            OpenApiParameter("kind", str),
            OpenApiParameter("cursor", str),
        ],
        responses=s.ContributionPageSerializer,
        operation_id="contributions_list",
    )
    def get(self, request):
        rows = selectors.contribution_list(
            user=request.user,
            status=request.query_params.get("status", "")[:20],
            kind=request.query_params.get("kind", "")[:20],
        )
        return _keyset(request, rows, s.ContributionSerializer)


class ContributionDecideApi(APIView):
    permission_classes = [IsHometownStaff]

    @extend_schema(request=s.ContributionDecideSerializer, responses=s.ContributionSerializer)
    def post(self, request, pk):
        row = selectors.contribution_get(user=request.user, pk=pk)
        data = _payload(s.ContributionDecideSerializer, request)
        row = services.contribution_decide(actor=request.user, contribution=row, **data)
        return Response(s.ContributionSerializer(row).data)


class CampaignListApi(APIView):
    permission_classes = [IsStaffOrMember]

    @extend_schema(responses=s.CampaignSerializer(many=True))
    def get(self, request):
        return Response(
            s.CampaignSerializer(selectors.campaign_list(user=request.user), many=True).data
        )


class HometownFiguresApi(APIView):
    """The dashboard's hometown figures, by the selectors the lists use."""

    permission_classes = [IsHometownStaff]

    @extend_schema(responses=s.HometownFiguresSerializer)
    def get(self, request):
        cases = selectors.support_case_figures(user=request.user)
        group = selectors.support_group_figures(user=request.user)
        return Response(
            {
                "support_cases_open": cases["open"],
                "support_cases_stale": cases["stale"],
                "support_cases_average_days_open": cases["average_days_open"],
                "support_group_members": group["members"],
                "contributions_confirmed": group["confirmed"],
                "contributions_pending": group["pending"],
                "contributions_by_kind": group["kinds"],
            }
        )

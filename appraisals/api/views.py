"""The appraisals API: the member's own rounds, self-assessment and secret ballot for the
mini-program, and the staff's rounds, tallies and decisions. Views parse, call one selector
or service and render; the services check every permission themselves."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember
from members.models import Organization
from members.permissions import member_of
from sanyuan.errors import StateConflict
from sanyuan.net import client_ip

from .. import permissions, selectors, services
from ..models import Rating
from . import serializers as s


class IsAppraisalStaff(BasePermission):
    """Home staff of any tier; members and host-organisation staff get 403."""

    message = "仅限党组织工作人员使用。"

    def has_permission(self, request, view):
        try:
            permissions.check_appraisal_staff(request.user)
        except PermissionDenied as exc:
            self.message = str(exc)
            return False
        return True


def _staff_detail(request, pk, status_code=status.HTTP_200_OK) -> Response:
    appraisal = selectors.appraisal_list(user=request.user).filter(pk=pk).first()
    if appraisal is None:
        raise Http404
    appraisal.voted = selectors.voted_count(appraisal)
    appraisal.participant_rows = selectors.participant_rows(appraisal)
    data = s.StaffAppraisalDetailSerializer(appraisal).data
    return Response(data, status=status_code)


def _my_detail(request, pk) -> Response:
    member = member_of(request.user)
    appraisal = selectors.my_appraisal_get(member=member, pk=pk)
    can_vote = (
        permissions.ballot_open(appraisal)
        and permissions.may_vote(appraisal.me.member)
        and not appraisal.has_voted
    )
    candidates = selectors.ballot_candidates(appraisal, voter=member) if can_vote else []
    return Response(
        s.MyAppraisalDetailSerializer(appraisal, context={"candidates": candidates}).data
    )


# The member's own ---------------------------------------------------------------------------


class MyAppraisalListApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(operation_id="me_appraisals_list", responses=s.MyAppraisalSerializer(many=True))
    def get(self, request):
        rows = selectors.my_appraisals(member=member_of(request.user))
        return Response(s.MyAppraisalSerializer(rows, many=True).data)


class MyAppraisalDetailApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="me_appraisals_retrieve",
        responses=s.MyAppraisalDetailSerializer,
        description="`candidates`：现在可以投票时，需要评价的本支部其他党员。",
    )
    def get(self, request, pk):
        return _my_detail(request, pk)


class SelfAssessmentApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=s.SelfAssessmentSerializer, responses=s.MyAppraisalDetailSerializer)
    def put(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        data = s.SelfAssessmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.self_assessment_save(
            actor=request.user, appraisal=appraisal, text=data.validated_data["text"]
        )
        return _my_detail(request, pk)


class BallotApi(APIView):
    """The secret ballot: every other participant rated at once. The answer says only that
    the ballot was counted (it is remembered nowhere with the voter)."""

    permission_classes = [IsMember]

    @extend_schema(
        request=s.BallotSerializer,
        responses={201: s.BallotResultSerializer},
        description="409：已经投过票或不在民主测评时间内；400：预备党员、评价了本轮以外的党员、漏评。",
    )
    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        data = s.BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ballot_cast(
            actor=request.user, appraisal=appraisal, ratings=data.validated_data["ratings"]
        )
        return Response({"voted": True}, status=status.HTTP_201_CREATED)


# Staff ------------------------------------------------------------------------------------


class AppraisalListApi(generics.ListAPIView):
    """GET: rounds in scope. POST: open a round for a branch or general branch."""

    permission_classes = [IsAppraisalStaff]
    serializer_class = s.StaffAppraisalSerializer

    @extend_schema(
        operation_id="appraisals_list",
        parameters=[OpenApiParameter("state", str, enum=["open", "finished"])],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.appraisal_list(
            user=self.request.user, state=self.request.query_params.get("state") or None
        )

    @extend_schema(
        operation_id="appraisals_create",
        request=s.OpenSerializer,
        responses={201: s.StaffAppraisalDetailSerializer},
    )
    def post(self, request):
        data = s.OpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organization"] = Organization.objects.filter(pk=values["organization"]).first()
        appraisal = services.appraisal_open(actor=request.user, ip=client_ip(request), **values)
        return _staff_detail(request, appraisal.pk, status.HTTP_201_CREATED)


class AppraisalDetailApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(operation_id="appraisals_retrieve", responses=s.StaffAppraisalDetailSerializer)
    def get(self, request, pk):
        return _staff_detail(request, pk)


class TalliesApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(
        responses={200: s.TalliesSerializer, 409: s.StateErrorSerializer},
        description="民主测评结束后才能查看（之前为409）；合计在线和纸质票。",
    )
    def get(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        if not permissions.can_read_tallies(request.user, appraisal):
            raise StateConflict("民主测评结束后才能查看计票结果。", code="ballot_open")
        tallies = selectors.tallies_for(appraisal)
        results = []
        for row in selectors.participant_rows(appraisal):
            counts = tallies.get(row.member_id, {})
            cell = {r: counts.get(r, {"online": 0, "paper": 0, "total": 0}) for r in Rating.values}
            results.append(
                {
                    "member": row.member_id,
                    "name": row.member.name,
                    **{r: cell[r]["total"] for r in Rating.values},
                    "online": {r: cell[r]["online"] for r in Rating.values},
                    "paper": {r: cell[r]["paper"] for r in Rating.values},
                }
            )
        payload = {
            "voted": selectors.voted_count(appraisal),
            "paper_ballots": appraisal.paper_ballots,
            "results": results,
        }
        return Response(s.TalliesSerializer(payload).data)


class BallotCloseApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(request=None, responses=s.StaffAppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        services.ballot_close(actor=request.user, appraisal=appraisal, ip=client_ip(request))
        return _staff_detail(request, pk)


class PaperTallyApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(request=s.PaperTallySerializer, responses=s.StaffAppraisalDetailSerializer)
    def put(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        data = s.PaperTallySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.paper_tally_record(
            actor=request.user,
            appraisal=appraisal,
            paper_ballots=data.validated_data["paper_ballots"],
            counts=data.validated_data["counts"],
            ip=client_ip(request),
        )
        return _staff_detail(request, pk)


class RatingApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(request=s.RatingSerializer, responses=s.StaffAppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        data = s.RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.rating_record(
            actor=request.user, appraisal=appraisal, ip=client_ip(request), **data.validated_data
        )
        return _staff_detail(request, pk)


class _RatingDecisionApi(APIView):
    permission_classes = [IsAppraisalStaff]
    approve = True

    def post(self, request, pk, member_pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        data = s.NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = services.rating_approve if self.approve else services.rating_reject
        service(
            actor=request.user,
            appraisal=appraisal,
            member=member_pk,
            note=data.validated_data.get("note", ""),
            ip=client_ip(request),
        )
        return _staff_detail(request, pk)


class RatingApproveApi(_RatingDecisionApi):
    @extend_schema(request=s.NoteSerializer, responses=s.StaffAppraisalDetailSerializer)
    def post(self, request, pk, member_pk):
        return super().post(request, pk, member_pk)


class RatingRejectApi(_RatingDecisionApi):
    approve = False

    @extend_schema(request=s.NoteSerializer, responses=s.StaffAppraisalDetailSerializer)
    def post(self, request, pk, member_pk):
        return super().post(request, pk, member_pk)


class AppraisalFinishApi(APIView):
    permission_classes = [IsAppraisalStaff]

    @extend_schema(request=None, responses=s.StaffAppraisalDetailSerializer)
    def post(self, request, pk):
        appraisal = selectors.appraisal_get(user=request.user, pk=pk)
        services.appraisal_finish(actor=request.user, appraisal=appraisal, ip=client_ip(request))
        return _staff_detail(request, pk)

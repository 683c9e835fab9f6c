"""The registry API: the member's own archive and change requests; archives, contact logs,
change-request review and organisations for staff."""

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members import permissions, selectors
from members.api import serializers as s
from members.api.access import IsMember, IsStaff
from members.api.rows import member_list_rows
from members.filters import member_filters
from members.identity import is_full_identifier
from members.models import ChangeRequest, Member, Region, Skill
from members.services import accounts, archive, changes, contacts
from sanyuan.errors import ServiceError
from sanyuan.files import protected_file_response
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip
from sanyuan.parsers import FormParser, JSONParser, MultiPartParser
from sanyuan.respcache import CachedAnswerMixin

# Encrypted columns a list row never shows (its `id_number` is the masked column): not read,
# so not decrypted, for every row of every page.


def _own_member(request):
    return selectors.member_detail_get(user=request.user, pk=permissions.member_of(request.user).pk)


class MeApi(CachedAnswerMixin, APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=s.MemberSerializer)
    def get(self, request):
        return Response(s.MemberSerializer(_own_member(request), context={"viewer": "self"}).data)

    @extend_schema(request=s.MeUpdateSerializer, responses=s.MemberSerializer)
    def patch(self, request):
        data = s.MeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = _own_member(request)
        archive.member_contact_update(member=member, **data.validated_data)
        return Response(s.MemberSerializer(member, context={"viewer": "self"}).data)


class MeHistoryApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=s.HistoryEntrySerializer(many=True))
    def get(self, request):
        entries = selectors.member_history(member=_own_member(request), viewer="self")
        return Response(entries)


class MyChangeRequestListApi(APIView):
    permission_classes = [IsMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=s.ChangeRequestSerializer(many=True))
    def get(self, request):
        rows = selectors.change_request_list_for_member(member=permissions.member_of(request.user))
        return Response(s.ChangeRequestSerializer(rows, many=True).data)

    @extend_schema(
        request=s.ChangeRequestInputSerializer, responses={201: s.ChangeRequestSerializer}
    )
    def post(self, request):
        data = s.ChangeRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = changes.change_request_submit(
            member=_own_member(request),
            changes=data.validated_data["changes"],
            reason=data.validated_data["reason"],
            evidence_files=request.FILES.getlist("evidence"),
        )
        return Response(s.ChangeRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class MyChangeRequestWithdrawApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=None, responses=s.ChangeRequestSerializer)
    def post(self, request, pk):
        member = permissions.member_of(request.user)
        found = selectors.change_request_get_for_member(member=member, pk=pk)
        withdrawn = changes.change_request_withdraw(member=member, change_request=found)
        return Response(s.ChangeRequestSerializer(withdrawn).data)


class ChangeRequestQueueApi(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.ChangeRequestSerializer

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=ChangeRequest.Status.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "pending")
        if wanted not in ChangeRequest.Status.values:
            wanted = "pending"
        # The list shows the member's name only: no organisation join, and the member's
        # encrypted columns are neither read nor decrypted.
        return (
            selectors.change_request_queue(user=self.request.user, status=wanted)
            .select_related(None)
            .select_related("member")
            .defer(*(f"member__{field}" for field in Member.ENCRYPTED_FIELDS))
            .prefetch_related("evidence")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "staff": True}


class ChangeRequestDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=s.ChangeRequestSerializer)
    def get(self, request, pk):
        found = selectors.change_request_get_for_staff(user=request.user, pk=pk)
        data = s.ChangeRequestSerializer(found, context={"staff": True}).data
        data["diff"] = selectors.change_request_diff(found)
        return Response(data)


class ChangeRequestReviewApi(APIView):
    permission_classes = [IsStaff]
    action = "approve"

    @extend_schema(request=s.ReviewSerializer, responses=s.ChangeRequestSerializer)
    def post(self, request, pk):
        found = selectors.change_request_get_for_staff(user=request.user, pk=pk)
        data = s.ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        service = (
            changes.change_request_approve
            if self.action == "approve"
            else changes.change_request_reject
        )
        done = service(
            staff=request.user,
            change_request=found,
            comment=data.validated_data.get("comment", ""),
            ip=client_ip(request),
        )
        return Response(s.ChangeRequestSerializer(done, context={"staff": True}).data)


class EvidenceDownloadApi(APIView):
    """Evidence files: the member who asked, or staff in scope; nobody else."""

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, evidence_pk):
        if permissions.is_staff(request.user):
            found = selectors.change_request_get_for_staff(user=request.user, pk=pk)
        elif permissions.member_of(request.user) is not None:
            found = selectors.change_request_get_for_member(
                member=permissions.member_of(request.user), pk=pk
            )
        else:
            raise Http404
        evidence = next((e for e in found.evidence.all() if e.pk == int(evidence_pk)), None)
        if evidence is None:
            raise Http404
        return protected_file_response(
            evidence.file,
            filename=evidence.original_name,
            content_type=evidence.content_type,
            inline=True,
            cache_control="no-store",  # ID cards and certificates: never kept
        )


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
        return selectors.organization_list(user=self.request.user, parent=parse_int(parent))


def _organization_or_none(user, pk):
    if pk is None:
        return None
    return permissions.filter_organizations_visible_to(user).filter(pk=pk).first()


FULL_NUMBER_REFUSED = (
    "完整的身份证号码或手机号码不能放在网址里，请用 POST /api/members/search/ 查找。"
)

MEMBER_FILTERS = [
    OpenApiParameter("organization", int, description="组织id（含其全部下级）"),
    OpenApiParameter("destination_province", str, description="流入省份代码，如 440000"),
    OpenApiParameter("destination_city", str),
    OpenApiParameter("occupation", str),
    OpenApiParameter("skill", str, description="技能名称"),
    OpenApiParameter("status", str),
    OpenApiParameter("party_standing", str),
    OpenApiParameter("contact_overdue", bool, description="90天未联系"),
    OpenApiParameter("support_group", bool),
    OpenApiParameter("honour", str),
    OpenApiParameter(
        "q",
        str,
        description="姓名片段或身份证号后四位。完整身份证号或手机号请用 `POST /api/members/search/`"
        "（在此传入完整号码已弃用：本版本仍可查询，回答带 `Deprecation: true`，下一版本将返回400）。",
        deprecated=True,
    ),
    OpenApiParameter(
        "dimension", str, description="统计维度（与 key 一起，列出统计图中某一项的党员）"
    ),
    OpenApiParameter("key", str),
]


class MemberListCreateApi(generics.ListAPIView):
    permission_classes = [IsStaff]
    serializer_class = s.MemberListSerializer

    @extend_schema(parameters=MEMBER_FILTERS)
    def get(self, request, *args, **kwargs):
        full = is_full_identifier(request.query_params.get("q", ""))
        if full and settings.MEMBER_QUERY_FULL_NUMBER == "refused":
            return Response({"q": [FULL_NUMBER_REFUSED]}, status=status.HTTP_400_BAD_REQUEST)
        response = super().get(request, *args, **kwargs)
        if full:
            # Still answered for one release (the mini-program may send it), then refused.
            response["Deprecation"] = "true"
            response["Link"] = '</api/members/search/>; rel="successor-version"'
        return response

    def list(self, request, *args, **kwargs):
        # The rows are written directly (members/api/rows.py), as the serializer would.
        page = self.paginate_queryset(self.get_queryset())
        viewer = permissions.row_viewer(request.user)
        return self.get_paginated_response(member_list_rows(page, viewer))

    def get_queryset(self):
        organization = self.request.query_params.get("organization", "")
        if organization and parse_int(organization) is None:
            raise ServiceError("党组织编号无效。", field="organization")
        filters = member_filters(self.request.query_params)
        rows = selectors.member_list(user=self.request.user, **filters)
        return selectors.with_skills(rows).defer(*selectors.LIST_DEFERRED)

    def get_serializer_context(self):
        user = self.request.user
        return {**super().get_serializer_context(), "viewer": permissions.row_viewer(user)}

    @extend_schema(request=s.MemberCreateSerializer, responses={201: s.MemberSerializer})
    def post(self, request):
        data = s.MemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["organization"] = _organization_or_none(request.user, values["organization"])
        member = archive.member_create(actor=request.user, **values)
        member = selectors.member_detail_get(user=request.user, pk=member.pk)
        viewer = permissions.archive_viewer(request.user, member)
        return Response(
            s.MemberSerializer(member, context={"viewer": viewer}).data,
            status=status.HTTP_201_CREATED,
        )


class MemberDetailApi(APIView):
    """A full archive for staff in scope; every read is logged."""

    permission_classes = [IsStaff]

    @extend_schema(responses=s.MemberSerializer)
    def get(self, request, pk):
        member = selectors.member_detail_get(user=request.user, pk=pk)
        archive.member_record_view(actor=request.user, member=member, ip=client_ip(request))
        viewer = permissions.archive_viewer(request.user, member)
        return Response(s.MemberSerializer(member, context={"viewer": viewer}).data)

    @extend_schema(request=s.MemberUpdateSerializer, responses=s.MemberSerializer)
    def patch(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        data = s.MemberUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "organization" in values:
            values["organization"] = _organization_or_none(request.user, values["organization"])
        archive.member_update(actor=request.user, member=member, **values)
        member = selectors.member_detail_get(user=request.user, pk=pk)
        viewer = permissions.archive_viewer(request.user, member)
        return Response(s.MemberSerializer(member, context={"viewer": viewer}).data)


class MemberHistoryApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=s.HistoryEntrySerializer(many=True))
    def get(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        viewer = permissions.archive_viewer(request.user, member)
        return Response(selectors.member_history(member=member, viewer=viewer))


class MemberRevealIdNumberApi(APIView):
    """The one explicit, logged staff action that shows a full ID number."""

    permission_classes = [IsStaff]
    idempotency_exempt = True  # the answer is the full number: never kept

    @extend_schema(request=None, responses=s.RevealedIdNumberSerializer)
    def post(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        value = archive.member_reveal_id_number(
            actor=request.user, member=member, ip=client_ip(request)
        )
        return Response({"id_number": value})


class MemberContactListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=s.ContactLogSerializer(many=True))
    def get(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        rows = selectors.contact_log_list(user=request.user, member=member)[:200]
        context = {"assess_mindset": permissions.can_assess_mindset(request.user, member)}
        return Response(s.ContactLogSerializer(rows, many=True, context=context).data)

    @extend_schema(request=s.ContactLogInputSerializer, responses={201: s.ContactLogSerializer})
    def post(self, request, pk):
        member = selectors.member_get(user=request.user, pk=pk)
        data = s.ContactLogInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = contacts.contact_log_create(staff=request.user, member=member, **data.validated_data)
        context = {"assess_mindset": permissions.can_assess_mindset(request.user, member)}
        return Response(
            s.ContactLogSerializer(log, context=context).data, status=status.HTTP_201_CREATED
        )


class MemberSearchApi(generics.GenericAPIView):
    """A full ID number or phone (or a name fragment) in the body, so that it never lands in a
    URL, an access log or a browser's history. Archives in scope, newest first, at most 50."""

    permission_classes = [IsStaff]
    serializer_class = s.MemberListSerializer
    pagination_class = None
    idempotency_exempt = True  # a read: nothing to remember
    LIMIT = 50

    def get_serializer_context(self):
        user = self.request.user
        return {**super().get_serializer_context(), "viewer": permissions.row_viewer(user)}

    @extend_schema(request=s.MemberSearchSerializer, responses=s.MemberListSerializer(many=True))
    def post(self, request):
        data = s.MemberSearchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = selectors.member_search(
            user=request.user, q=data.validated_data["q"], limit=self.LIMIT
        )
        return Response(member_list_rows(rows, permissions.row_viewer(request.user)))


class MemberActivationCodeApi(APIView):
    permission_classes = [IsStaff]
    idempotency_exempt = True  # the answer is the code: never kept

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


class SkillListApi(APIView):
    @extend_schema(responses=s.SkillSerializer(many=True))
    def get(self, request):
        return Response(
            s.SkillSerializer(Skill.objects.order_by("category", "name"), many=True).data
        )


class RegionListApi(APIView):
    """Administrative divisions for pickers: provinces, or the children of `parent`."""

    @extend_schema(
        parameters=[OpenApiParameter("parent", str)], responses=s.RegionSerializer(many=True)
    )
    def get(self, request):
        parent = request.query_params.get("parent", "")
        qs = (
            Region.objects.filter(parent_id=parent)
            if parent
            else Region.objects.filter(level="province")
        )
        return Response(s.RegionSerializer(qs.order_by("code"), many=True).data)

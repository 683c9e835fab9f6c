"""The activities API: lists and details for members and staff (scoped), replies and study
confirmations for members, creation, publishing, cancelling, materials and participation for
staff. Views parse, call one selector or service, and render."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember, IsStaff, IsStaffOrMember
from members.models import Organization
from sanyuan.errors import ServiceError
from sanyuan.inputs import parse_int
from sanyuan.keyset import page_url
from sanyuan.respcache import CachedAnswerMixin

from .. import selectors, services
from ..downloads import material_file_response
from ..selectors.cadence import CADENCE
from . import serializers as s


def _int_param(request, name) -> int | None:
    raw = request.query_params.get(name, "")
    return parse_int(raw)


def _page_size(request) -> int:
    size = _int_param(request, "page_size")
    return max(1, min(size, 100)) if size else 20


def _input(request, data: dict, base: services.ActivityInput | None = None):
    """The service input from validated API data; the organisation is looked up in scope
    (an id outside it becomes None, which the service refuses with a field error)."""
    values = dict(data)
    if "organization" in values:
        values["organization"] = Organization.objects.filter(pk=values["organization"]).first()
    if base is None:
        return services.ActivityInput(**values)
    return base.merged(**values)


def _for_member(activity, user):
    """Re-read after a write so that `my_attendance` and materials are current."""
    return selectors.activity_get(user=user, pk=activity.pk)


class ActivityListApi(CachedAnswerMixin, APIView):
    def get_permissions(self):
        return [IsStaff()] if self.request.method == "POST" else [IsStaffOrMember()]

    @extend_schema(
        operation_id="activities_list",
        parameters=[
            OpenApiParameter(
                "when", str, enum=["upcoming", "past"], description="即将开始或已结束"
            ),
            OpenApiParameter("kind", str, enum=[k.value for k in s.Activity.Kind]),
            OpenApiParameter("status", str, enum=[k.value for k in s.Activity.Status]),
            OpenApiParameter("organization", int, description="组织id（含其全部下级；工作人员）"),
            OpenApiParameter("cursor", str, description="分页游标"),
            OpenApiParameter("page_size", int),
        ],
        responses=s.ActivityPageSerializer,
    )
    def get(self, request):
        params = request.query_params
        when = params.get("when")
        page = selectors.activity_page(
            user=request.user,
            when=when if when in (selectors.UPCOMING, selectors.PAST) else None,
            cursor=params.get("cursor"),
            page_size=_page_size(request),
            kind=params.get("kind") or None,
            status=params.get("status") or None,
            organization=_int_param(request, "organization"),
        )
        return Response(
            {
                "next": page_url(request, page.next_cursor),
                "previous": page_url(request, page.previous_cursor),
                "results": s.ActivitySerializer(page.results, many=True).data,
            }
        )

    @extend_schema(request=s.ActivityWriteSerializer, responses={201: s.ActivityDetailSerializer})
    def post(self, request):
        data = s.ActivityWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_create(
            user=request.user, data=_input(request, data.validated_data)
        )
        activity = selectors.activity_get(user=request.user, pk=activity.pk)
        return Response(s.ActivityDetailSerializer(activity).data, status=status.HTTP_201_CREATED)


class ActivityDetailApi(CachedAnswerMixin, APIView):
    def get_permissions(self):
        return [IsStaff()] if self.request.method == "PATCH" else [IsStaffOrMember()]

    @extend_schema(responses=s.ActivityDetailSerializer)
    def get(self, request, pk):
        activity = selectors.activity_get(user=request.user, pk=pk)
        return Response(s.ActivityDetailSerializer(activity).data)

    @extend_schema(request=s.ActivityWriteSerializer, responses=s.ActivityDetailSerializer)
    def patch(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        data = s.ActivityWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        base = services.ActivityInput.from_activity(activity)
        services.activity_update(
            user=request.user, activity=activity, data=_input(request, data.validated_data, base)
        )
        return Response(s.ActivityDetailSerializer(_for_member(activity, request.user)).data)


class _StaffTransitionApi(APIView):
    permission_classes = [IsStaff]
    transition = None  # a service taking user and activity

    @extend_schema(request=None, responses=s.ActivityDetailSerializer)
    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        type(self).transition(user=request.user, activity=activity)
        return Response(s.ActivityDetailSerializer(_for_member(activity, request.user)).data)


class ActivityPublishApi(_StaffTransitionApi):
    transition = services.activity_publish


class ActivityHeldApi(_StaffTransitionApi):
    transition = services.activity_mark_held


class ActivityCancelApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=s.CancelSerializer, responses=s.ActivityDetailSerializer)
    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        data = s.CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.activity_cancel(
            user=request.user, activity=activity, reason=data.validated_data.get("reason", "")
        )
        return Response(s.ActivityDetailSerializer(_for_member(activity, request.user)).data)


class AttendanceApi(APIView):
    """POST: the member's reply (a new reply replaces the old). GET: the staff sheet."""

    def get_permissions(self):
        return [IsMember()] if self.request.method == "POST" else [IsStaff()]

    @extend_schema(request=s.ReplySerializer, responses=s.MyAttendanceSerializer)
    def post(self, request, pk):
        activity = selectors.activity_get(user=request.user, pk=pk)
        data = s.ReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.attendance_reply(
            user=request.user,
            activity=activity,
            status=data.validated_data["status"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(s.MyAttendanceSerializer(row).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("show", str, enum=list(selectors.SHOW_CHOICES)),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses=s.SheetSerializer,
    )
    def get(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        sheet = selectors.attendance_sheet(
            user=request.user,
            activity=activity,
            show=request.query_params.get("show", "all"),
            page=request.query_params.get("page", 1),
            per_page=_page_size(request),
        )
        page = sheet.page

        def link(number):
            params = request.query_params.copy()
            params["page"] = number
            return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")

        return Response(
            {
                "count": page.paginator.count,
                "next": link(page.next_page_number()) if page.has_next() else None,
                "previous": link(page.previous_page_number()) if page.has_previous() else None,
                "summary": sheet.counts,
                "results": s.SheetRowSerializer(page.object_list, many=True).data,
            }
        )


class StudyConfirmApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=None, responses=s.MyAttendanceSerializer)
    def post(self, request, pk):
        activity = selectors.activity_get(user=request.user, pk=pk)
        row = services.attendance_confirm_study(user=request.user, activity=activity)
        return Response(s.MyAttendanceSerializer(row).data)


class ParticipationApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=s.ParticipationSerializer,
        responses=inline_serializer("ParticipationResult", {"changed": serializers.IntegerField()}),
    )
    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        data = s.ParticipationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entries = {e["member"]: e["participation"] for e in data.validated_data["entries"]}
        changed = services.participation_record(
            user=request.user, activity=activity, entries=entries
        )
        return Response({"changed": changed})


class MaterialCreateApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request={"multipart/form-data": s.MaterialCreateSerializer},
        responses={201: s.MaterialSerializer},
    )
    def post(self, request, pk):
        activity = selectors.activity_get_for_manage(user=request.user, pk=pk)
        data = s.MaterialCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        material = services.material_add(
            user=request.user,
            activity=activity,
            kind=data.validated_data["kind"],
            title=data.validated_data["title"],
            body=data.validated_data.get("body", ""),
            upload=data.validated_data.get("file"),
        )
        return Response(s.MaterialSerializer(material).data, status=status.HTTP_201_CREATED)


class MaterialDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, pk):
        material = selectors.material_get(user=request.user, pk=pk)
        services.material_delete(user=request.user, material=material)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MaterialFileApi(APIView):
    """The file of a material, for anyone who may see the activity (token or session)."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk):
        return material_file_response(selectors.material_get(user=request.user, pk=pk))


class CadenceApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int),
            OpenApiParameter("organization", int, description="组织id（含其全部下级）"),
        ],
        responses=inline_serializer(
            "CadenceReport",
            {
                "year": serializers.IntegerField(),
                "behind": serializers.IntegerField(),
                "results": inline_serializer(
                    "CadenceRow",
                    {
                        "organization": serializers.IntegerField(),
                        "organization_name": serializers.CharField(),
                        "behind": serializers.BooleanField(),
                        "took_part": serializers.IntegerField(),
                        "took_part_elsewhere": serializers.IntegerField(),
                        "cadence": serializers.DictField(),
                    },
                    many=True,
                ),
            },
        ),
    )
    def get(self, request):
        year = _int_param(request, "year") or timezone.localdate().year
        if not 2000 <= year <= 2100:  # date(99999, 1, 1) was a 500
            raise ServiceError("年份无效。", field="year")
        report = selectors.cadence_report(
            user=request.user, year=year, organization=_int_param(request, "organization")
        )
        return Response(
            {
                "year": report.year,
                "behind": report.behind_count,
                "results": [
                    {
                        "organization": row.organization.pk,
                        "organization_name": row.organization.name,
                        "behind": row.behind,
                        "took_part": row.took_part,
                        "took_part_elsewhere": row.took_part_elsewhere,
                        "cadence": {
                            cell.kind: {
                                "cadence": CADENCE[cell.kind],
                                "held": cell.held,
                                "covered": cell.covered,
                                "owed": cell.owed,
                                "missing": cell.missing,
                            }
                            for cell in row.cells
                        },
                    }
                    for row in report.rows
                ],
            }
        )

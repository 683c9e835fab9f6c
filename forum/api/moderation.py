"""Moderation, reports and the staff queue:
POST /api/forum/threads/{id}/moderation/, POST /api/forum/posts/{id}/moderation/,
POST /api/forum/posts/{id}/reports/, GET /api/forum/reports/, POST /api/forum/reports/{id}/resolve/,
GET /api/forum/queue/, GET /api/forum/stats/."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsMember, IsStaff, IsStaffOrMember
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from .. import selectors, services
from ..models import PostReport
from . import serializers as s
from .threads import PAGE_PARAMS, page_response


class ThreadModerationApi(APIView):
    """`action`: pin, unpin, lock, unlock, hide (with `reason`), unhide, typical, untypical."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(request=s.ModerationSerializer, responses=s.ThreadSerializer)
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        data = s.ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = services.thread_moderate(
            user=request.user, thread=thread, ip=client_ip(request), **data.validated_data
        )
        return Response(s.ThreadSerializer(thread).data)


class PostModerationApi(APIView):
    """`action`: hide (with `reason`) or unhide."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(request=s.ModerationSerializer, responses=s.PostSerializer)
    def post(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        data = s.ModerationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_moderate(
            user=request.user, post=post, ip=client_ip(request), **data.validated_data
        )
        selectors.posts_decorate(request.user, post.thread, [post])
        return Response(s.PostSerializer(post).data)


class PostReportCreateApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(request=s.ReportCreateSerializer, responses={201: None})
    def post(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        data = s.ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.post_report(
            user=request.user, post=post, ip=client_ip(request), **data.validated_data
        )
        return Response({"id": report.pk, "status": report.status}, status=status.HTTP_201_CREATED)


class ReportListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=PostReport.Status.values, description="默认open"),
            *PAGE_PARAMS,
        ],
        responses=s.ReportPageSerializer,
        operation_id="forum_reports_list",
    )
    def get(self, request):
        page = selectors.report_list(
            user=request.user,
            status=request.query_params.get("status", PostReport.Status.OPEN),
            cursor=request.query_params.get("cursor"),
            page_size=selectors.page_size_from(request.query_params.get("page_size")),
        )
        return page_response(request, page, s.ReportSerializer)


class ReportResolveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=s.ReportResolveSerializer, responses=s.ReportSerializer)
    def post(self, request, pk):
        report = selectors.report_get(user=request.user, pk=pk)
        data = s.ReportResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_resolve(
            user=request.user, report=report, ip=client_ip(request), **data.validated_data
        )
        return Response(s.ReportSerializer(report).data)


class QueueApi(APIView):
    """Requests and suggestions in scope still waiting for an official reply, oldest first."""

    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, enum=["request", "suggestion"]),
            *PAGE_PARAMS,
        ],
        responses=s.QueuePageSerializer,
        operation_id="forum_queue_list",
    )
    def get(self, request):
        page = selectors.unanswered_queue(
            user=request.user,
            kind=request.query_params.get("kind") or None,
            cursor=request.query_params.get("cursor"),
            page_size=selectors.page_size_from(request.query_params.get("page_size")),
        )
        return page_response(request, page, s.QueueThreadSerializer)


class StatsApi(APIView):
    """Time to the first official reply in scope (last `days` days, default 90)."""

    permission_classes = [IsStaff]

    @extend_schema(parameters=[OpenApiParameter("days", int)], responses=s.StatsSerializer)
    def get(self, request):
        days = request.query_params.get("days", "90")
        days = parse_int(days)
        days = max(1, min(days, 3650)) if days is not None else 90
        return Response(selectors.official_reply_stats(user=request.user, days=days))

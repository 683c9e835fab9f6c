"""The inbox API: GET /api/notices/ (keyset pages), read marks, unread count, preferences."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from members import selectors
from members.models import Notice
from members.services import notices as notice_services
from sanyuan.inputs import parse_int
from sanyuan.keyset import page_url
from sanyuan.respcache import CachedAnswerMixin


class NoticeSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(source="is_read", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "kind", "title", "body", "link", "created_at", "read"]
        read_only_fields = fields


class NoticePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = NoticeSerializer(many=True)


def _page_size(request) -> int:
    raw = request.query_params.get("page_size", "20")
    size = parse_int(raw)
    return max(1, min(size, 100)) if size is not None else 20


class NoticeListApi(CachedAnswerMixin, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("unread", bool, description="只看未读"),
            OpenApiParameter("cursor", str, description="分页游标"),
            OpenApiParameter("page_size", int),
        ],
        responses=NoticePageSerializer,
    )
    def get(self, request):
        page = selectors.notice_inbox(
            user=request.user,
            cursor=request.query_params.get("cursor"),
            unread_only=request.query_params.get("unread") in ("1", "true", "True"),
            page_size=_page_size(request),
        )
        return Response(
            {
                "next": page_url(request, page.next_cursor),
                "previous": page_url(request, page.previous_cursor),
                "results": NoticeSerializer(page.results, many=True).data,
            }
        )


class NoticeReadApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk):
        notice = selectors.notice_get(user=request.user, pk=pk)
        notice_services.notice_mark_read(user=request.user, notice=notice)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoticeReadAllApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        notice_services.notice_mark_all_read(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoticeUnreadCountApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer("UnreadCount", {"count": serializers.IntegerField()})
    )
    def get(self, request):
        return Response({"count": selectors.notice_unread_count(user=request.user)})


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Notice.Kind.choices)
    sms = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)


class NoticePreferenceApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "NoticePreferenceRow",
            {
                "kind": serializers.CharField(),
                "label": serializers.CharField(),
                "sms": serializers.BooleanField(),
                "email": serializers.BooleanField(),
                "always_sms": serializers.BooleanField(),
            },
            many=True,
        )
    )
    def get(self, request):
        return Response(selectors.notice_preferences(user=request.user))

    @extend_schema(request=PreferenceSerializer, responses={204: None})
    def post(self, request):
        data = PreferenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice_services.notice_preference_set(user=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

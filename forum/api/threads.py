"""Threads and posts: GET/POST /api/forum/threads/, GET/POST /api/forum/threads/{id}/posts/,
edits, deletion, read markers, sharing, search and photos."""

import json

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from members.api.access import IsStaffOrMember
from sanyuan import keyset
from sanyuan.inputs import parse_int
from sanyuan.parsers import FormParser, JSONParser, MultiPartParser
from sanyuan.respcache import CachedAnswerMixin

from .. import selectors, services
from ..files import image_response
from ..models import Board
from . import serializers as s

PAGE_PARAMS = [
    OpenApiParameter("cursor", str, description="分页游标"),
    OpenApiParameter("page_size", int, description="每页条数（1-100）"),
]


def page_url(request, cursor: str | None) -> str | None:
    return keyset.page_url(request, cursor, drop=("post",))


def page_response(request, page, serializer_class, **context) -> Response:
    return Response(
        {
            "next": page_url(request, page.next_cursor),
            "previous": page_url(request, page.previous_cursor),
            "results": serializer_class(page.results, many=True, context=context).data,
        }
    )


def _flag(request, name: str) -> bool:
    return request.query_params.get(name) in ("1", "true", "True")


class ThreadListCreateApi(CachedAnswerMixin, APIView):
    permission_classes = [IsStaffOrMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("board", str, enum=Board.values, description="版块（默认forum）"),
            OpenApiParameter("kind", str, description="类型"),
            OpenApiParameter("mine", bool, description="只看我发布的"),
            OpenApiParameter("shared", bool, description="只看公开分享的学习心得"),
            OpenApiParameter("typical", bool, description="只看已答复的典型问题"),
            *PAGE_PARAMS,
        ],
        responses=s.ThreadPageSerializer,
        operation_id="forum_threads_list",
    )
    def get(self, request):
        params = request.query_params
        page = selectors.thread_list(
            user=request.user,
            board=params.get("board", Board.FORUM),
            kind=params.get("kind") or None,
            mine=_flag(request, "mine"),
            shared=_flag(request, "shared"),
            typical=_flag(request, "typical"),
            cursor=params.get("cursor"),
            page_size=selectors.page_size_from(params.get("page_size")),
        )
        return page_response(request, page, s.ThreadSerializer)

    @extend_schema(request=s.ThreadCreateSerializer, responses={201: s.ThreadSerializer})
    def post(self, request):
        data = s.ThreadCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = services.thread_create(user=request.user, **data.validated_data)
        return Response(s.ThreadSerializer(thread).data, status=status.HTTP_201_CREATED)


class ThreadDetailApi(CachedAnswerMixin, APIView):
    permission_classes = [IsStaffOrMember]

    @extend_schema(responses=s.ThreadSerializer)
    def get(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        return Response(s.ThreadSerializer(thread).data)


class ThreadPostListCreateApi(CachedAnswerMixin, APIView):
    permission_classes = [IsStaffOrMember]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[
            OpenApiParameter("post", int, description="从这条回复开始（通知里的链接）"),
            *PAGE_PARAMS,
        ],
        responses=s.PostPageSerializer,
        operation_id="forum_threads_posts_list",
    )
    def get(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        from_post = request.query_params.get("post", "")
        page = selectors.post_page(
            user=request.user,
            thread=thread,
            cursor=request.query_params.get("cursor"),
            from_post=parse_int(from_post),
            page_size=selectors.page_size_from(request.query_params.get("page_size")),
        )
        return page_response(request, page, s.PostSerializer)

    @extend_schema(request=s.PostCreateSerializer, responses={201: s.PostSerializer})
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        data = s.PostCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_create(user=request.user, thread=thread, **data.validated_data)
        selectors.posts_decorate(request.user, thread, [post])
        return Response(s.PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostDetailApi(APIView):
    """The author edits (within the window) or deletes (softly) their own post."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(responses=s.PostSerializer)
    def get(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        selectors.posts_decorate(request.user, post.thread, [post])
        return Response(s.PostSerializer(post).data)

    @extend_schema(request=s.PostEditSerializer, responses=s.PostSerializer)
    def patch(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        data = s.PostEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post = services.post_edit(user=request.user, post=post, **data.validated_data)
        selectors.posts_decorate(request.user, post.thread, [post])
        return Response(s.PostSerializer(post).data)

    @extend_schema(responses={204: None})
    def delete(self, request, pk):
        post = selectors.post_get(user=request.user, pk=pk)
        services.post_delete(user=request.user, post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ThreadReadApi(APIView):
    """Move the caller's unread marker (default: to the newest post)."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(request=s.ReadMarkSerializer, responses={204: None})
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        data = s.ReadMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        post_id = min(data.validated_data.get("post") or thread.last_post_id, thread.last_post_id)
        services.thread_mark_read(user=request.user, thread=thread, post_id=post_id)
        services.thread_notices_read(
            user=request.user, thread=thread, post_ids=range(1, (post_id or 0) + 1)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ThreadShareApi(APIView):
    permission_classes = [IsStaffOrMember]

    @extend_schema(request=s.ShareSerializer, responses=s.ThreadSerializer)
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        data = s.ShareSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        thread = services.thread_share_set(
            user=request.user, thread=thread, shared=data.validated_data["shared"]
        )
        return Response(s.ThreadSerializer(thread).data)


class ThreadStaffReadApi(APIView):
    """Staff in scope mark a reflection as read (已阅)."""

    permission_classes = [IsStaffOrMember]

    @extend_schema(request=None, responses=s.ThreadSerializer)
    def post(self, request, pk):
        thread = selectors.thread_get(user=request.user, pk=pk)
        thread = services.reflection_mark_read(user=request.user, thread=thread)
        return Response(s.ThreadSerializer(thread).data)


class SearchApi(APIView):
    permission_classes = [IsStaffOrMember]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, required=True, description="搜索词"), *PAGE_PARAMS],
        responses=s.SearchPageSerializer,
        operation_id="forum_search_list",
    )
    def get(self, request):
        page = selectors.post_search(
            user=request.user,
            query=request.query_params.get("q", ""),
            cursor=request.query_params.get("cursor"),
            page_size=selectors.page_size_from(request.query_params.get("page_size")),
        )
        return page_response(request, page, s.SearchHitSerializer)


class ImageRenderer(BaseRenderer):
    """Lets clients that send `Accept: image/*` (an <img>, a mini-program image loader) through
    content negotiation; the photo itself is a file response, errors stay JSON text."""

    media_type = "image/*"
    format = "image"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, ensure_ascii=False).encode()


class ImageApi(APIView):
    """A post's photo (`?size=thumb` for the small one), after the same check as its post."""

    permission_classes = [IsStaffOrMember]
    renderer_classes = [JSONRenderer, ImageRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("size", str, enum=["thumb"])],
        responses={(200, "image/*"): bytes},
    )
    def get(self, request, pk):
        image = selectors.image_get(user=request.user, pk=pk)
        return image_response(image, thumb=request.query_params.get("size") == "thumb")

"""The learning API: articles (public ones for anyone), files, study records, figures."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members import permissions as member_permissions
from members.api.access import IsMember, IsStaff
from sanyuan.errors import ServiceError
from sanyuan.files import protected_file_response
from sanyuan.inputs import parse_int
from sanyuan.keyset import page_url
from sanyuan.respcache import CachedAnswerMixin

from . import selectors
from .models import Article, ArticleAttachment, StudyRecord
from .services.saved import article_save, article_unsave
from .services.study import MAX_SECONDS_PER_REPORT, study_record_touch

COVER_WIDTHS = ("320", "640", "960", "original")


def cover_urls(article: Article) -> dict | None:
    if not article.cover:
        return None
    urls = {"original": reverse("api:article-cover", args=[article.pk, "original"])}
    for width in article.cover_srcset_widths:
        urls[str(width)] = reverse("api:article-cover", args=[article.pk, str(width)])
    return urls


class StudyRecordSerializer(serializers.ModelSerializer):
    finished = serializers.SerializerMethodField()

    class Meta:
        model = StudyRecord
        fields = ["id", "article", "opened_at", "seconds", "finished", "finished_at"]
        read_only_fields = fields

    def get_finished(self, record) -> bool:
        return record.finished_at is not None


class ArticleListSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    cover = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "category",
            "title",
            "summary",
            "organization",
            "organization_name",
            "audience",
            "published_at",
            "pinned",
            "required",
            "cover",
        ]
        read_only_fields = fields

    def get_cover(self, article) -> dict | None:
        return cover_urls(article)


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name")
    url = serializers.SerializerMethodField()

    class Meta:
        model = ArticleAttachment
        fields = ["id", "name", "content_type", "size", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        return reverse("api:article-attachment", args=[attachment.article_id, attachment.pk])


class ArticleDetailSerializer(ArticleListSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)
    target_skills = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    target_provinces = serializers.ListField(
        source="province_codes", child=serializers.CharField(), read_only=True
    )
    study = serializers.SerializerMethodField()

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            "body",
            "video_url",
            "source_url",
            "issuing_body",
            "document_number",
            "effective_on",
            "target_skills",
            "target_provinces",
            "attachments",
            "study",
        ]
        read_only_fields = fields

    def get_study(self, article) -> dict | None:
        record = self.context.get("record")
        return StudyRecordSerializer(record).data if record else None


class ArticlePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ArticleListSerializer(many=True)


def page_size_of(request) -> int:
    raw = request.query_params.get("page_size", "20")
    size = parse_int(raw)
    return max(1, min(size, 100)) if size is not None else 20


def keyset_response(request, page, serializer_class) -> Response:
    return Response(
        {
            "next": page_url(request, page.next_cursor),
            "previous": page_url(request, page.previous_cursor),
            "results": serializer_class(page.results, many=True).data,
        }
    )


class ArticleListApi(CachedAnswerMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="articles_list",
        parameters=[
            OpenApiParameter("category", str, enum=Article.Category.values, description="栏目"),
            OpenApiParameter("q", str, description="搜索（标题和正文，需包含全部词语）"),
            OpenApiParameter("cursor", str, description="分页游标"),
            OpenApiParameter("page_size", int),
        ],
        responses=ArticlePageSerializer,
    )
    def get(self, request):
        category = request.query_params.get("category") or None
        if category is not None and category not in Article.Category.values:
            raise ServiceError("栏目无效。", field="category")
        page = selectors.article_list(
            user=request.user,
            category=category,
            q=request.query_params.get("q", ""),
            cursor=request.query_params.get("cursor"),
            page_size=page_size_of(request),
        )
        return keyset_response(request, page, ArticleListSerializer)


class ArticleDetailApi(CachedAnswerMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=ArticleDetailSerializer)
    def get(self, request, pk):
        article = selectors.article_get(user=request.user, pk=pk)
        record = selectors.study_record_of(user=request.user, article=article)
        return Response(ArticleDetailSerializer(article, context={"record": record}).data)


class StudyInputSerializer(serializers.Serializer):
    seconds = serializers.IntegerField(
        min_value=0,
        max_value=MAX_SECONDS_PER_REPORT,
        default=0,
        error_messages={
            "invalid": "学习时长应为整数秒。",
            "min_value": "学习时长不能为负数。",
            "max_value": f"每次最多报告{MAX_SECONDS_PER_REPORT}秒。",
        },
    )
    finished = serializers.BooleanField(default=False)


class ArticleStudyApi(APIView):
    """Record study: the first call records the opening; later calls add the seconds spent
    while the page was visible (capped by the time that has passed); `finished` marks it read
    to the end. Accepts JSON, or a form body (navigator.sendBeacon)."""

    permission_classes = [IsMember]

    @extend_schema(request=StudyInputSerializer, responses=StudyRecordSerializer)
    def post(self, request, pk):
        data = StudyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        article = selectors.article_get(user=request.user, pk=pk)
        record = study_record_touch(
            member=member_permissions.member_of(request.user),
            article=article,
            **data.validated_data,
        )
        return Response(StudyRecordSerializer(record).data)


class HistoryRecordSerializer(StudyRecordSerializer):
    article_title = serializers.CharField(source="article.title", read_only=True)
    article_category = serializers.CharField(source="article.category", read_only=True)

    class Meta(StudyRecordSerializer.Meta):
        fields = [*StudyRecordSerializer.Meta.fields, "article_title", "article_category"]
        read_only_fields = fields


class HistoryPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = HistoryRecordSerializer(many=True)


class StudyHistoryApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(
        operation_id="study_records_list",
        parameters=[OpenApiParameter("cursor", str), OpenApiParameter("page_size", int)],
        responses=HistoryPageSerializer,
    )
    def get(self, request):
        page = selectors.study_history(
            user=request.user,
            cursor=request.query_params.get("cursor"),
            page_size=page_size_of(request),
        )
        return keyset_response(request, page, HistoryRecordSerializer)


class StudySummarySerializer(serializers.Serializer):
    opened = serializers.IntegerField()
    finished = serializers.IntegerField()
    seconds = serializers.IntegerField()
    required_open = serializers.IntegerField()


class StudySummaryApi(APIView):
    permission_classes = [IsMember]

    @extend_schema(responses=StudySummarySerializer)
    def get(self, request):
        summary = selectors.study_summary(user=request.user)
        return Response(StudySummarySerializer(summary).data)


class FiguresSerializer(serializers.Serializer):
    audience = serializers.IntegerField()
    opened = serializers.IntegerField()
    finished = serializers.IntegerField()
    not_opened = serializers.IntegerField()
    seconds = serializers.IntegerField()


class ArticleStudyFiguresApi(APIView):
    """Staff: how many members in scope the article is meant for (for a training offer, the
    matching members it reached), how many opened and finished it."""

    permission_classes = [IsStaff]

    @extend_schema(responses=FiguresSerializer)
    def get(self, request, pk):
        article = selectors.staff_article_get(user=request.user, pk=pk)
        figures = selectors.article_figures(user=request.user, article=article)
        return Response(FiguresSerializer(figures).data)


# Files ------------------------------------------------------------------------------------


class ArticleCoverApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "image/*"): bytes})
    def get(self, request, pk, size):
        article = selectors.article_get(user=request.user, pk=pk)
        if size not in COVER_WIDTHS:
            raise ServiceError("图片尺寸无效。", field="size")
        field = article.cover if size == "original" else getattr(article, f"cover_{size}")
        if not field:
            field = article.cover
        extension = field.name.rsplit(".", 1)[-1] if field else "jpg"
        return protected_file_response(
            field,
            filename=f"cover-{article.pk}.{extension}",
            content_type=article.cover_content_type or "image/jpeg",
            inline=True,
        )


class ArticleAttachmentApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, attachment_pk):
        _article, attachment = selectors.attachment_get(
            user=request.user, article_pk=pk, pk=attachment_pk
        )
        return protected_file_response(
            attachment.file,
            filename=attachment.original_name,
            content_type=attachment.content_type,
            inline=False,
        )


class SavedArticleApi(APIView):
    """收藏: PUT keeps the article in the member's 收藏, DELETE takes it out (both 204)."""

    permission_classes = [IsMember]

    @extend_schema(request=None, responses={204: None}, operation_id="articles_saved_put")
    def put(self, request, pk):
        article = selectors.article_get(user=request.user, pk=pk)
        article_save(member=member_permissions.member_of(request.user), article=article)
        return Response(status=204)

    @extend_schema(responses={204: None}, operation_id="articles_saved_delete")
    def delete(self, request, pk):
        article = selectors.article_get(user=request.user, pk=pk)
        article_unsave(member=member_permissions.member_of(request.user), article=article)
        return Response(status=204)


class SavedArticleListApi(APIView):
    """The member's 收藏, newest first (at most 100)."""

    permission_classes = [IsMember]

    @extend_schema(responses=ArticleListSerializer(many=True), operation_id="saved_articles_list")
    def get(self, request):
        articles = selectors.saved_articles(user=request.user, limit=100)
        return Response(ArticleListSerializer(articles, many=True).data)

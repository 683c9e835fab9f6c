"""JSON shapes of the forum API. Field names are the glossary's code names."""

from django.urls import reverse
from rest_framework import serializers

from sanyuan.inputs import MAX_ID
from sanyuan.sanitize import html_to_text

from ..models import Board, Post, PostReport, Thread
from ..services.content import BODY_FORMATS


class ThreadSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    answered = serializers.SerializerMethodField()
    unread = serializers.SerializerMethodField()
    last_read_post_id = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "board",
            "kind",
            "title",
            "organization",
            "organization_name",
            "author_name",
            "is_official",
            "is_shared",
            "is_pinned",
            "is_locked",
            "is_hidden",
            "hidden_reason",
            "is_typical",
            "answered",
            "reply_count",
            "last_post_id",
            "last_posted_at",
            "last_poster_name",
            "first_official_reply_at",
            "first_official_reply_seconds",
            "staff_read_at",
            "created_at",
            "unread",
            "last_read_post_id",
            "url",
        ]
        read_only_fields = fields

    def get_answered(self, obj) -> bool | None:
        """For requests and suggestions: whether an organisation has replied officially."""
        return obj.is_answered if obj.is_answerable else None

    def get_unread(self, obj) -> bool:
        return getattr(obj, "is_unread", False)

    def get_last_read_post_id(self, obj) -> int:
        return getattr(obj, "last_read_post_id", 0)

    def get_url(self, obj) -> str:
        return obj.get_absolute_url()


class ThreadPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ThreadSerializer(many=True)


class ThreadCreateSerializer(serializers.Serializer):
    board = serializers.ChoiceField(choices=Board.choices)
    kind = serializers.ChoiceField(choices=Thread.Kind.choices)
    title = serializers.CharField(max_length=200, trim_whitespace=True)
    body = serializers.CharField(
        allow_blank=True, required=False, default="", trim_whitespace=False
    )
    body_format = serializers.ChoiceField(choices=BODY_FORMATS, required=False, default="text")
    shared = serializers.BooleanField(required=False, default=False)
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="工作人员以哪个党组织的名义发布（组织id）",
    )
    images = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="图片（multipart）"
    )


class ImageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, obj) -> str:
        return reverse("api:forum-image", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str:
        return reverse("api:forum-image", args=[obj.pk]) + "?size=thumb"


class QuoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author_name = serializers.CharField()
    excerpt = serializers.SerializerMethodField()

    def get_excerpt(self, obj) -> str | None:
        if not getattr(obj, "show_body", False):
            return None
        return html_to_text(obj.body_html)[:120]


class PostSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    hidden_reason = serializers.SerializerMethodField()
    is_official = serializers.BooleanField(read_only=True)
    organization_name = serializers.SerializerMethodField()
    quote = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    can_delete = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "thread",
            "author_name",
            "is_official",
            "organization",
            "organization_name",
            "is_opening",
            "state",
            "body_html",
            "hidden_reason",
            "quote",
            "images",
            "created_at",
            "edited_at",
            "edit_count",
            "mine",
            "can_edit",
            "can_delete",
        ]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        """`visible`, `deleted` (by the author) or `hidden` (by staff)."""
        if obj.is_deleted:
            return "deleted"
        return "hidden" if obj.is_hidden else "visible"

    def get_body_html(self, obj) -> str | None:
        return obj.body_html if getattr(obj, "show_body", False) else None

    def get_hidden_reason(self, obj) -> str:
        return obj.hidden_reason if obj.is_hidden else ""

    def get_organization_name(self, obj) -> str | None:
        return obj.organization.name if obj.organization_id else None

    def get_quote(self, obj) -> dict | None:
        return QuoteSerializer(obj.quote).data if obj.quote_id and obj.quote else None

    def get_images(self, obj) -> list[dict]:
        if not getattr(obj, "show_body", False):
            return []
        return ImageSerializer(obj.images.all(), many=True).data

    def get_mine(self, obj) -> bool:
        return getattr(obj, "is_mine", False)

    def get_can_edit(self, obj) -> bool:
        return getattr(obj, "can_edit", False)

    def get_can_delete(self, obj) -> bool:
        return getattr(obj, "can_delete", False)


class PostPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PostSerializer(many=True)


class PostCreateSerializer(serializers.Serializer):
    body = serializers.CharField(
        allow_blank=True, required=False, default="", trim_whitespace=False
    )
    body_format = serializers.ChoiceField(choices=BODY_FORMATS, required=False, default="text")
    quote = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=MAX_ID, help_text="引用的回复id"
    )
    organization = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_ID,
        help_text="工作人员以党组织名义回复（党组织回复）时填写组织id",
    )
    images = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="图片（multipart）"
    )


class PostEditSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body_format = serializers.ChoiceField(choices=BODY_FORMATS, required=False, default="text")
    title = serializers.CharField(required=False, allow_blank=True, help_text="仅主题正文可改标题")


class SearchHitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    thread = serializers.IntegerField(source="thread_id")
    thread_title = serializers.CharField(source="thread.title")
    board = serializers.CharField(source="thread.board")
    author_name = serializers.CharField()
    excerpt = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    url = serializers.CharField(source="get_absolute_url")

    def get_excerpt(self, obj) -> str:
        return html_to_text(obj.body_html)[:160]


class SearchPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SearchHitSerializer(many=True)


class ModerationSerializer(serializers.Serializer):
    action = serializers.CharField()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReadMarkSerializer(serializers.Serializer):
    # Bounded: the id goes into raw SQL, where a number beyond bigint was a 500.
    post = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="读到的回复id；缺省为最新一条"
    )


class ShareSerializer(serializers.Serializer):
    shared = serializers.BooleanField()


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=PostReport.Reason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class ReportSerializer(serializers.ModelSerializer):
    thread_title = serializers.CharField(source="thread.title", read_only=True)
    post_author_name = serializers.CharField(source="post.author_name", read_only=True)
    post_excerpt = serializers.SerializerMethodField()

    class Meta:
        model = PostReport
        fields = [
            "id",
            "post",
            "thread",
            "thread_title",
            "post_author_name",
            "post_excerpt",
            "reason",
            "note",
            "status",
            "created_at",
            "handled_at",
            "resolution",
        ]
        read_only_fields = fields

    def get_post_excerpt(self, obj) -> str:
        return html_to_text(obj.post.body_html)[:160]


class ReportPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ReportSerializer(many=True)


class ReportResolveSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[PostReport.Status.RESOLVED, PostReport.Status.DISMISSED]
    )
    resolution = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    hide_post = serializers.BooleanField(required=False, default=False)


class QueueThreadSerializer(ThreadSerializer):
    age_seconds = serializers.SerializerMethodField()

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "age_seconds"]
        read_only_fields = fields

    def get_age_seconds(self, obj) -> int:
        return int(obj.age.total_seconds())


class QueuePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = QueueThreadSerializer(many=True)


class StatsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    answered = serializers.IntegerField()
    average_seconds = serializers.IntegerField(allow_null=True)
    median_seconds = serializers.IntegerField(allow_null=True)
    unanswered = serializers.IntegerField()

"""The learning library in the admin: articles, the regulations library, feed sources and
(read-only) study records, all scoped to the staff member's organisations. Writes go through
learning.services."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from members import permissions as member_permissions
from members.admin.base import ReadOnlyScopedAdminMixin, ScopedAdminMixin
from members.models import Organization
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error
from sanyuan.queue import enqueue_now
from sanyuan.uploads import clean_document, clean_image

from . import permissions
from .models import Article, ArticleAttachment, FeedSource, Regulation, StudyRecord
from .regions import provinces
from .services import articles as article_services

INPUT_FIELDS = [
    "category",
    "title",
    "short_names",
    "summary",
    "body",
    "organization",
    "audience",
    "video_url",
    "pinned",
    "required",
    "issuing_body",
    "document_number",
    "effective_on",
    "target_skills",
]


class ArticleForm(forms.ModelForm):
    video_url = forms.URLField(
        label="视频链接", required=False, max_length=500, assume_scheme="https"
    )
    target_provinces = forms.MultipleChoiceField(
        label="目标流入省份",
        choices=lambda: list(provinces().items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="就业培训：流入这些省份的党员会收到通知（与目标技能为“或”的关系）。",
    )
    cover_upload = forms.FileField(
        label="封面图片", required=False, help_text="JPG、PNG 或 WebP，自动压缩并生成多种尺寸。"
    )
    attachment_upload = forms.FileField(
        label="添加附件", required=False, help_text="PDF、Word、Excel、PowerPoint，按内容识别。"
    )
    publish_now = forms.BooleanField(label="保存后立即发布", required=False)
    scheduled_at = forms.DateTimeField(
        label="定时发布时间",
        required=False,
        help_text="填写将来的时间则到时自动发布（留空则不定时）。",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Article
        fields = INPUT_FIELDS

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            self.fields["target_provinces"].initial = self.instance.province_codes
            if self.instance.scheduled_at:
                self.fields["scheduled_at"].initial = timezone.localtime(self.instance.scheduled_at)
            if self.instance.is_published:
                del self.fields["publish_now"]
                del self.fields["scheduled_at"]

    def article_input(self) -> article_services.ArticleInput:
        data = self.cleaned_data
        return article_services.ArticleInput(
            title=data.get("title", ""),
            category=data.get("category", ""),
            organization=data.get("organization"),
            audience=data.get("audience", ""),
            summary=data.get("summary", ""),
            body=data.get("body", ""),
            video_url=data.get("video_url", ""),
            pinned=data.get("pinned", False),
            required=data.get("required", False),
            issuing_body=data.get("issuing_body", ""),
            document_number=data.get("document_number", ""),
            effective_on=data.get("effective_on"),
            short_names=data.get("short_names", ""),
            target_skills=tuple(data.get("target_skills") or ()),
            target_provinces=tuple(data.get("target_provinces") or ()),
        )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            article_services.article_validate(actor=self.request.user, data=self.article_input())
        except ServiceError as exc:
            add_service_error(self, exc)
        scheduled = data.get("scheduled_at")
        if data.get("publish_now") or scheduled or self.instance.is_published:
            self._check_publishable(data)
        if scheduled and scheduled <= timezone.now() and not data.get("publish_now"):
            self.add_error(
                "scheduled_at", "定时发布时间应晚于现在；要马上发布请勾选“保存后立即发布”。"
            )
        return data

    def _check_publishable(self, data):
        message = article_services.publishable_error(
            required=data.get("required", False),
            category=data.get("category", ""),
            body=data.get("body", ""),
            video_url=data.get("video_url", ""),
            attachments=(self.instance.attachments.count() if self.instance.pk else 0)
            + (1 if data.get("attachment_upload") else 0),
        )
        if message:
            self.add_error("body", message)

    def clean_cover_upload(self):
        upload = self.cleaned_data.get("cover_upload")
        if upload:
            try:
                clean_image(upload, max_side=1920)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from exc
            upload.seek(0)
        return upload

    def clean_attachment_upload(self):
        upload = self.cleaned_data.get("attachment_upload")
        if upload:
            try:
                clean_document(upload)
            except ServiceError as exc:
                raise forms.ValidationError(exc.message) from exc
            upload.seek(0)
        return upload


class AttachmentInline(admin.TabularInline):
    model = ArticleAttachment
    extra = 0
    fields = ["original_name", "content_type", "size", "created_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return member_permissions.is_staff(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is not None and permissions.can_manage_article(request.user, obj)


@admin.register(Article)
class ArticleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ArticleForm
    list_display = [
        "title",
        "category",
        "organization",
        "audience",
        "status",
        "published_at",
        "scheduled_at",
        "pinned",
        "required",
    ]
    list_filter = ["category", "status", "audience", "pinned", "required"]
    list_select_related = ["organization"]
    search_fields = ["title", "short_names", "document_number"]
    autocomplete_fields = ["organization"]
    filter_horizontal = ["target_skills"]
    date_hierarchy = "published_at"
    inlines = [AttachmentInline]
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ["status", "published_at", "feed_source", "source_url", "created_at"]
    actions = ["publish_selected", "withdraw_selected", "pin_selected", "unpin_selected"]
    fieldsets = [
        (None, {"fields": ["category", "title", "short_names", "summary", "body", "video_url"]}),
        (
            "发布",
            {
                "fields": [
                    "organization",
                    "audience",
                    "pinned",
                    "required",
                    "publish_now",
                    "scheduled_at",
                    "status",
                    "published_at",
                ]
            },
        ),
        ("图片和附件", {"fields": ["cover_upload", "attachment_upload"]}),
        (
            "党内法规",
            {
                "classes": ["collapse"],
                "fields": ["issuing_body", "document_number", "effective_on"],
            },
        ),
        ("就业培训", {"classes": ["collapse"], "fields": ["target_skills", "target_provinces"]}),
        ("来源", {"classes": ["collapse"], "fields": ["feed_source", "source_url", "created_at"]}),
    ]

    def scope_queryset(self, request, qs):
        return permissions.filter_articles_manageable_by(request.user, qs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.is_published:
            fieldsets = [
                (
                    name,
                    {
                        **opts,
                        "fields": [
                            f for f in opts["fields"] if f not in ("publish_now", "scheduled_at")
                        ],
                    },
                )
                for name, opts in fieldsets
            ]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = member_permissions.filter_organizations_visible_to(
                request.user, Organization.objects.all()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = form.article_input()
        if change:
            article = article_services.article_update(actor=request.user, article=obj, data=data)
        else:
            article = article_services.article_create(actor=request.user, data=data)
            obj.pk = article.pk
        upload = form.cleaned_data.get("cover_upload")
        if upload:
            article_services.article_set_cover(actor=request.user, article=article, upload=upload)
        attachment = form.cleaned_data.get("attachment_upload")
        if attachment:
            article_services.article_attachment_add(
                actor=request.user, article=article, upload=attachment
            )
        scheduled = form.cleaned_data.get("scheduled_at")
        if form.cleaned_data.get("publish_now") or scheduled:
            article_services.article_publish(
                actor=request.user,
                article=article,
                at=None if form.cleaned_data.get("publish_now") else scheduled,
            )
        obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # target_skills were set by the service; only the attachment inline (deletions) remains.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="发布所选资料")
    def publish_selected(self, request, queryset):
        self._each(request, queryset, article_services.article_publish, "已发布")

    @admin.action(description="撤回所选资料")
    def withdraw_selected(self, request, queryset):
        self._each(request, queryset, article_services.article_withdraw, "已撤回")

    @admin.action(description="置顶")
    def pin_selected(self, request, queryset):
        for article in queryset:
            article_services.article_set_pinned(actor=request.user, article=article, pinned=True)

    @admin.action(description="取消置顶")
    def unpin_selected(self, request, queryset):
        for article in queryset:
            article_services.article_set_pinned(actor=request.user, article=article, pinned=False)

    def _each(self, request, queryset, service, verb):
        done, errors = 0, []
        for article in queryset.select_related("organization"):
            try:
                service(actor=request.user, article=article)
                done += 1
            except ServiceError as exc:
                errors.append(f"《{article.title}》：{exc.message}")
        if done:
            self.message_user(request, f"{verb} {done} 篇。", messages.SUCCESS)
        for error in errors:
            self.message_user(request, error, messages.WARNING)


@admin.register(Regulation)
class RegulationAdmin(ArticleAdmin):
    list_display = ["title", "document_number", "issuing_body", "effective_on", "status"]
    list_filter = ["status", "issuing_body"]
    date_hierarchy = "effective_on"

    def scope_queryset(self, request, qs):
        return super().scope_queryset(request, qs).filter(category=Article.Category.REGULATION)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("category", Article.Category.REGULATION)
        return initial


class FeedSourceForm(forms.ModelForm):
    url = forms.URLField(
        label="地址",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=FeedSource._meta.get_field("url").help_text,
    )

    class Meta:
        model = FeedSource
        fields = [
            "name",
            "kind",
            "url",
            "category",
            "organization",
            "audience",
            "publish_immediately",
            "enabled",
            "poll_minutes",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        if data.get("kind") == FeedSource.Kind.RSS and not data.get("url"):
            self.add_error("url", "RSS/Atom 来源请填写订阅地址。")
        org = data.get("organization")
        if org is not None and not permissions.can_publish_to(
            self.request.user, organization=org, audience=data.get("audience", "")
        ):
            self.add_error("organization", "所选组织或阅读范围不在您的发布权限内。")
        if data.get("poll_minutes") is not None and data["poll_minutes"] < 5:
            self.add_error("poll_minutes", "同步间隔不能少于5分钟。")
        return data


@admin.register(FeedSource)
class FeedSourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = FeedSourceForm
    list_display = [
        "name",
        "kind",
        "category",
        "enabled",
        "publish_immediately",
        "last_success_at",
        "failure_count",
        "short_error",
    ]
    list_filter = ["kind", "enabled"]
    list_select_related = ["organization"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["organization"]
    readonly_fields = [
        "last_run_at",
        "last_success_at",
        "last_imported",
        "failure_count",
        "last_error",
        "next_poll_at",
    ]
    actions = ["sync_now"]

    def scope_queryset(self, request, qs):
        return permissions.filter_feed_sources_manageable_by(request.user, qs)

    def has_module_permission(self, request):
        return permissions.can_manage_feed_sources(request.user)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_view_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    @admin.display(description="最近错误")
    def short_error(self, obj):
        return (obj.last_error or "—")[:60]

    @admin.action(description="立即同步")
    def sync_now(self, request, queryset):

        count = sum(
            enqueue_now("learning.feed-sync-source", pk)
            for pk in queryset.values_list("pk", flat=True)
        )
        self.message_user(request, f"已安排同步 {count} 个来源，稍后刷新查看结果。")


@admin.register(StudyRecord)
class StudyRecordAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "article", "seconds", "opened_at", "finished_at", "last_reported_at"]
    list_select_related = ["member", "article"]
    search_fields = ["member__name", "article__title"]
    list_filter = [("finished_at", admin.EmptyFieldListFilter)]
    date_hierarchy = "opened_at"
    show_full_result_count = False
    list_per_page = 100

    def scope_queryset(self, request, qs):
        return permissions.filter_study_records_visible_to(request.user, qs)

"""Admin for activities, materials and attendance, scoped to the staff member's subtrees;
every write goes through the services."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from members import permissions as member_permissions
from members.admin.base import ReadOnlyScopedAdminMixin, ScopedAdminMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error
from sanyuan.sanitize import clean_html, html_to_text

from . import permissions, services
from .models import Activity, ActivityMaterial, Attendance
from .services.materials import material_file_clean


class ActivityAdminForm(forms.ModelForm):
    # Checked by the service (https only), with its message.
    online_url = forms.CharField(label="线上参会链接", max_length=500, required=False)

    class Meta:
        model = Activity
        fields = [
            "organization",
            "kind",
            "title",
            "audience",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "host_name",
            "recorder_name",
            "lecturer_name",
            "agenda",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            cleaned = services.activity_clean(
                user=self.request.user,
                data=services.ActivityInput(
                    **{name: data.get(name) for name in services.ActivityInput.__dataclass_fields__}
                ),
            )
        except ServiceError as exc:
            add_service_error(self, exc)
            return data
        data.update(cleaned.__dict__)
        return data


@admin.register(Activity)
class ActivityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = ActivityAdminForm
    list_display = [
        "title",
        "kind",
        "organization",
        "starts_at",
        "audience_column",
        "status",
        "sheet_link",
    ]
    list_filter = ["kind", "status", "audience", ("organization", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    date_hierarchy = "starts_at"
    ordering = ["-starts_at"]
    list_per_page = 100
    readonly_fields = [
        "status",
        "published_at",
        "held_at",
        "cancelled_at",
        "cancel_reason",
        "reminded_at",
    ]
    actions = ["publish_selected", "mark_held_selected"]

    @admin.display(description="参加对象", ordering="audience")
    def audience_column(self, obj):
        return obj.audience_label

    def scope_queryset(self, request, qs):
        return permissions.filter_activities_visible_to(request.user, qs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            kwargs["queryset"] = member_permissions.filter_organizations_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status not in (
            Activity.Status.PLANNED,
            Activity.Status.PUBLISHED,
        ):
            return False
        return super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    @admin.display(description="参会情况")
    def sheet_link(self, obj):
        return format_html(
            '<a href="{}">参会情况表</a>', reverse("activities:staff-attendance", args=[obj.pk])
        )

    def save_model(self, request, obj, form, change):
        data = services.ActivityInput.from_activity(obj)
        if change:
            services.activity_update(user=request.user, activity=obj, data=data)
        else:
            created = services.activity_create(user=request.user, data=data)
            for field in Activity._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))

    def _run(self, request, queryset, action, done: str):
        ok = 0
        for activity in queryset.select_related("organization"):
            try:
                action(user=request.user, activity=activity)
                ok += 1
            except ServiceError as exc:
                self.message_user(request, f"{activity.title}：{exc.message}", messages.WARNING)
        if ok:
            self.message_user(request, f"{ok}项活动{done}。", messages.SUCCESS)

    @admin.action(description="发布所选活动并通知参加对象")
    def publish_selected(self, request, queryset):
        self._run(request, queryset, services.activity_publish, "已发布")

    @admin.action(description="将所选活动标记为已召开")
    def mark_held_selected(self, request, queryset):
        self._run(request, queryset, services.activity_mark_held, "已标记为已召开")


class MaterialAdminForm(forms.ModelForm):
    upload = forms.FileField(label="文件", required=False)

    class Meta:
        model = ActivityMaterial
        fields = ["activity", "kind", "title", "body"]

    def clean(self):
        """The service's checks, so that a refusal shows on the form (the file is checked
        again when saved)."""
        data = super().clean()
        if self.errors:
            return data
        if data["activity"].status == Activity.Status.CANCELLED:
            self.add_error("activity", "活动已取消，不能再添加资料。")
        upload = data.get("upload")
        if upload is None and not html_to_text(clean_html(data.get("body") or "")):
            self.add_error("upload", "请上传文件或填写正文。")
        if upload is not None:
            try:
                material_file_clean(upload)
            except ServiceError as exc:
                self.add_error("upload", exc.message)
        return data


@admin.register(ActivityMaterial)
class ActivityMaterialAdmin(ScopedAdminMixin, admin.ModelAdmin):
    form = MaterialAdminForm
    list_display = ["title", "kind", "activity", "original_name", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "activity__title"]
    list_select_related = ["activity"]
    autocomplete_fields = ["activity"]
    list_per_page = 100

    def scope_queryset(self, request, qs):
        return permissions.filter_materials_visible_to(request.user, qs)

    def has_change_permission(self, request, obj=None):
        # Materials are added (and removed on the staff page), never edited in place.
        return obj is None and super().has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        if obj is None:
            return super().get_fields(request, obj)
        # Read-only: the stored material as members read it (the upload field is for adding).
        return ["activity", "kind", "title", "content", "original_name", "created_at"]

    @admin.display(description="正文")
    def content(self, obj):
        return mark_safe(clean_html(obj.body)) if obj.body else "—"

    def save_model(self, request, obj, form, change):
        created = services.material_add(
            user=request.user,
            activity=form.cleaned_data["activity"],
            kind=form.cleaned_data["kind"],
            title=form.cleaned_data["title"],
            body=form.cleaned_data.get("body", ""),
            upload=form.cleaned_data.get("upload"),
        )
        obj.pk = created.pk

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "activity":
            kwargs["queryset"] = permissions.filter_activities_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "activity",
        "status",
        "reason",
        "participation",
        "home_organization",
        "studied_at",
    ]
    list_filter = ["status", "participation", "activity__kind"]
    search_fields = ["member__name", "activity__title"]
    list_select_related = ["member", "activity", "home_organization"]
    list_per_page = 100

    def scope_queryset(self, request, qs):
        return permissions.filter_attendances_visible_to(request.user, qs)

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sanyuan.errors import ServiceError

from . import permissions
from .adminlib import ReadOnlyScopedAdminMixin, ScopedAdminMixin
from .identity import normalize_id_number, normalize_name, normalize_phone
from .models import AuditEvent, Member, Notice, NoticeDelivery, OneTimeCode, Organization, User
from .services import archive, notices, organizations


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["code", "name", "kind", "parent"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["kind"].disabled = True

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        user = self.request.user
        if parent is not None and not permissions.in_scope(user, parent):
            raise forms.ValidationError("上级组织不在您的管理范围内。")
        if parent is None and not self.instance.pk and permissions.user_tier(user) != "county":
            raise forms.ValidationError("请选择上级组织。")
        if self.instance.pk and parent is not None and parent.path.startswith(self.instance.path):
            raise forms.ValidationError("不能把组织移到它自己的下级组织之下。")
        return parent

    def clean(self):
        data = super().clean()
        kind = self.instance.kind if self.instance.pk else data.get("kind")
        if kind and "parent" in data:
            try:
                organizations.organization_check_parent(kind, data["parent"])
            except ServiceError as exc:
                self.add_error("parent", exc.message)
        return data


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["indented_name", "code", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]
    list_per_page = 100
    form = OrganizationForm

    def scope_queryset(self, request, qs):
        return permissions.filter_organizations_visible_to(request.user, qs)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    @admin.display(description="组织名称", ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            organizations.organization_update(
                organization=obj, name=data["name"], parent=data.get("parent")
            )
        else:
            created = organizations.organization_create(
                code=data["code"], name=data["name"], kind=data["kind"], parent=data.get("parent")
            )
            obj.pk = created.pk
            obj.path = created.path


class MemberAdminForm(forms.ModelForm):
    id_number_input = forms.CharField(label="身份证号码", max_length=60, required=False)

    class Meta:
        model = Member
        fields = ["name", "phone", "organization"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            del self.fields["id_number_input"]
        else:
            self.fields["id_number_input"].required = True

    def _normalized(self, field, func):
        try:
            return func(self.cleaned_data.get(field, ""), field=field)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_name(self):
        return self._normalized("name", normalize_name)

    def clean_phone(self):
        return self._normalized("phone", normalize_phone)

    def clean_id_number_input(self):
        return self._normalized("id_number_input", normalize_id_number)

    def clean_organization(self):
        org = self.cleaned_data.get("organization")
        if org is not None and not permissions.in_scope(self.request.user, org):
            raise forms.ValidationError("所选党组织不在您的管理范围内。")
        return org


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "id_number_masked", "sex", "phone", "organization", "activated_at"]
    list_select_related = ["organization"]
    search_fields = ["name", "id_number_masked", "phone"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["id_number_masked", "sex", "birth_date", "activated_at", "created_at"]
    list_per_page = 100
    form = MemberAdminForm
    show_full_result_count = False

    def scope_queryset(self, request, qs):
        return permissions.filter_members_visible_to(request.user, qs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "id_number_input", "phone", "organization"]
        return [
            "name",
            "id_number_masked",
            "sex",
            "birth_date",
            "phone",
            "organization",
            "activated_at",
            "created_at",
        ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = [
            f for f in self.get_fields(request, obj) if f not in self.readonly_fields
        ]
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            archive.member_update(
                actor=request.user,
                member=obj,
                name=data["name"],
                phone=data["phone"],
                organization=data["organization"],
            )
        else:
            created = archive.member_create(
                actor=request.user,
                name=data["name"],
                id_number=data["id_number_input"],
                phone=data["phone"],
                organization=data["organization"],
            )
            obj.pk = created.pk


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "target_type", "target_id", "ip_address"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def scope_queryset(self, request, qs):
        # The county tier reads the audit log; nobody else.
        if permissions.user_tier(request.user) == permissions.TIER_COUNTY:
            return qs
        return qs.none()

    def has_module_permission(self, request):
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY


@admin.register(OneTimeCode)
class OneTimeCodeAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "member",
        "channel",
        "issued_by",
        "created_at",
        "expires_at",
        "used_at",
        "voided_at",
        "failed_attempts",
    ]
    list_select_related = ["member", "issued_by"]
    exclude = ["code_hash"]

    def scope_queryset(self, request, qs):
        return qs.filter(permissions.scope_q(request.user, via="member__organization__"))


@admin.register(User)
class SanyuanUserAdmin(UserAdmin):
    """Accounts are an operations matter (superusers); staff use `add_staff`."""

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(Notice)
class NoticeAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "title",
        "audience",
        "audience_organization",
        "dispatched_at",
    ]
    list_filter = ["kind", "audience"]
    list_select_related = ["audience_organization"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def scope_queryset(self, request, qs):
        if permissions.user_tier(request.user) == permissions.TIER_COUNTY:
            return qs
        return qs.filter(permissions.scope_q(request.user, via="audience_organization__"))


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """The outbox of SMS and e-mail; dead-lettered deliveries can be sent again."""

    list_display = [
        "created_at",
        "notice",
        "channel",
        "status",
        "attempts",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "channel"]
    list_select_related = ["notice"]
    actions = ["retry_dead"]
    show_full_result_count = False

    def scope_queryset(self, request, qs):
        if permissions.user_tier(request.user) == permissions.TIER_COUNTY:
            return qs
        return qs.none()

    def has_module_permission(self, request):
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY

    def has_change_permission(self, request, obj=None):
        # The list action needs it; the change form itself shows read-only fields.
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    @admin.action(description="重新发送所选的失败记录")
    def retry_dead(self, request, queryset):
        count = notices.notice_delivery_retry(deliveries=queryset)
        self.message_user(request, f"已重新安排发送 {count} 条。")

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from sanyuan.errors import FieldErrors, ServiceError
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from . import permissions
from .adminlib import ReadOnlyScopedAdminMixin, ScopedAdminMixin
from .identity import normalize_id_number
from .models import (
    AuditEvent,
    ChangeRequest,
    ContactLog,
    Member,
    Notice,
    NoticeDelivery,
    OneTimeCode,
    Organization,
    RosterImport,
    Skill,
    User,
)
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


ARCHIVE_FORM_FIELDS = [
    "name",
    "phone",
    "ethnicity",
    "education",
    "party_standing",
    "joined_party_on",
    "organization",
    "left_home_on",
    "destination_province",
    "destination_city",
    "destination_district",
    "destination_address",
    "host_organization",
    "occupation",
    "employer",
    "monthly_income",
    "skills",
    "family_situation",
    "mindset_note",
    "status",
    "is_vanguard",
    "is_giving_back_pacesetter",
    "support_group",
]


class MemberAdminForm(forms.ModelForm):
    """Checks with the same rules as the API (members.archive_fields) before anything is saved."""

    id_number_input = forms.CharField(label="身份证号码", max_length=60, required=False)
    family_situation = forms.CharField(
        label="家中生产生活情况", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    mindset_note = forms.CharField(
        label="思想状况（工作人员记录）", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Member
        fields = ARCHIVE_FORM_FIELDS

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            self.fields.pop("id_number_input", None)
        elif "id_number_input" in self.fields:
            self.fields["id_number_input"].required = True

    def clean_id_number_input(self):
        try:
            return normalize_id_number(
                self.cleaned_data.get("id_number_input", ""), field="id_number_input"
            )
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_organization(self):
        org = self.cleaned_data.get("organization")
        if org is not None and not permissions.in_scope(self.request.user, org):
            raise forms.ValidationError("所选党组织不在您的管理范围内。")
        return org

    def archive_values(self) -> dict:
        data = self.cleaned_data
        values = {field: data[field] for field in ARCHIVE_FORM_FIELDS if field in data}
        honours = []
        if values.pop("is_vanguard", False):
            honours.append("vanguard")
        if values.pop("is_giving_back_pacesetter", False):
            honours.append("giving_back_pacesetter")
        values["honours"] = honours
        if "skills" in values:
            values["skills"] = [skill.pk for skill in values["skills"]]
        for key in ("destination_province", "destination_city", "destination_district"):
            if key in values and values[key] is None:
                values[key] = ""
        return values

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from .archive_fields import STAFF_FIELDS, clean_archive_values
        from .identity import id_number_birth_date

        birth = (
            self.instance.birth_date
            if self.instance.pk
            else id_number_birth_date(data.get("id_number_input", ""))
        )
        values = self.archive_values()
        values.pop("organization", None)
        values.pop("host_organization", None)
        try:
            clean_archive_values(
                values,
                allowed=STAFF_FIELDS,
                birth_date=birth,
                current=self.instance if self.instance.pk else None,
            )
        except FieldErrors as exc:
            for field, problems in exc.errors.items():
                target = field if field in self.fields else None
                for problem in problems:
                    self.add_error(target, problem)
        return data


class OrganizationSubtreeFilter(admin.SimpleListFilter):
    title = "党组织（含下级）"
    parameter_name = "org"

    def lookups(self, request, model_admin):
        orgs = permissions.filter_organizations_visible_to(request.user).filter(depth__lte=4)[:200]
        return [(org.pk, "　" * org.depth + org.name) for org in orgs]

    def queryset(self, request, queryset):
        value = self.value()
        if parse_int(value) is None:
            return queryset
        org = permissions.filter_organizations_visible_to(request.user).filter(pk=value).first()
        return queryset.filter(organization__path__startswith=org.path) if org else queryset.none()


class DestinationProvinceFilter(admin.SimpleListFilter):
    title = "流入省份"
    parameter_name = "province"

    def lookups(self, request, model_admin):
        from .models import Region

        return list(Region.objects.filter(level="province").values_list("code", "name"))

    def queryset(self, request, queryset):
        return queryset.filter(destination_province=self.value()) if self.value() else queryset


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "id_number_masked",
        "sex",
        "phone",
        "organization",
        "destination_province",
        "status",
        "activated_at",
    ]
    list_select_related = ["organization"]
    list_filter = [
        OrganizationSubtreeFilter,
        DestinationProvinceFilter,
        "status",
        "party_standing",
        "occupation",
        "skills",
    ]
    search_fields = ["name", "id_number_masked", "phone"]
    autocomplete_fields = ["organization", "host_organization"]
    filter_horizontal = ["skills"]
    readonly_fields = [
        "id_number_masked",
        "sex",
        "birth_date",
        "activated_at",
        "last_contacted_at",
        "created_at",
    ]
    list_per_page = 100
    form = MemberAdminForm
    show_full_result_count = False
    actions = ["export_selected"]

    def scope_queryset(self, request, qs):
        return permissions.filter_members_visible_to(request.user, qs)

    def has_change_permission(self, request, obj=None):
        # Host-organisation staff read the members they host; only home staff edit.
        if obj is None:
            return permissions.is_staff_user(request.user)
        return permissions.can_manage_member(request.user, obj)

    def get_search_results(self, request, queryset, search_term):
        from .selectors.registry import _search_q

        if not search_term.strip():
            return queryset, False
        return queryset.filter(_search_q(search_term)), False

    def get_fieldsets(self, request, obj=None):
        identity = (
            ["name", "id_number_input"]
            if obj is None
            else ["name", "id_number_masked", "sex", "birth_date"]
        )
        return [
            ("基本信息", {"fields": [*identity, "ethnicity", "education", "phone"]}),
            (
                "党员信息",
                {
                    "fields": [
                        "party_standing",
                        "joined_party_on",
                        "organization",
                        "status",
                        "is_vanguard",
                        "is_giving_back_pacesetter",
                        "support_group",
                    ]
                },
            ),
            (
                "流动信息",
                {
                    "fields": [
                        "left_home_on",
                        "destination_province",
                        "destination_city",
                        "destination_district",
                        "destination_address",
                        "host_organization",
                    ]
                },
            ),
            (
                "就业与家庭（敏感）",
                {
                    "fields": [
                        "occupation",
                        "employer",
                        "monthly_income",
                        "skills",
                        "family_situation",
                        "mindset_note",
                    ]
                },
            ),
            *(
                [("记录", {"fields": ["activated_at", "last_contacted_at", "created_at"]})]
                if obj
                else []
            ),
        ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = None
        form_class = super().get_form(request, obj, **kwargs)

        class RequestForm(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return RequestForm

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and parse_int(object_id) is not None:
            member = self.get_queryset(request).filter(pk=object_id).first()
            if member is not None:
                archive.member_record_view(actor=request.user, member=member, ip=client_ip(request))
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        values = form.archive_values()
        if change:
            archive.member_update(actor=request.user, member=obj, **values)
        else:
            created = archive.member_create(
                actor=request.user,
                id_number=form.cleaned_data["id_number_input"],
                **values,
            )
            obj.pk = created.pk

    def save_related(self, request, form, formsets, change):
        """Skills were saved by the service."""

    @admin.action(description="导出所选档案到Excel（身份证号脱敏，将被记录）")
    def export_selected(self, request, queryset):
        from django.http import HttpResponse

        from .services.exports import member_export

        content = member_export(
            actor=request.user,
            queryset=queryset,
            filters={"selected": queryset.count()},
            ip=client_ip(request),
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename=members.xlsx"
        return response


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """The maintained skills list: county staff extend it, everyone in staff reads it."""

    list_display = ["name", "category"]
    search_fields = ["name"]

    def has_module_permission(self, request):
        return permissions.is_staff_user(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_staff_user(request.user)

    def has_add_permission(self, request):
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY

    def has_change_permission(self, request, obj=None):
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """Listed here for search; reviewing happens on the staff page (diff, evidence)."""

    list_display = ["member", "asked_fields", "status", "created_at", "reviewed_at", "review_link"]
    list_filter = ["status"]
    list_select_related = ["member"]
    exclude = ["changes_json"]

    @admin.display(description="涉及字段", ordering="fields")
    def asked_fields(self, obj):
        return obj.field_labels

    def scope_queryset(self, request, qs):
        return qs.filter(permissions.scope_q(request.user, via="member__organization__"))

    @admin.display(description="审核")
    def review_link(self, obj):
        from django.utils.html import format_html

        return format_html('<a href="/staff/change-requests/{}/">打开审核页</a>', obj.pk)


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["member", "contacted_on", "channel", "mindset", "staff"]
    list_filter = ["channel", "mindset"]
    list_select_related = ["member", "staff"]
    date_hierarchy = "contacted_on"

    def scope_queryset(self, request, qs):
        return qs.filter(permissions.scope_q(request.user, via="member__organization__"))


@admin.register(RosterImport)
class RosterImportAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "file_name",
        "uploaded_by",
        "status",
        "total_rows",
        "valid_rows",
        "created",
        "updated",
        "created_at",
    ]
    exclude = ["content", "errors_json"]

    def scope_queryset(self, request, qs):
        if permissions.user_tier(request.user) == permissions.TIER_COUNTY:
            return qs
        return qs.filter(uploaded_by=request.user)


class AuditActorFilter(admin.SimpleListFilter):
    """Staff accounts by name (members are found through the search box by account name)."""

    title = "操作人（工作人员）"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        return list(
            User.objects.filter(is_staff=True)
            .order_by("username")
            .values_list("pk", "username")[:200]
        )

    def queryset(self, request, queryset):
        value = self.value()
        if parse_int(value) is not None:
            return queryset.filter(actor_id=parse_int(value))
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyScopedAdminMixin, admin.ModelAdmin):
    """Searchable by the county tier: action, actor, date, target (type and id), address.
    Nobody may change or delete an event (on PostgreSQL the database refuses it too)."""

    list_display = [
        "created_at",
        "action",
        "actor",
        "target_type",
        "target_id",
        "ip_address",
        "detail_text",
    ]
    list_filter = ["action", AuditActorFilter, "target_type"]
    search_fields = ["=actor__username", "=target_id", "=action"]
    search_help_text = "按操作人用户名、对象编号、操作代码或IP地址精确查找"
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False
    readonly_fields = [
        "created_at",
        "action",
        "actor",
        "target_type",
        "target_id",
        "ip_address",
        "detail_text",
    ]
    exclude = ["detail"]

    @admin.display(description="详情")
    def detail_text(self, obj):
        import json

        return json.dumps(obj.detail, ensure_ascii=False)[:300]

    def get_search_results(self, request, queryset, search_term):
        import ipaddress

        term = search_term.strip()
        try:
            address = str(ipaddress.ip_address(term))
        except ValueError:
            return super().get_search_results(request, queryset, term)
        return queryset.filter(ip_address=address), False

    def scope_queryset(self, request, qs):
        # The county tier reads the audit log; nobody else.
        if permissions.user_tier(request.user) == permissions.TIER_COUNTY:
            return qs
        return qs.none()

    def has_module_permission(self, request):
        return permissions.user_tier(request.user) == permissions.TIER_COUNTY

    def has_view_permission(self, request, obj=None):
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

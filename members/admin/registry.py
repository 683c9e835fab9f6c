"""Admin of the registry: archives (the field policy decides what each viewer reads), skills,
change requests, contact logs, roster imports and issued one-time codes."""

from django import forms
from django.contrib import admin

from sanyuan.errors import FieldErrors, ServiceError
from sanyuan.forms import add_service_error
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from .. import permissions
from ..identity import normalize_id_number
from ..models import (
    ChangeRequest,
    ContactLog,
    Member,
    OneTimeCode,
    RosterImport,
    Skill,
)
from ..services import archive
from .base import ReadOnlyScopedAdminMixin, ScopedAdminMixin

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
        if org is not None and not permissions.can_create_member_in(self.request.user, org):
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
        from ..archive_fields import STAFF_FIELDS, clean_archive_values
        from ..identity import id_number_birth_date

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
            add_service_error(self, exc)
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
        from ..models import Region

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
            return permissions.is_staff(request.user)
        return permissions.can_manage_member(request.user, obj)

    def lookup_allowed(self, lookup, value, request):
        # The admin accepts a filter on any field of the model from the query string
        # (?monthly_income__gte=…): a field the field policy hides from a viewer the user
        # reads rows through (host staff) would sort those rows by its value.
        from ..archive_fields import ARCHIVE_FIELDS, may_see

        field = lookup.split("__", 1)[0]
        viewers = permissions.export_viewers(request.user)
        if field in ARCHIVE_FIELDS and not all(may_see(viewer, field) for viewer in viewers):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        from ..selectors.registry import _search_q

        if not search_term.strip():
            return queryset, False
        return queryset.filter(_search_q(search_term)), False

    # Admin fields shown under the name of the archive field the field policy knows.
    POLICY_FIELD = {
        "id_number_masked": "id_number",
        "id_number_input": "id_number",
        "is_vanguard": "honours",
        "is_giving_back_pacesetter": "honours",
        "activated_at": "is_activated",
    }

    def _visible(self, request, obj) -> frozenset[str]:
        from ..archive_fields import HOME_STAFF, visible_fields

        if obj is None:  # a new archive: its creator keeps it at home
            return visible_fields(HOME_STAFF[0])
        return visible_fields(permissions.archive_viewer(request.user, obj))

    def get_fieldsets(self, request, obj=None):
        visible = self._visible(request, obj)
        fieldsets = []
        for title, options in self._all_fieldsets(obj):
            shown = [f for f in options["fields"] if self.POLICY_FIELD.get(f, f) in visible]
            if shown:
                fieldsets.append((title, {**options, "fields": shown}))
        return fieldsets

    def _all_fieldsets(self, obj):
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None and not self.has_change_permission(request, obj):
            # Read-only view (host staff): every field shown is read-only, none is a form field.
            kwargs.update(form=forms.ModelForm, fields=(), exclude=None)
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["fields"] = None
        form_class = super().get_form(request, obj, change=change, **kwargs)

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

        from ..services.exports import member_export

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
        return permissions.is_staff(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_staff(request.user)

    def has_add_permission(self, request):
        return permissions.can_manage_skills(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.can_manage_skills(request.user)

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
        return permissions.filter_change_requests_visible_to(request.user, qs)

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
        return qs.filter(permissions.contact_logs_q(request.user))


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
        return permissions.filter_rosters_visible_to(request.user, qs)


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
        return permissions.filter_one_time_codes_visible_to(request.user, qs)

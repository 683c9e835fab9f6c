"""Admin of the archive: what each viewer reads follows the field policy (host staff read only)."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.inputs import parse_int
from sanyuan.net import client_ip

from .. import permissions
from ..archive_fields import DESTINATION_FIELDS, region_name
from ..models import (
    Member,
)
from ..services import archive
from .archive_forms import (
    DestinationProvinceFilter,
    MemberAdminForm,
    OrganizationSubtreeFilter,
)
from .base import ScopedAdminMixin


@admin.register(Member)
class MemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "id_number_masked",
        "sex",
        "phone",
        "organization",
        "destination",
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
    search_fields = ["name"]
    # Names only: a full ID or phone number typed here would sit in the URL and the access
    # logs. The staff page's POST form searches by those.
    search_help_text = lazy(
        lambda: format_html(
            '按姓名查找。按完整身份证号或手机号查找请用<a href="{}#search-full">档案页的号码查找</a>。',
            reverse("members:staff-members"),
        ),
        SafeString,
    )()
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

    @admin.display(description="流入地", ordering="destination_city")
    def destination(self, obj):
        from ..archive_fields import destination_name

        return destination_name(obj.destination_province, obj.destination_city, "") or "—"

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

        field, _, rest = lookup.partition("__")
        if field in Member.ENCRYPTED_FIELDS and rest != "isnull":
            # A comparison with a Fernet token answers wrongly (every token sorts after
            # digits, and no two tokens of one value are equal): filter on the band or hash.
            return False
        viewers = permissions.export_viewers(request.user)
        if field in ARCHIVE_FIELDS and not all(may_see(viewer, field) for viewer in viewers):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(name__contains=term), False

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
        # Read-only (host staff): regions by name, not by the stored code.
        names = obj is not None and not self.has_change_permission(request, obj)
        fieldsets = []
        for title, options in self._all_fieldsets(obj):
            shown = [
                f"{f}_name" if names and f in DESTINATION_FIELDS else f
                for f in options["fields"]
                if self.POLICY_FIELD.get(f, f) in visible
            ]
            if shown:
                fieldsets.append((title, {**options, "fields": shown}))
        return fieldsets

    @admin.display(description="流入省份")
    def destination_province_name(self, obj):
        return region_name(obj.destination_province) or "—"

    @admin.display(description="流入城市")
    def destination_city_name(self, obj):
        return region_name(obj.destination_city) or "—"

    @admin.display(description="流入区县")
    def destination_district_name(self, obj):
        return region_name(obj.destination_district) or "—"

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
            # The admin's confirmation names `obj`: it is the archive as created (masked ID
            # number included), not the form's partial copy ("赵新民（）").
            for field in Member._meta.concrete_fields:
                setattr(obj, field.attname, getattr(created, field.attname))

    def save_related(self, request, form, formsets, change):
        """Skills were saved by the service."""

    @admin.action(description="导出所选档案到Excel（身份证号脱敏，将被记录）")
    def export_selected(self, request, queryset):
        from django.conf import settings
        from django.contrib import messages
        from django.http import HttpResponse

        from ..services.export_jobs import export_needs_job
        from ..services.exports import member_export

        if export_needs_job(queryset):
            self.message_user(
                request,
                f"所选超过{settings.EXPORT_INLINE_MAX_ROWS}条，请在“党员档案”页面按条件导出（在后台生成，完成后下载）。",
                messages.WARNING,
            )
            return None
        content = member_export(
            actor=request.user,
            queryset=queryset,
            filters={"selected": queryset.count()},
            ip=client_ip(request),
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = "attachment; filename=members.xlsx"
        return response

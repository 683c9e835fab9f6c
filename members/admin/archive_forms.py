"""The archive form of the admin and its list filters: checked with the same rules as the API
(members.archive_fields) before anything is saved."""

from django import forms
from django.contrib import admin

from sanyuan.errors import FieldErrors, ServiceError
from sanyuan.forms import add_service_error
from sanyuan.inputs import parse_int

from .. import permissions
from ..archive_fields import DESTINATION_FIELDS
from ..forms import region_selects
from ..identity import normalize_id_number
from ..models import (
    Member,
)

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
    # Chosen from lists (province → city → district, static/js/regions.js), not typed codes.
    destination_province = forms.ChoiceField(label="流入省份", required=False)
    destination_city = forms.ChoiceField(label="流入城市", required=False)
    destination_district = forms.ChoiceField(label="流入区县", required=False)

    class Meta:
        model = Member
        fields = ARCHIVE_FORM_FIELDS

    class Media:
        js = ["js/regions.js"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        if self.instance.pk:
            self.fields.pop("id_number_input", None)
        elif "id_number_input" in self.fields:
            self.fields["id_number_input"].required = True
        stored = {f: getattr(self.instance, f, "") or "" for f in DESTINATION_FIELDS}
        chosen = (
            {f: str(self.data.get(f, "")) for f in DESTINATION_FIELDS} if self.is_bound else stored
        )
        region_selects(
            self,
            province=chosen["destination_province"],
            city=chosen["destination_city"],
            district=chosen["destination_district"],
            keep=set(stored.values()),
        )

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

"""Admin of the organisation tree (党组织): create, rename and move inside the scope; and of
the seats on branch committees (支部委员), who alone see their branch's 支委会 meetings."""

from django import forms
from django.contrib import admin

from sanyuan.errors import ServiceError

from .. import permissions
from ..models import (
    BranchCommitteeSeat,
    Organization,
)
from ..services import organizations
from .base import ScopedAdminMixin


def _with_request(form_class, request):
    """The admin's form class, built with the request (its checks ask the permissions)."""

    class RequestForm(form_class):
        def __init__(self, *args, **inner):
            super().__init__(*args, request=request, **inner)

    return RequestForm


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
        unchanged = self.instance.pk and (parent.pk if parent else None) == self.instance.parent_id
        if not unchanged and not permissions.can_place_organization(
            self.request.user, parent=parent
        ):
            raise forms.ValidationError(
                "请选择上级组织。" if parent is None else "上级组织不在您的管理范围内。"
            )
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
        return _with_request(super().get_form(request, obj, **kwargs), request)

    @admin.display(description="组织名称", ordering="path")
    def indented_name(self, obj):
        return "　" * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            organizations.organization_update(
                actor=request.user, organization=obj, name=data["name"], parent=data.get("parent")
            )
        else:
            created = organizations.organization_create(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                parent=data.get("parent"),
            )
            obj.pk = created.pk
            obj.path = created.path


class BranchCommitteeSeatForm(forms.ModelForm):
    class Meta:
        model = BranchCommitteeSeat
        fields = ["organization", "member", "role", "since"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self):
        data = super().clean()
        org, member = data.get("organization"), data.get("member")
        if org is not None and not permissions.can_manage_organization(self.request.user, org):
            self.add_error("organization", "该组织不在您的管理范围内。")
        elif member is not None and not permissions.can_manage_member(self.request.user, member):
            self.add_error("member", "该党员不在您的管理范围内。")
        elif org is not None and member is not None and member.organization_id != org.pk:
            self.add_error("member", "支部委员须是本支部的党员。")
        return data


@admin.register(BranchCommitteeSeat)
class BranchCommitteeSeatAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Staff record who sits on the committees of their branches; a seat is removed when
    the member leaves the committee."""

    list_display = ["organization", "member", "role", "since"]
    list_filter = ["role"]
    search_fields = ["organization__name", "member__name"]
    autocomplete_fields = ["organization", "member"]
    list_select_related = ["organization", "member"]
    form = BranchCommitteeSeatForm

    def scope_queryset(self, request, qs):
        return qs.filter(organization__in=permissions.filter_organizations_visible_to(request.user))

    def has_delete_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        return _with_request(super().get_form(request, obj, **kwargs), request)

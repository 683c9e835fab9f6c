"""Admin building blocks every app uses: the admin reads and writes only inside the staff
member's scope, through the app's permissions, selectors and services."""

from django.contrib import admin
from django.contrib.admin.templatetags import admin_list

from .. import permissions
from ..models import User

PERSON_SUFFIX = "_person"


def _person_column(field):
    """A column or read-only field showing the account's person by name, without a link."""

    def show(obj):
        user = getattr(obj, field.name)
        return user.display_name if user is not None else "—"

    show.short_description = field.verbose_name
    show.admin_order_field = field.name
    return show


def _is_foreign_key(model, name: str) -> bool:
    from django.core.exceptions import FieldDoesNotExist

    try:
        return model._meta.get_field(name).many_to_one
    except FieldDoesNotExist:
        return False


class PersonFieldsMixin:
    """Fields that point at an account (author, reviewer, uploader …) show the person's name
    and no link: account pages are for operations (a staff member following the link got
    403), and a member's account is called member-<id>, which tells staff nothing."""

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        self.account_fields = [
            field.name
            for field in model._meta.fields
            if field.is_relation and field.related_model is User
        ]
        for name in self.account_fields:
            setattr(self, name + PERSON_SUFFIX, _person_column(model._meta.get_field(name)))

    def person_names(self, names) -> list:
        """`names` with every account field replaced by its person column (once each)."""
        out = []
        for name in names:
            if isinstance(name, list | tuple):
                name = type(name)(self.person_names(name))
            elif name in self.account_fields:
                name += PERSON_SUFFIX
            if name not in out:
                out.append(name)
        return out

    def get_fieldsets(self, request, obj=None):
        return [
            (title, {**options, "fields": self.person_names(options["fields"])})
            for title, options in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        shown = self.account_fields if obj is not None else []
        return self.person_names([*super().get_readonly_fields(request, obj), *shown])

    def get_exclude(self, request, obj=None):
        excluded = super().get_exclude(request, obj)
        if not self.account_fields:
            return excluded
        if excluded is None:  # Django would have used the form's own exclude
            excluded = getattr(getattr(self.form, "_meta", None), "exclude", None)
        return [*(excluded or ()), *self.account_fields]

    def get_list_display(self, request):
        return self.person_names(super().get_list_display(request))

    def get_list_select_related(self, request):
        related = super().get_list_select_related(request)
        columns = self.get_list_display(request)
        shown = [name for name in self.account_fields if name + PERSON_SUFFIX in columns]
        if not shown or related is True:
            return related
        if related is False:  # Django would have followed the foreign keys it lists itself
            related = [
                name
                for name in columns
                if isinstance(name, str) and _is_foreign_key(self.model, name)
            ]
        return [*related, *shown, *(f"{name}__member" for name in shown)]


class ScopedAdminMixin(PersonFieldsMixin):
    """Admin access follows the tiers, not Django's model permissions.

    Subclasses define `scope_queryset(request, qs)` (usually a permissions.filter_*_visible_to)
    and may narrow `has_*_permission`. Superusers get no special rows here: operations use
    the shell, not the admin, to reach data outside a grant.
    """

    def scope_queryset(self, request, qs):  # pragma: no cover - each admin defines it
        raise NotImplementedError

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name in self.filter_horizontal:
            # Django adds "hold down Control or Command" for multiple selects; the two-list
            # selector explains itself (in Chinese), and the hint misleads there.
            field.help_text = db_field.help_text
        return field

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def has_module_permission(self, request):
        return permissions.is_staff(request.user)

    def has_view_permission(self, request, obj=None):
        if not permissions.is_staff(request.user):
            return False
        return (
            obj is None
            or self.scope_queryset(request, type(obj)._default_manager.filter(pk=obj.pk)).exists()
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return permissions.is_staff(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdminMixin(ScopedAdminMixin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _boolean_icon(value):
    """Django's yes/no icon (admin lists and read-only fields), with Chinese alternative text:
    Django 5.2 writes alt="True"/"False"/"None" untranslated, and screen readers read it."""
    from django.templatetags.static import static
    from django.utils.html import format_html

    name = {True: "yes", False: "no", None: "unknown"}[value]
    text = {True: "是", False: "否", None: "未知"}[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{name}.svg"), text)


# display_for_field and the list rows import it from here at call time.
admin_list._boolean_icon = _boolean_icon

admin.site.site_header = "同心三原 流动e家 · 管理后台"
admin.site.site_title = "流动e家管理后台"
admin.site.index_title = "工作台"


# The admin has no login form of its own: staff log in on the staff login page, which asks
# county-tier accounts for their authenticator's code; the admin refuses sessions of accounts
# that need a second factor but were not verified with one.
def _admin_login(request, extra_context=None):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    target = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("members:login") + "?" + urlencode({"as": "staff", "next": target}))


_plain_has_permission = admin.site.has_permission


def _admin_has_permission(request):
    if not _plain_has_permission(request):
        return False
    from ..services.second_factor import second_factor_required

    verified = getattr(request.user, "is_verified", None)
    return (callable(verified) and verified()) or not second_factor_required(request.user)


admin.site.login = _admin_login
admin.site.has_permission = _admin_has_permission

"""The staff home (工作台), the county's audit log and the authenticator page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from sanyuan import keyset
from sanyuan.errors import ServiceError
from sanyuan.net import client_ip
from sanyuan.todos import staff_todos

from .. import forms, permissions
from ..services import second_factor
from .access import StaffPageMixin


class StaffHomeView(StaffPageMixin, View):
    def get(self, request):
        scope = permissions.scope_of(request.user)
        return render(
            request,
            "members/staff_home.html",
            {
                "tier_label": scope.tier_label,
                "grants": scope.grants,
                "can_read_audit_log": permissions.can_read_audit_log(request.user),
                "todos": staff_todos(request.user),
            },
        )


PAGE_SIZE = 50


class StaffAuditListView(StaffPageMixin, View):
    """审计日志 for the county tier: exact filters, newest first, keyset pages."""

    FILTERS = ("action", "actor", "target_type", "target_id", "ip", "day_from", "day_to")

    def get(self, request):
        from ..audit_text import action_label, target_type_label
        from ..selectors.audit import (
            audit_actions,
            audit_event_list,
            audit_rows,
            audit_target_types,
        )

        filters = {key: request.GET.get(key, "")[:100] for key in self.FILTERS}
        qs = audit_event_list(user=request.user, **filters)
        page = keyset.request_page(
            request, qs, fields=("id",), descending=True, page_size=PAGE_SIZE
        )
        return render(
            request,
            "members/staff/audit_list.html",
            {
                "rows": audit_rows(page.results),
                "filters": filters,
                "actions": [(code, action_label(code)) for code in audit_actions()],
                "target_types": [(t, target_type_label(t)) for t in audit_target_types()],
                "links": keyset.page_links(request, page),
            },
        )


class StaffSecondFactorView(StaffPageMixin, View):
    """身份验证器: any staff account binds (or replaces) its authenticator here; county accounts
    do it at their first login. The QR code is shown once per visit."""

    template_name = "members/staff/second_factor.html"
    SESSION_KEY = "pending_enrolment_device"

    def render_page(self, request, form, enrolment=None, status=200):
        from ..services.second_factor import second_factor_device

        response = render(
            request,
            self.template_name,
            {
                "form": form,
                "enrolment": enrolment,
                "device": second_factor_device(request.user),
            },
            status=status,
        )
        response["Cache-Control"] = "no-store"
        return response

    def get(self, request):
        return self.render_page(request, forms.SecondFactorForm())

    def post(self, request):
        from django_otp import login as otp_login

        if request.POST.get("step") == "start":
            enrolment = second_factor.second_factor_enrol_start(user=request.user)
            request.session[self.SESSION_KEY] = enrolment.device_id
            return self.render_page(request, forms.SecondFactorForm(), enrolment)
        form = forms.SecondFactorForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, form, status=400)
        try:
            device = second_factor.second_factor_enrol_confirm(
                user=request.user,
                device_id=request.session.get(self.SESSION_KEY),
                token=form.cleaned_data["otp"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            form.add_error("otp", exc.message)
            return self.render_page(request, form, status=400)
        request.session.pop(self.SESSION_KEY, None)
        otp_login(request, device)
        messages.success(request, "身份验证器已绑定，今后登录时需要输入动态验证码。")
        return redirect("members:staff-second-factor")

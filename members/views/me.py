"""我的: the member's own pages (archive, change requests, history, the arrival QR card,
the remembered devices)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.views import View

from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error
from sanyuan.net import client_ip

from .. import forms, permissions, selectors
from ..archive_fields import destination_name
from ..middleware import REMEMBERED_SESSION
from ..services import accounts as account_services
from ..services import changes as change_services
from ..services import devices as device_services
from .access import MemberPageMixin


class MeView(LoginRequiredMixin, View):
    """我的: the member's own card and links; staff are sent to their pages."""

    def get(self, request):
        member = permissions.member_of(request.user)
        if member is None:
            return redirect("members:staff-home")
        return render(request, "members/me.html", {"member": member, "active_tab": "me"})


class MyArchiveView(MemberPageMixin, View):
    """我的档案: the member's own archive (never cached offline)."""

    def get(self, request):
        member = selectors.member_detail_get(
            user=request.user, pk=permissions.member_of(request.user).pk
        )
        pending = (
            selectors.change_request_list_for_member(member=member).filter(status="pending").first()
        )
        response = render(
            request,
            "members/my_archive.html",
            {
                "member": member,
                "destination": destination_name(
                    member.destination_province,
                    member.destination_city,
                    member.destination_district,
                ),
                "pending": pending,
                "income_text": (
                    f"{member.monthly_income}元" if member.monthly_income is not None else ""
                ),
                "skills_text": "、".join(skill.name for skill in member.skills.all()),
                "active_tab": "me",
            },
        )
        response["Cache-Control"] = "no-store"
        return response


def _has_pending(member) -> bool:
    return selectors.change_request_list_for_member(member=member).filter(status="pending").exists()


def _submit_change(request, form, member, render_form):
    """Send a valid change-request form through the one service; the page after it."""
    try:
        created = change_services.change_request_submit(
            member=member,
            changes=form.changes(),
            reason=form.cleaned_data["reason"],
            evidence_files=request.FILES.getlist("evidence"),
        )
    except ServiceError as exc:
        status = add_service_error(form, exc)
        return render_form(request, form, status=409 if status == 409 else 400)
    messages.success(request, "修改申请已提交，审核后会通知您。")
    return redirect("members:my-change-request", pk=created.pk)


class ChangeRequestCreateView(MemberPageMixin, View):
    template_name = "members/change_request_form.html"

    def render_form(self, request, form, status=200):
        return render(
            request, self.template_name, {"form": form, "active_tab": "me"}, status=status
        )

    def get(self, request):
        member = permissions.member_of(request.user)
        if _has_pending(member):
            messages.info(request, "您已有一条待审核的修改申请，请等待审核或先撤回。")
            return redirect("members:my-change-requests")
        return self.render_form(request, forms.ChangeRequestForm(member=member))

    def post(self, request):
        member = selectors.member_detail_get(
            user=request.user, pk=permissions.member_of(request.user).pk
        )
        form = forms.ChangeRequestForm(request.POST, request.FILES, member=member)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        return _submit_change(request, form, member, self.render_form)


class ChangeRequestFieldView(MemberPageMixin, View):
    """申请修改 one row of 我的档案 (tap the row): that field, the reason and a photo. The
    destination row has cascading selects; without JavaScript, 下一步 lists the next level."""

    template_name = "members/change_request_field.html"

    def render_form(self, request, form, status=200):
        context = {
            "form": form,
            "row": self.row,
            "label": forms.change_row_label(self.row),
            "cascade": self.row == forms.DESTINATION_ROW,
            "active_tab": "me",
        }
        return render(request, self.template_name, context, status=status)

    def dispatch(self, request, *args, row="", **kwargs):
        self.row = row
        if request.user.is_authenticated and forms.change_row_fields(row) is None:
            message = "档案中没有这一项，或这一项不能由本人申请修改。"
            context = {"status": 404, "message": message}
            return render(request, "error.html", context, status=404)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        member = permissions.member_of(request.user)
        if _has_pending(member):
            messages.info(request, "您已有一条待审核的修改申请，请等待审核或先撤回。")
            return redirect("members:my-change-requests")
        return self.render_form(request, forms.OneFieldChangeForm(member=member, row=self.row))

    def post(self, request):
        member = selectors.member_detail_get(
            user=request.user, pk=permissions.member_of(request.user).pk
        )
        if request.POST.get("step") == "regions":  # without JavaScript: list the next level
            form = forms.OneFieldChangeForm(member=member, row=self.row, chosen=request.POST)
            return self.render_form(request, form)
        form = forms.OneFieldChangeForm(request.POST, request.FILES, member=member, row=self.row)
        if not form.is_valid():
            return self.render_form(request, form, status=400)
        return _submit_change(request, form, member, self.render_form)


class MyChangeRequestListView(MemberPageMixin, View):
    def get(self, request):
        rows = selectors.change_request_list_for_member(member=permissions.member_of(request.user))[
            :50
        ]
        return render(
            request, "members/my_change_requests.html", {"rows": rows, "active_tab": "me"}
        )


class MyChangeRequestDetailView(MemberPageMixin, View):
    def get(self, request, pk):
        member = permissions.member_of(request.user)
        found = selectors.change_request_get_for_member(member=member, pk=pk)
        diff = selectors.change_request_diff(found, member)
        return render(
            request,
            "members/my_change_request.html",
            {"req": found, "diff": diff, "active_tab": "me"},
        )

    def post(self, request, pk):
        member = permissions.member_of(request.user)
        found = selectors.change_request_get_for_member(member=member, pk=pk)
        try:
            change_services.change_request_withdraw(member=member, change_request=found)
            messages.info(request, "申请已撤回。")
        except ServiceError as exc:
            messages.error(request, exc.message)
        return redirect("members:my-change-request", pk=pk)


class MyHistoryView(MemberPageMixin, View):
    def get(self, request):
        member = permissions.member_of(request.user)
        entries = selectors.member_history(member=member, viewer="self")
        return render(request, "members/my_history.html", {"entries": entries, "active_tab": "me"})


class MyDevicesView(MemberPageMixin, View):
    """我的 → 登录设备: the phones that remember this member (记住我), and removing one."""

    template_name = "members/my_devices.html"

    def get(self, request):
        return self.render(request)

    def render(self, request, status=200):
        current = device_services.device_from_token(
            request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE)
        )
        context = {
            "devices": device_services.devices_of(request.user),
            "current_id": current.pk if current is not None else None,
            "active_tab": "me",
        }
        return render(request, self.template_name, context, status=status)

    def post(self, request):
        try:
            device = device_services.device_revoke(
                user=request.user,
                device_id=request.POST.get("device"),
                ip=client_ip(request),
                current_session_key=request.session.session_key,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return self.render(request, status=404)
        messages.success(request, f"已移除“{device.label}”，它下次登录需要输入姓名和身份证号码。")
        response = redirect("members:my-devices")
        current = device_services.device_from_token(
            request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE)
        )
        if current is None:
            response.delete_cookie(settings.MEMBER_REMEMBER_COOKIE, path="/")
            # This phone is no longer remembered: its session idles out as an ordinary one.
            if request.session.pop(REMEMBERED_SESSION, None):
                request.session.set_expiry(settings.SESSION_IDLE_SECONDS)
        return response


class PasswordChangeView(MemberPageMixin, View):
    """我的 → 修改密码."""

    template_name = "members/password_change.html"

    def render(self, request, form, status=200):
        context = {"form": form, "active_tab": "me"}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request, forms.PasswordChangeForm())

    def post(self, request):
        form = forms.PasswordChangeForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        try:
            user = account_services.password_change(
                user=request.user,
                current=form.cleaned_data["current"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except ServiceError as exc:
            return self.render(request, form, status=add_service_error(form, exc))
        update_session_auth_hash(request, user)  # a new session key for this phone
        device_services.device_session_renewed(
            user=user,
            token=request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE),
            session_key=request.session.session_key,
        )
        messages.success(request, "密码已修改，下次登录请使用新密码。")
        return redirect("members:me")

"""The arrival card (报到二维码 with a visible clock, and the 报到码 a phone shows offline) and
the host staff's form for typing a 报到码."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from sanyuan.errors import ServiceError

from .. import permissions
from ..services import checkin
from ..services.audit import audit_record
from ..services.hosting import hosting_qr_token
from .access import MemberPageMixin, StaffPageMixin


def _qr_svg(request, member) -> str:
    import segno

    token = hosting_qr_token(member=member)
    url = request.build_absolute_uri(reverse("members:staff-hosting-arrive")) + "?token=" + token
    return segno.make(url, error="m").svg_inline(
        scale=5, dark="#1f1f1f", light="#ffffff", omitsize=True
    )


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


class MemberQrView(MemberPageMixin, View):
    """我的报到二维码: host staff scan it to record the arrival. The code carries an opaque,
    expiring token — never the member's id or ID number. The page counts down and fetches a
    fresh code before this one lapses; offline, the phone shows its 报到码 instead."""

    def get(self, request):
        member = permissions.member_of(request.user)
        context = {
            "svg": _qr_svg(request, member),
            "seconds": settings.HOSTING_QR_TTL_SECONDS,
            "minutes": settings.HOSTING_QR_TTL_SECONDS // 60,
            "member": member,
            "active_tab": "me",
        }
        return _no_store(render(request, "members/my_qr.html", context))


class MemberQrCardView(MemberPageMixin, View):
    """A fresh QR code for the open card (JSON: the SVG and its lifetime in seconds)."""

    def get(self, request):
        member = permissions.member_of(request.user)
        data = {"svg": _qr_svg(request, member), "seconds": settings.HOSTING_QR_TTL_SECONDS}
        return _no_store(JsonResponse(data))


class MemberCheckinSecretView(MemberPageMixin, View):
    """POST: a new 报到码 secret for this phone, handed over once (the phone keeps it)."""

    def post(self, request):
        member = permissions.member_of(request.user)
        secret = checkin.checkin_secret_issue(member=member)
        audit_record(actor=request.user, action="hosting.checkin_secret", target=member)
        data = {"secret": secret, "step": checkin.STEP_SECONDS, "digits": checkin.DIGITS}
        return _no_store(JsonResponse(data, status=201))


class StaffCheckinCodeView(StaffPageMixin, View):
    """Host staff: 输入报到码 (the member's name, ID number and the code on their phone)."""

    def post(self, request):
        host = permissions.host_grant(request.user, request.POST.get("host", ""))
        if host is None:
            messages.error(request, "您不是流入地党组织的工作人员，不能登记报到。")
            return redirect("members:staff-hosting")
        try:
            done = checkin.hosting_arrive_by_code(
                staff=request.user,
                host=host,
                name=request.POST.get("name", "")[:50],
                id_number=request.POST.get("id_number", "")[:40],
                code=request.POST.get("code", "")[:12],
            )
        except ServiceError as exc:
            context = hosting_page_context(request.user)
            context.update(code_error=exc.message, code_form=request.POST)
            return render(request, "members/staff/hosting.html", context, status=exc.status_code)
        messages.success(request, f"{done.member.name}已在{host.name}报到。")
        return redirect("members:staff-hosting")


def hosting_page_context(user) -> dict:
    """The hosting page: arrivals to decide, and the 报到码 form for host staff."""
    from ..services.hosting import hosting_pending_for

    return {
        "rows": hosting_pending_for(user=user)[:300],
        "hosts": list(permissions.scope_of(user).host_grants),
    }

"""消息: the inbox and the notice preferences of every signed-in user."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from sanyuan.errors import ServiceError

from .. import selectors
from ..services import notices as notice_services
from .access import SignedInPageMixin


class NoticeListView(SignedInPageMixin, View):
    """消息: the inbox, newest first, keyset pages."""

    def get(self, request):
        unread_only = request.GET.get("unread") == "1"
        try:
            page = selectors.notice_inbox(
                user=request.user, cursor=request.GET.get("cursor"), unread_only=unread_only
            )
        except ServiceError:
            return redirect("members:notices")
        return render(
            request,
            "members/notice_list.html",
            {"page": page, "unread_only": unread_only, "active_tab": "me"},
        )


class NoticeOpenView(SignedInPageMixin, View):
    """Open one notice: mark it read and go where it points (or show it)."""

    def get(self, request, pk):
        notice = selectors.notice_get(user=request.user, pk=pk)
        notice_services.notice_mark_read(user=request.user, notice=notice)
        if notice.link:
            return redirect(notice.link)
        return render(request, "members/notice_detail.html", {"notice": notice, "active_tab": "me"})


class NoticeReadAllView(SignedInPageMixin, View):
    def post(self, request):
        notice_services.notice_mark_all_read(user=request.user)
        messages.success(request, "已全部标为已读。")
        return redirect("members:notices")


class NoticePreferenceView(SignedInPageMixin, View):
    template_name = "members/notice_preferences.html"

    def get(self, request):
        rows = selectors.notice_preferences(user=request.user)
        return render(request, self.template_name, {"rows": rows, "active_tab": "me"})

    def post(self, request):
        for row in selectors.notice_preferences(user=request.user):
            if row["always_sms"]:
                continue
            notice_services.notice_preference_set(
                user=request.user,
                kind=row["kind"],
                sms=request.POST.get(f"sms_{row['kind']}") == "on",
            )
        messages.success(request, "通知设置已保存。")
        return redirect("members:notice-preferences")

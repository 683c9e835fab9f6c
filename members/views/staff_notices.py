"""通知送达情况: per notice, how many members read it in the inbox, got it by SMS, or were
not reached and why (one grouped query per page; keyset pages)."""

from django.conf import settings
from django.shortcuts import render
from django.views import View

from sanyuan import keyset

from .. import selectors
from .access import StaffPageMixin

PAGE_SIZE = 30


class StaffNoticeListView(StaffPageMixin, View):
    def get(self, request):
        qs = selectors.notice_manageable_list(user=request.user)
        page = keyset.request_page(
            request, qs, fields=("id",), descending=True, page_size=PAGE_SIZE
        )
        return render(
            request,
            "members/staff/notice_reach.html",
            {
                "rows": selectors.notice_reach_list(user=request.user, notices=page.results),
                "links": keyset.page_links(request, page),
                "quiet_start": settings.NOTICE_SMS_QUIET_START,
                "quiet_end": settings.NOTICE_SMS_QUIET_END,
            },
        )

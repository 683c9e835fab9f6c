"""Member pages (活动): the list (upcoming first, then past ones with their materials), the
month calendar, the activity page with reply buttons and the study confirmation."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from members.views import access
from sanyuan.errors import ServiceError

from .. import selectors, services
from ..downloads import material_file_response
from ..forms import ReplyForm

PAST_PAGE = 10
UPCOMING_PAGE = 20


class MemberPageMixin(access.MemberPageMixin):
    """Activity pages of a member; staff see the staff list (and detail) instead."""

    staff_redirect = "activities:staff-list"


class ActivityListView(MemberPageMixin, View):
    def get(self, request):
        when = request.GET.get("when")
        cursor = request.GET.get("cursor")
        try:
            if when in (selectors.UPCOMING, selectors.PAST):
                # One section, paged further.
                page = selectors.activity_page(
                    user=request.user,
                    when=when,
                    cursor=cursor,
                    page_size=UPCOMING_PAGE,
                    materials=when == selectors.PAST,
                )
                upcoming = page if when == selectors.UPCOMING else None
                past = page if when == selectors.PAST else None
            else:
                when = None
                upcoming = selectors.activity_page(
                    user=request.user, when=selectors.UPCOMING, page_size=UPCOMING_PAGE
                )
                past = selectors.activity_page(
                    user=request.user, when=selectors.PAST, page_size=PAST_PAGE, materials=True
                )
        except ServiceError:
            return redirect("activities:list")
        return render(
            request,
            "activities/activity_list.html",
            {"when": when, "upcoming": upcoming, "past": past, "active_tab": "activities"},
        )


def _month(value: str | None) -> date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


class ActivityCalendarView(MemberPageMixin, View):
    def get(self, request):
        month = _month(request.GET.get("month"))
        cal = selectors.month_calendar(user=request.user, year=month.year, month=month.month)
        return render(
            request,
            "activities/activity_calendar.html",
            {"cal": cal, "active_tab": "activities"},
        )


class ActivityDetailView(MemberPageMixin, View):
    staff_redirect = "activities:staff-detail"

    def staff_redirect_args(self, kwargs):
        return [kwargs["pk"]]

    def get(self, request, pk):
        return _detail_response(request, selectors.activity_get(user=request.user, pk=pk))


def _detail_response(request, activity, form=None, status=200):
    mine = selectors.my_attendance(activity)
    can_reply = activity.accepts_replies
    context = {
        "activity": activity,
        "mine": mine,
        "can_reply": can_reply,
        "form": form or ReplyForm(initial={"reason": mine.reason if mine else ""}),
        "materials": activity.material_list,
        "active_tab": "activities",
    }
    return render(request, "activities/activity_detail.html", context, status=status)


class ActivityReplyView(MemberPageMixin, View):
    def post(self, request, pk):
        activity = selectors.activity_get(user=request.user, pk=pk)
        form = ReplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择参加或请假。")
            return redirect("activities:detail", pk=activity.pk)
        try:
            row = services.attendance_reply(
                user=request.user,
                activity=activity,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            if exc.field == "reason":
                form.add_error("reason", exc.message)
                return _detail_response(request, activity, form=form, status=400)
            messages.error(request, exc.message)
            return redirect("activities:detail", pk=activity.pk)
        messages.success(
            request,
            "已报名参加，请准时参加。"
            if row.status == "attending"
            else "已请假，请及时补学活动资料。",
        )
        return redirect("activities:detail", pk=activity.pk)


class ActivityStudyView(MemberPageMixin, View):
    def post(self, request, pk):
        activity = selectors.activity_get(user=request.user, pk=pk)
        try:
            services.attendance_confirm_study(user=request.user, activity=activity)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已确认学习本次活动资料。")
        return redirect("activities:detail", pk=activity.pk)


class MaterialFileView(access.SignedInPageMixin, View):
    """A material's file for anyone who may see the activity (members and staff)."""

    def get(self, request, pk):
        return material_file_response(selectors.material_get(user=request.user, pk=pk))

"""The member's pages (我的 → 家庭困难帮扶, 我的 → 家乡后援团), phone first."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from members.permissions import member_of
from members.views.access import MemberPageMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error

from .. import selectors, services
from ..forms import AskForm, ContributionForm, JoinForm


class MyFamilySupportView(MemberPageMixin, View):
    def get(self, request, form=None, status=200):
        member = member_of(request.user)
        return render(
            request,
            "hometown/my_family_support.html",
            {
                "member": member,
                "cases": list(selectors.my_support_cases(member=member)[:50]),
                "form": form or AskForm(),
            },
            status=status,
        )

    def post(self, request):
        member = member_of(request.user)
        form = AskForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            case = services.support_case_ask(actor=request.user, member=member, **form.cleaned_data)
        except ServiceError as exc:
            return self.get(request, form=form, status=add_service_error(form, exc))
        messages.success(request, "已提交，党组织会尽快联系您。")
        return redirect("hometown:my-case", pk=case.pk)


class MyFamilySupportDetailView(MemberPageMixin, View):
    def get(self, request, pk):
        case = selectors.support_case_get(user=request.user, pk=pk)
        return render(request, "hometown/my_case.html", {"case": case})


class MySupportGroupView(MemberPageMixin, View):
    """Join the 后援团 (or change what I offer, or leave), and record what I gave back."""

    def get(self, request, join_form=None, contribution_form=None, status=200):
        member = member_of(request.user)
        membership = selectors.my_membership(member=member)
        active = membership is not None and membership.is_active
        initial = (
            {
                "offers": membership.offers,
                "note": membership.note,
                "publicity_consent": membership.publicity_consent,
            }
            if active
            else {}
        )
        return render(
            request,
            "hometown/my_support_group.html",
            {
                "membership": membership if active else None,
                "join_form": join_form or JoinForm(initial=initial),
                "contribution_form": contribution_form or ContributionForm(),
                "contributions": list(selectors.my_contributions(member=member)[:50]),
                "campaign": selectors.campaign_current(user=request.user),
            },
            status=status,
        )

    def post(self, request):
        member = member_of(request.user)
        action = request.POST.get("action")
        try:
            if action == "leave":
                services.support_group_leave(actor=request.user, member=member)
                messages.info(request, "您已退出后援团，感谢您对家乡的支持。")
                return redirect("hometown:my-support-group")
            if action == "contribution":
                form = ContributionForm(request.POST)
                if not form.is_valid():
                    return self.get(request, contribution_form=form, status=400)
                try:
                    services.contribution_record(
                        actor=request.user, member=member, **form.cleaned_data
                    )
                except ServiceError as exc:
                    return self.get(
                        request, contribution_form=form, status=add_service_error(form, exc)
                    )
                messages.success(request, "已登记，等待党组织确认。")
                return redirect("hometown:my-support-group")
            form = JoinForm(request.POST)
            if not form.is_valid():
                return self.get(request, join_form=form, status=400)
            before = selectors.my_membership(member=member)
            joined = before is not None and before.is_active
            try:
                services.support_group_join(actor=request.user, member=member, **form.cleaned_data)
            except ServiceError as exc:
                return self.get(request, join_form=form, status=add_service_error(form, exc))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("hometown:my-support-group")
        messages.success(request, "已保存。" if joined else "欢迎加入家乡后援团！")
        return redirect("hometown:my-support-group")

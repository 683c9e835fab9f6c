"""The member's pages (我的 → 民主评议): their rounds, the self-assessment, the ballot."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from members.permissions import member_of
from members.views.access import MemberPageMixin
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error

from .. import permissions, selectors, services
from ..forms import BallotForm, SelfAssessmentForm


def _can_vote(appraisal) -> bool:
    return (
        permissions.ballot_open(appraisal)
        and permissions.may_vote(appraisal.me.member)
        and not appraisal.has_voted
    )


class MyAppraisalListView(MemberPageMixin, View):
    def get(self, request):
        rows = selectors.my_appraisals(member=member_of(request.user))
        for appraisal in rows:
            appraisal.stage = permissions.stage_label(appraisal)
            appraisal.can_vote = _can_vote(appraisal)
        return render(request, "appraisals/my_appraisals.html", {"appraisals": rows})


class MyAppraisalDetailView(MemberPageMixin, View):
    def get(self, request, pk, form=None, status=200):
        member = member_of(request.user)
        appraisal = selectors.my_appraisal_get(member=member, pk=pk)
        return render(
            request,
            "appraisals/my_appraisal.html",
            {
                "appraisal": appraisal,
                "stage": permissions.stage_label(appraisal),
                "can_write": permissions.self_assessment_open(appraisal),
                "may_vote": permissions.may_vote(member),
                "can_vote": _can_vote(appraisal),
                "ballot_open": permissions.ballot_open(appraisal),
                "form": form or SelfAssessmentForm(initial={"text": appraisal.my_text}),
            },
            status=status,
        )

    def post(self, request, pk):
        member = member_of(request.user)
        appraisal = selectors.my_appraisal_get(member=member, pk=pk)
        form = SelfAssessmentForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        try:
            services.self_assessment_save(
                actor=request.user, appraisal=appraisal, text=form.cleaned_data["text"]
            )
        except ServiceError as exc:
            return self.get(request, pk, form=form, status=add_service_error(form, exc))
        messages.success(request, "自我评价已保存，截止前可以修改。")
        return redirect("appraisals:my-detail", pk=pk)


class MyBallotView(MemberPageMixin, View):
    """The secret ballot: every other participant at once; the page after it says only that
    the ballot was counted."""

    def get(self, request, pk, form=None, status=200):
        member = member_of(request.user)
        appraisal = selectors.my_appraisal_get(member=member, pk=pk)
        if not _can_vote(appraisal) and form is None:
            return redirect("appraisals:my-detail", pk=pk)
        candidates = selectors.ballot_candidates(appraisal, voter=member)
        return render(
            request,
            "appraisals/my_ballot.html",
            {"appraisal": appraisal, "form": form or BallotForm(candidates=candidates)},
            status=status,
        )

    def post(self, request, pk):
        member = member_of(request.user)
        appraisal = selectors.my_appraisal_get(member=member, pk=pk)
        candidates = selectors.ballot_candidates(appraisal, voter=member)
        form = BallotForm(request.POST, candidates=candidates)
        if not form.is_valid():
            return self.get(request, pk, form=form, status=400)
        try:
            services.ballot_cast(actor=request.user, appraisal=appraisal, ratings=form.ratings())
        except ServiceError as exc:
            if exc.status_code == 409:
                messages.error(request, exc.message)
                return redirect("appraisals:my-detail", pk=pk)
            return self.get(request, pk, form=form, status=add_service_error(form, exc))
        messages.success(request, "投票成功。您的选择不会与您的姓名一起保存，谁也查不到。")
        return redirect("appraisals:my-detail", pk=pk)

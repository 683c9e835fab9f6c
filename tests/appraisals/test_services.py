"""A round of 民主评议党员 through the services: opening, self-assessments, the secret ballot,
closing, paper tally, final ratings with the higher committee's approval, finishing; and
bad input that changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from appraisals import permissions, selectors, services
from appraisals.models import (
    Appraisal,
    AppraisalParticipant,
    BallotRegister,
    BallotTally,
    PaperTally,
    SelfAssessment,
)
from members.models import AuditEvent, Notice, Organization
from sanyuan.errors import ServiceError, StateConflict
from tests import factories
from tests.appraisals.factories import ballot_for, dates, open_round

pytestmark = pytest.mark.django_db
D = AppraisalParticipant.Decision


def notices_to(user) -> list[str]:
    return list(
        Notice.objects.filter(recipients__user=user).order_by("id").values_list("title", flat=True)
    )


def test_a_round_walks_from_opening_to_the_finish(aw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appraisal = open_round(aw, actor=aw.staff_a)
    members = {aw.member_a.pk, aw.voter2.pk, aw.probationary.pk, aw.paper.pk}
    assert set(appraisal.participants.values_list("member_id", flat=True)) == members
    assert BallotTally.objects.filter(appraisal=appraisal, count=0).count() == 4 * 4
    assert "年度民主评议党员开始了" in notices_to(aw.member_a.user)[-1]

    services.self_assessment_save(
        actor=aw.member_a.user, appraisal=appraisal, text="一年来坚持学习，按时交纳党费。"
    )
    services.self_assessment_save(
        actor=aw.member_a.user, appraisal=appraisal, text="一年来坚持学习，按时交纳党费，参加活动。"
    )
    assert SelfAssessment.objects.get(member=aw.member_a).text.endswith("参加活动。")

    services.ballot_cast(
        actor=aw.member_a.user,
        appraisal=appraisal,
        ratings=ballot_for(appraisal, aw.member_a, "excellent", {aw.paper.pk: "unqualified"}),
    )
    services.ballot_cast(
        actor=aw.voter2.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.voter2)
    )
    assert BallotRegister.objects.filter(appraisal=appraisal).count() == 2
    # Tallies stay closed to staff until the ballot ends.
    assert not permissions.can_read_tallies(aw.staff_a, appraisal)

    services.ballot_close(actor=aw.staff_a, appraisal=appraisal)
    appraisal.refresh_from_db()
    assert permissions.can_read_tallies(aw.staff_a, appraisal)
    assert not permissions.can_read_tallies(aw.member_a.user, appraisal)
    services.paper_tally_record(
        actor=aw.staff_a,
        appraisal=appraisal,
        paper_ballots=1,
        counts=[
            {"member": aw.member_a.pk, "rating": "excellent", "count": 1},
            {"member": aw.voter2.pk, "rating": "qualified", "count": 1},
        ],
    )
    tallies = selectors.tallies_for(appraisal)
    assert tallies[aw.voter2.pk]["excellent"] == {"online": 1, "paper": 0, "total": 1}
    assert tallies[aw.voter2.pk]["qualified"]["total"] == 1
    assert tallies[aw.member_a.pk]["qualified"] == {"online": 1, "paper": 0, "total": 1}
    assert tallies[aw.member_a.pk]["excellent"] == {"online": 0, "paper": 1, "total": 1}
    assert tallies[aw.paper.pk]["unqualified"]["online"] == 1
    assert tallies[aw.probationary.pk]["excellent"]["online"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        for member, rating in (
            (aw.member_a, "excellent"),
            (aw.voter2, "qualified"),
            (aw.probationary, "basically_qualified"),
        ):
            services.rating_record(
                actor=aw.staff_a,
                appraisal=appraisal,
                member=member,
                final_rating=rating,
                reason="支部委员会研究决定",
            )
        pending = services.rating_record(
            actor=aw.staff_a,
            appraisal=appraisal,
            member=aw.paper.pk,
            final_rating="unqualified",
            reason="全年未参加组织生活，未交纳党费",
        )
    assert pending.decision == D.PENDING_APPROVAL and pending.effective_rating == ""
    assert notices_to(aw.member_a.user)[-1] == f"您的{appraisal.year}年度民主评议结果：优秀"
    with pytest.raises(StateConflict):  # not yet: the unqualified rating waits
        services.appraisal_finish(actor=aw.staff_a, appraisal=appraisal)
    # The committee staff recorded it: the county approves (a second pair of eyes).
    with pytest.raises(PermissionDenied):
        services.rating_approve(actor=aw.staff_a, appraisal=appraisal, member=aw.paper.pk)
    approved = services.rating_approve(
        actor=aw.county_staff, appraisal=appraisal, member=aw.paper.pk, note="同意"
    )
    assert approved.decision == D.EFFECTIVE and approved.effective_rating == "unqualified"

    services.appraisal_finish(actor=aw.staff_a, appraisal=appraisal)
    appraisal.refresh_from_db()
    assert appraisal.finished_at is not None
    assert permissions.stage_label(appraisal) == "已完成"
    actions = list(
        AuditEvent.objects.filter(action__startswith="appraisal.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "appraisal.open",
        "appraisal.ballot_close",
        "appraisal.paper_tally",
        *["appraisal.rating_record"] * 4,
        "appraisal.rating_approve",
        "appraisal.finish",
    ]
    approval = AuditEvent.objects.get(action="appraisal.rating_approve")
    assert approval.actor == aw.county_staff and approval.detail["member"] == aw.paper.pk


def test_a_rejected_unqualified_rating_goes_back_to_the_branch(aw):
    appraisal = open_round(aw)
    services.ballot_close(actor=aw.county_staff, appraisal=appraisal)
    services.rating_record(
        actor=aw.staff_a,
        appraisal=appraisal,
        member=aw.voter2,
        final_rating="unqualified",
        reason="理由",
    )
    with pytest.raises(StateConflict):  # pending: no new rating until the committee decides
        services.rating_record(
            actor=aw.staff_a,
            appraisal=appraisal,
            member=aw.voter2,
            final_rating="qualified",
            reason="再议",
        )
    with pytest.raises(ServiceError) as empty:
        services.rating_reject(actor=aw.county_staff, appraisal=appraisal, member=aw.voter2.pk)
    assert empty.value.field == "note"
    row = services.rating_reject(
        actor=aw.county_staff, appraisal=appraisal, member=aw.voter2.pk, note="事实不清"
    )
    assert row.decision == D.NONE and row.final_rating == "" and row.approval_note == "事实不清"
    assert AuditEvent.objects.filter(action="appraisal.rating_reject").count() == 1


def test_staff_of_the_branch_alone_cannot_approve_an_unqualified_rating(aw):
    branch_staff = factories.staff("branch_a1_staff", "committee", aw.branch_a1)
    appraisal = open_round(aw)
    services.ballot_close(actor=aw.county_staff, appraisal=appraisal)
    services.rating_record(
        actor=aw.county_staff,
        appraisal=appraisal,
        member=aw.voter2,
        final_rating="unqualified",
        reason="理由",
    )
    assert not permissions.can_approve_rating(branch_staff, appraisal)
    with pytest.raises(PermissionDenied):
        services.rating_approve(actor=branch_staff, appraisal=appraisal, member=aw.voter2.pk)
    # The committee above (committee A) may: it did not record it.
    assert (
        services.rating_approve(actor=aw.staff_a, appraisal=appraisal, member=aw.voter2.pk).decision
        == D.EFFECTIVE
    )


# Bad input ---------------------------------------------------------------------------------


def _nothing_stored():
    assert not Appraisal.objects.exists()
    assert not AppraisalParticipant.objects.exists()
    assert not BallotTally.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="appraisal.").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ballot_starts_on": 6}, "ballot_starts_on"),  # starts after it ends
        ({"self_assessment_ends_on": 9}, "self_assessment_ends_on"),  # after the ballot ends
        ({"decision_ends_on": 4}, "decision_ends_on"),  # before the ballot ends
        (
            {"ballot_ends_on": -1, "ballot_starts_on": -2, "self_assessment_ends_on": -2},
            "ballot_ends_on",
        ),
        ({"self_assessment_ends_on": "2026-02-30"}, "self_assessment_ends_on"),
        ({"ballot_starts_on": "下周一"}, "ballot_starts_on"),
        ({"decision_ends_on": None}, "decision_ends_on"),
    ],
)
def test_dates_out_of_order_or_unreadable_are_refused_in_chinese(aw, overrides, field):
    today = timezone.localdate()
    values = {
        key: today + timedelta(days=value) if isinstance(value, int) else value
        for key, value in overrides.items()
    }
    with pytest.raises(ServiceError) as error:
        open_round(aw, **values)
    assert error.value.status_code == 400 and error.value.field == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)
    _nothing_stored()


@pytest.mark.parametrize("kind", ["temporary_branch", "host", "committee", "county"])
def test_rounds_are_only_for_branches_and_general_branches(aw, kind):
    K = Organization.Kind
    target = {
        "temporary_branch": lambda: factories.organization(
            "深圳临时党支部", K.TEMPORARY_BRANCH, aw.committee_a, code="T-1"
        ),
        "host": lambda: factories.organization("深圳服务中心", K.HOST, None, code="H-1"),
        "committee": lambda: aw.committee_a,
        "county": lambda: aw.county,
    }[kind]()
    with pytest.raises(ServiceError) as error:
        open_round(aw, organization=target)
    assert error.value.field == "organization" and error.value.status_code == 400
    _nothing_stored()


def test_a_general_branch_round_covers_its_branches_and_blocks_a_second_one(aw):
    general = factories.organization(
        "城关街道第一党总支", Organization.Kind.GENERAL_BRANCH, aw.committee_a, code="G-1"
    )
    branch = factories.organization("东渠村党支部", Organization.Kind.BRANCH, general, code="G-1-1")
    member = factories.MemberFactory(organization=branch)
    appraisal = open_round(aw, organization=general)
    assert list(appraisal.participants.values_list("member_id", flat=True)) == [member.pk]
    for organization in (general, branch):
        with pytest.raises(StateConflict):
            open_round(aw, organization=organization)
    assert Appraisal.objects.count() == 1
    # Another year is another round.
    open_round(aw, organization=branch, year=timezone.localdate().year - 1)


def test_committee_staff_cannot_open_a_round_outside_their_subtree_nor_host_staff_at_all(aw):
    with pytest.raises(ServiceError):
        open_round(aw, organization=aw.branch_b1, actor=aw.staff_a)
    host = factories.organization("深圳服务中心", Organization.Kind.HOST, None, code="H-2")
    host_staff = factories.staff("host_x", "committee", host)
    with pytest.raises(PermissionDenied):
        open_round(aw, actor=host_staff)
    _nothing_stored()


def test_a_year_outside_the_last_two_is_refused(aw):
    with pytest.raises(ServiceError) as error:
        open_round(aw, year=2015)
    assert error.value.field == "year"
    _nothing_stored()


def test_a_round_of_an_empty_branch_is_refused(aw):
    empty = factories.organization("空党支部", Organization.Kind.BRANCH, aw.committee_a, code="E-1")
    with pytest.raises(ServiceError):
        open_round(aw, organization=empty)
    _nothing_stored()


def test_self_assessments_close_on_their_day_and_refuse_empty_text(aw):
    appraisal = open_round(aw)
    with pytest.raises(ServiceError):
        services.self_assessment_save(actor=aw.member_a.user, appraisal=appraisal, text="  ")
    with pytest.raises(Http404):  # member B takes no part
        services.self_assessment_save(
            actor=aw.member_b.user, appraisal=appraisal, text="我也想写自我评价一段文字"
        )
    Appraisal.objects.filter(pk=appraisal.pk).update(
        self_assessment_ends_on=timezone.localdate() - timedelta(days=1),
        ballot_starts_on=timezone.localdate() - timedelta(days=1),
    )
    appraisal.refresh_from_db()
    with pytest.raises(StateConflict):
        services.self_assessment_save(
            actor=aw.member_a.user, appraisal=appraisal, text="迟到的自我评价一段文字"
        )
    assert not SelfAssessment.objects.exists()


def test_decisions_wait_for_the_ballot_to_close(aw):
    appraisal = open_round(aw)
    with pytest.raises(StateConflict):
        services.rating_record(
            actor=aw.staff_a,
            appraisal=appraisal,
            member=aw.voter2,
            final_rating="qualified",
            reason="理由",
        )
    with pytest.raises(StateConflict):
        services.paper_tally_record(
            actor=aw.staff_a, appraisal=appraisal, paper_ballots=1, counts=[]
        )
    assert not AppraisalParticipant.objects.exclude(decision=D.NONE).exists()


def test_a_rating_for_someone_outside_the_round_and_bad_paper_counts_are_refused(aw):
    appraisal = open_round(aw)
    services.ballot_close(actor=aw.staff_a, appraisal=appraisal)
    with pytest.raises(ServiceError) as outside:
        services.rating_record(
            actor=aw.staff_a,
            appraisal=appraisal,
            member=aw.member_a2,
            final_rating="qualified",
            reason="理由",
        )
    assert outside.value.field == "member"
    with pytest.raises(ServiceError):
        services.rating_record(
            actor=aw.staff_a, appraisal=appraisal, member=aw.voter2, final_rating="good", reason="x"
        )
    bad_counts = [
        (5, []),  # more paper ballots than full members without an online ballot (3)
        (1, [{"member": aw.member_a2.pk, "rating": "qualified", "count": 1}]),
        (1, [{"member": aw.voter2.pk, "rating": "qualified", "count": 2}]),
        (
            1,
            [
                {"member": aw.voter2.pk, "rating": "qualified", "count": 1},
                {"member": aw.voter2.pk, "rating": "excellent", "count": 1},
            ],
        ),
        (1, [{"member": aw.voter2.pk, "rating": "qualified", "count": -1}]),
        (1, [{"member": aw.voter2.pk, "rating": "很好", "count": 1}]),
    ]
    for ballots, counts in bad_counts:
        with pytest.raises(ServiceError):
            services.paper_tally_record(
                actor=aw.staff_a, appraisal=appraisal, paper_ballots=ballots, counts=counts
            )
    assert not PaperTally.objects.exists()
    appraisal.refresh_from_db()
    assert appraisal.paper_ballots == 0
    assert not AppraisalParticipant.objects.exclude(decision=D.NONE).exists()


def test_reminders_go_out_once_per_stage(aw, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    appraisal = open_round(aw, **dates(self_assessment_ends_on=today + timedelta(days=1)))
    services.self_assessment_save(
        actor=aw.voter2.user, appraisal=appraisal, text="已写好的自我评价一段文字"
    )
    services.ballot_cast(
        actor=aw.voter2.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.voter2)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=today + timedelta(days=3))
        services.reminders_send(today=today + timedelta(days=3))
    assert (
        notices_to(aw.member_a.user).count(
            "民主测评将于" + f"{appraisal.ballot_ends_on:%m月%d日}结束，请及时投票"
        )
        == 1
    )
    # Voters who voted and probationary members are not asked to vote.
    assert not [t for t in notices_to(aw.voter2.user) if "请及时投票" in t]
    assert not [t for t in notices_to(aw.probationary.user) if "请及时投票" in t]
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(today=today)
    titles = notices_to(aw.member_a.user)
    assert sum("自我评价" in t for t in titles) == 1
    assert not [t for t in notices_to(aw.voter2.user) if "填写民主评议自我评价" in t]


def test_the_todo_lists_rounds_in_progress_and_approvals_waiting(aw):
    from appraisals.todos import staff_todos

    assert staff_todos(aw.staff_a) == []
    appraisal = open_round(aw)
    labels = {item["label"]: item["count"] for item in staff_todos(aw.staff_a)}
    assert labels == {"进行中的民主评议党员": 1}
    assert staff_todos(aw.staff_b) == []
    services.ballot_close(actor=aw.staff_a, appraisal=appraisal)
    services.rating_record(
        actor=aw.staff_a,
        appraisal=appraisal,
        member=aw.voter2,
        final_rating="unqualified",
        reason="理由",
    )
    mine = {item["label"]: item["count"] for item in staff_todos(aw.staff_a)}
    county = {item["label"]: item["count"] for item in staff_todos(aw.county_staff)}
    assert "待审批的“不合格”评定" not in mine  # the recorder does not approve
    assert county["待审批的“不合格”评定"] == 1
    assert county["民主测评已结束、待组织评定的民主评议"] == 1


def test_the_to_do_provider_and_the_reminder_job_are_configured():
    from django.conf import settings

    from appraisals.tasks import reminders_send_task

    assert "appraisals.todos.staff_todos" in settings.STAFF_TODO_PROVIDERS
    entry = settings.CELERY_BEAT_SCHEDULE["appraisal-reminders"]
    assert entry["task"] == reminders_send_task.name == "appraisals.send-reminders"


def test_the_reminder_task_runs_the_service(aw, django_capture_on_commit_callbacks):
    from appraisals.tasks import reminders_send_task

    today = timezone.localdate()
    open_round(aw, **dates(self_assessment_ends_on=today, ballot_ends_on=today + timedelta(days=9)))
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send_task.apply().get() == 1
        assert reminders_send_task.apply().get() == 0  # once per round and stage
    assert (
        notices_to(aw.member_a.user).count("请在" + f"{today:%m月%d日}前填写民主评议自我评价") == 1
    )

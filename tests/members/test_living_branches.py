"""Living temporary branches: a branch keeps a rule (a city or a province, optionally a skill
or an employer) and its membership follows the archive through proposals its staff accept;
a history of joins and leaves; suggestions never name a place a branch already serves."""

import pytest
from django.http import Http404
from django.test import Client

from members.models import (
    AuditEvent,
    Member,
    Notice,
    Organization,
    Skill,
    TemporaryBranchMembership,
    TemporaryBranchProposal,
    TemporaryBranchRule,
)
from members.services import branches
from sanyuan.errors import FieldErrors, StateConflict
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
SHENZHEN, GUANGZHOU, GUANGDONG = "440300", "440100", "440000"


def away(member, city=SHENZHEN, **fields):
    Member.objects.filter(pk=member.pk).update(
        status="away", destination_province=city[:2] + "0000", destination_city=city, **fields
    )


@pytest.fixture
def shenzhen(world):
    """A temporary branch of committee A in Shenzhen with three members."""
    members = [factories.MemberFactory(organization=world.branch_a1) for _ in range(3)]
    for member in members:
        away(member)
    world.gathered = members
    world.branch = branches.temporary_branch_create(staff=world.staff_a, city=SHENZHEN)
    return world


def decide(w, proposal, accept=True, staff=None):
    return branches.temporary_branch_proposal_decide(
        staff=staff or w.staff_a, proposal_id=proposal.pk, accept=accept
    )


def test_a_branch_keeps_its_city_as_its_rule(shenzhen):
    rule = TemporaryBranchRule.objects.get(branch=shenzhen.branch)
    assert rule.destination_city == SHENZHEN
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 0}


def test_a_member_who_moves_there_later_is_proposed_and_joins_on_acceptance(
    shenzhen, django_capture_on_commit_callbacks
):
    w = shenzhen
    newcomer = factories.activated_member(w.branch_a2)
    away(newcomer, GUANGZHOU)
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 0}
    away(newcomer, SHENZHEN)
    with django_capture_on_commit_callbacks(execute=True):
        assert branches.temporary_branch_sync() == {"join": 1, "leave": 0}
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 0}  # idempotent
    proposal = TemporaryBranchProposal.objects.get()
    assert (proposal.kind, proposal.member_id, proposal.status) == ("join", newcomer.pk, "pending")
    assert "深圳市" in proposal.reason
    assert Notice.objects.filter(title__contains="成员变动待确认").exists()
    # Not a member before acceptance; committee B's staff cannot decide (404).
    assert not TemporaryBranchMembership.objects.filter(member=newcomer).exists()
    with pytest.raises(Http404):
        decide(w, proposal, staff=w.staff_b)
    decide(w, proposal)
    assert TemporaryBranchMembership.objects.filter(
        member=newcomer, branch=w.branch, left_at__isnull=True
    ).exists()
    assert Notice.objects.filter(title=f"您已加入{w.branch.name}").exists()
    with pytest.raises(StateConflict):
        decide(w, proposal, accept=False)
    assert AuditEvent.objects.filter(action="temporary_branch.proposal_accept").count() == 1


def test_a_member_who_leaves_is_proposed_for_removal_and_the_history_keeps_both(shenzhen):
    w = shenzhen
    mover = w.gathered[0]
    away(mover, GUANGZHOU)
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 1}
    proposal = TemporaryBranchProposal.objects.get(kind="leave")
    decide(w, proposal)
    rows = TemporaryBranchMembership.objects.filter(member=mover, branch=w.branch)
    assert rows.count() == 1 and rows.get().left_at is not None
    # Moving back: proposed again, a second membership row; the history holds both.
    away(mover, SHENZHEN)
    branches.temporary_branch_sync()
    decide(w, TemporaryBranchProposal.objects.get(kind="join", status="pending"))
    assert TemporaryBranchMembership.objects.filter(member=mover, branch=w.branch).count() == 2
    assert list(
        TemporaryBranchProposal.objects.filter(member=mover)
        .order_by("id")
        .values_list("kind", "status")
    ) == [("leave", "accepted"), ("join", "accepted")]
    # Returning home is leaving too.
    Member.objects.filter(pk=mover.pk).update(status="returned")
    assert branches.temporary_branch_sync()["leave"] == 1


def test_a_declined_proposal_is_not_made_again(shenzhen):
    w = shenzhen
    newcomer = factories.MemberFactory(organization=w.branch_a2)
    away(newcomer)
    branches.temporary_branch_sync()
    decide(w, TemporaryBranchProposal.objects.get(), accept=False)
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 0}
    assert not TemporaryBranchMembership.objects.filter(member=newcomer).exists()


def test_members_of_another_committee_are_not_proposed(shenzhen):
    away(shenzhen.member_b)  # committee B's member in Shenzhen: not under committee A
    assert branches.temporary_branch_sync() == {"join": 0, "leave": 0}


def test_a_rule_by_province_skill_and_employer(shenzhen):
    w = shenzhen
    welder = Skill.objects.create(name="电焊")
    byd = factories.MemberFactory(organization=w.branch_a2, employer="比亚迪汽车")
    away(byd, GUANGZHOU)
    byd.skills.add(welder)
    other = factories.MemberFactory(organization=w.branch_a2, employer="富士康")
    away(other, GUANGZHOU)
    other.skills.add(welder)
    with pytest.raises(FieldErrors) as caught:
        branches.temporary_branch_rule_set(
            staff=w.staff_a, branch=w.branch, destination_province="999999", skill="魔法"
        )
    assert set(caught.value.errors) == {"destination_province", "skill"}
    branches.temporary_branch_rule_set(
        staff=w.staff_a,
        branch=w.branch,
        destination_province=GUANGDONG,
        skill="电焊",
        employer="比亚迪",
    )
    proposals = dict(TemporaryBranchProposal.objects.values_list("member_id", "kind"))
    # The three in Shenzhen have no welding skill at BYD: proposed to leave; BYD's welder joins.
    assert proposals == {byd.pk: "join", **{m.pk: "leave" for m in w.gathered}}
    with pytest.raises(Http404):
        branches.temporary_branch_rule_set(
            staff=w.staff_b, branch=w.branch, destination_city=SHENZHEN
        )


def test_suggestions_never_name_a_place_a_branch_already_serves(world):
    """Today's bug: a branch formed above the scope (by the county) or for the whole
    province still had its city suggested to committee staff."""
    for _ in range(3):
        away(factories.MemberFactory(organization=world.branch_a1), GUANGZHOU)
        away(factories.MemberFactory(organization=world.branch_b1), GUANGZHOU)
        away(factories.MemberFactory(organization=world.branch_a1), SHENZHEN)
    assert {s["city"] for s in branches.temporary_branch_suggestions(user=world.staff_a)} == {
        GUANGZHOU,
        SHENZHEN,
    }
    county_branch = branches.temporary_branch_create(staff=world.county_staff, city=GUANGZHOU)
    assert county_branch.parent == world.county
    assert {s["city"] for s in branches.temporary_branch_suggestions(user=world.staff_a)} == {
        SHENZHEN
    }
    assert branches.temporary_branch_suggestions(user=world.staff_b) == []
    with pytest.raises(StateConflict):
        branches.temporary_branch_create(staff=world.staff_a, city=GUANGZHOU)
    # A branch for the whole province covers Shenzhen too.
    branches.temporary_branch_rule_set(
        staff=world.county_staff, branch=county_branch, destination_province=GUANGDONG
    )
    assert branches.temporary_branch_suggestions(user=world.staff_a) == []


def test_the_page_and_the_api_show_and_decide_proposals(shenzhen, settings):
    w = shenzhen
    newcomer = factories.MemberFactory(organization=w.branch_a2, name="新来的")
    away(newcomer)
    branches.temporary_branch_sync()
    proposal = TemporaryBranchProposal.objects.get()
    page = factories.login_staff(Client(), w.staff_a)
    html = page.get("/staff/temporary-branches/").content.decode()
    assert "待确认的成员变动（1）" in html and "新来的" in html and "深圳市" in html
    listed = client_for(w.staff_a).get("/api/temporary-branches/proposals/").json()
    assert [row["id"] for row in listed] == [proposal.pk]
    assert client_for(w.staff_b).get("/api/temporary-branches/proposals/").json() == []
    bad = client_for(w.staff_a).post(
        f"/api/temporary-branches/proposals/{proposal.pk}/decide/", {"accept": "yes"}
    )
    assert bad.status_code == 400
    other = client_for(w.staff_b).post(
        f"/api/temporary-branches/proposals/{proposal.pk}/decide/",
        {"accept": True},
        format="json",
    )
    assert other.status_code == 404
    page.post(
        "/staff/temporary-branches/",
        {"action": "proposal", "proposal": proposal.pk, "decision": "accept"},
    )
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
    response = page.post(
        "/staff/temporary-branches/",
        {"action": "rule", "branch": w.branch.pk, "destination_province": GUANGDONG},
    )
    assert response.status_code == 302
    assert TemporaryBranchRule.objects.get(branch=w.branch).destination_province == GUANGDONG
    assert "members.temporary-branch-sync" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert Organization.objects.get(pk=w.branch.pk).region_code == ""

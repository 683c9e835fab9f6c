"""民主评议党员 (issue 24, app `appraisals`) in the tier matrix: every endpoint, page, export
and admin view as county staff, committee staff, host-organisation staff (they take no part:
403), a member and anonymous, against a round in scope (side a: committee A) and one out of
scope (side b: committee B). In scope answers 2xx for the tiers that act; out of scope never
does and changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import client_for
from tests.hardening.test_tier_matrix import expected_out_of_scope

pytestmark = pytest.mark.django_db

COUNTY, COMMITTEE, HOST, MEMBER, ANON = "county", "committee", "host", "member", "anonymous"
STAFF = {COUNTY, COMMITTEE}
TIERS = [COUNTY, COMMITTEE, HOST, MEMBER, ANON]


@pytest.fixture
def appraisal_world(world):
    from members.models import Organization
    from tests import factories

    world.host = factories.organization("深圳流动党员服务中心", Organization.Kind.HOST, None)
    world.host_staff = factories.staff("matrix_host", "committee", world.host)
    world.voter_a = factories.activated_member(world.branch_a1, name="赵六")
    world.voter_b = factories.activated_member(world.branch_b1, name="周九")
    world.committees = {"a": world.committee_a, "b": world.committee_b}
    world.principals = {
        COUNTY: world.county_staff,
        COMMITTEE: world.staff_a,
        HOST: world.host_staff,
        MEMBER: world.member_a.user,
        ANON: None,
    }
    world.rounds = {
        "a": _open(world, world.branch_a1),
        "b": _open(world, world.branch_b1),
    }
    world.fresh = iter(range(1, 10_000))
    return world


def _dates():
    today = timezone.localdate()
    return {
        "self_assessment_ends_on": today + timedelta(days=2),
        "ballot_starts_on": today,
        "ballot_ends_on": today + timedelta(days=4),
        "decision_ends_on": today + timedelta(days=20),
    }


def _open(w, organization, year=None):
    from appraisals import services

    return services.appraisal_open(
        actor=w.county_staff,
        organization=organization,
        year=year or timezone.localdate().year,
        **_dates(),
    )


def _branch(w, side):
    """A new branch of the side's committee with two members."""
    from members.models import Organization
    from tests import factories

    number = next(w.fresh)
    branch = factories.organization(
        f"矩阵第{number}党支部", Organization.Kind.BRANCH, w.committees[side], code=f"M-{number}"
    )
    for _ in range(2):
        factories.MemberFactory(organization=branch)
    return branch


def _closed(w, side):
    from appraisals import services

    appraisal = _open(w, _branch(w, side))
    services.ballot_close(actor=w.county_staff, appraisal=appraisal)
    return appraisal


def _branch_staff(w, appraisal):
    from tests import factories

    return factories.staff(f"branch_{appraisal.pk}", "committee", appraisal.organization)


def _pending(w, side):
    """A closed round whose first participant is rated unqualified by the branch's own staff
    (so that both the committee and the county may approve)."""
    from appraisals import services

    appraisal = _closed(w, side)
    member = appraisal.participants.order_by("member_id").first().member
    services.rating_record(
        actor=_branch_staff(w, appraisal),
        appraisal=appraisal,
        member=member,
        final_rating="unqualified",
        reason="矩阵",
    )
    appraisal.pending_member = member
    return appraisal


def _decided(w, side):
    from appraisals import services

    appraisal = _closed(w, side)
    recorder = _branch_staff(w, appraisal)
    for participant in appraisal.participants.all():
        services.rating_record(
            actor=recorder,
            appraisal=appraisal,
            member=participant.member_id,
            final_rating="qualified",
            reason="矩阵",
        )
    return appraisal


def _ballot(w, side):
    """A round the member principal may vote in on side a (last year's, so that every call
    has its own), and side b's round."""
    if side == "b":
        return w.rounds["b"]
    return _open(w, w.branch_a1, year=timezone.localdate().year - 1)


def _everyone_else(appraisal, voter):
    others = appraisal.participants.exclude(member_id=voter.pk).values_list("member_id", flat=True)
    return {"ratings": [{"member": pk, "rating": "qualified"} for pk in others]}


# (name, method, make(w, side) -> url, tiers acting in scope)
READS = [
    ("round", "get", lambda w, s: f"/api/appraisals/{w.rounds[s].pk}/", STAFF),
    ("round list", "get", lambda w, s: "/api/appraisals/?state=open", STAFF),
    ("tallies", "get", lambda w, s: f"/api/appraisals/{_closed(w, s).pk}/tallies/", STAFF),
    ("own rounds", "get", lambda w, s: "/api/me/appraisals/", {MEMBER}),
    ("own round", "get", lambda w, s: f"/api/me/appraisals/{w.rounds[s].pk}/", {MEMBER}),
]
# (name, method, make(w, side) -> (url, round or None), tiers acting in scope, body(w, side, round))
WRITES = [
    (
        "open a round",
        "post",
        lambda w, s: ("/api/appraisals/", None),
        STAFF,
        lambda w, s, r: {
            "organization": _branch(w, s).pk,
            "year": timezone.localdate().year,
            **{key: value.isoformat() for key, value in _dates().items()},
        },
    ),
    (
        "close the ballot",
        "post",
        lambda w, s: (lambda r: (f"/api/appraisals/{r.pk}/close-ballot/", r))(
            _open(w, _branch(w, s))
        ),
        STAFF,
        lambda w, s, r: {},
    ),
    (
        "paper tally",
        "put",
        lambda w, s: (lambda r: (f"/api/appraisals/{r.pk}/paper-tally/", r))(_closed(w, s)),
        STAFF,
        lambda w, s, r: {"paper_ballots": 0, "counts": []},
    ),
    (
        "final rating",
        "post",
        lambda w, s: (lambda r: (f"/api/appraisals/{r.pk}/ratings/", r))(_closed(w, s)),
        STAFF,
        lambda w, s, r: {
            "member": r.participants.first().member_id,
            "final_rating": "qualified",
            "reason": "矩阵",
        },
    ),
    (
        "approve unqualified",
        "post",
        lambda w, s: (
            lambda r: (f"/api/appraisals/{r.pk}/ratings/{r.pending_member.pk}/approve/", r)
        )(_pending(w, s)),
        STAFF,
        lambda w, s, r: {"note": "同意"},
    ),
    (
        "reject unqualified",
        "post",
        lambda w, s: (
            lambda r: (f"/api/appraisals/{r.pk}/ratings/{r.pending_member.pk}/reject/", r)
        )(_pending(w, s)),
        STAFF,
        lambda w, s, r: {"note": "事实不清"},
    ),
    (
        "finish",
        "post",
        lambda w, s: (lambda r: (f"/api/appraisals/{r.pk}/finish/", r))(_decided(w, s)),
        STAFF,
        lambda w, s, r: {},
    ),
    (
        "self-assessment",
        "put",
        lambda w, s: (f"/api/appraisals/{w.rounds[s].pk}/self-assessment/", w.rounds[s]),
        {MEMBER},
        lambda w, s, r: {"text": "矩阵测试的自我评价，十个字以上。"},
    ),
    (
        "ballot",
        "post",
        lambda w, s: (lambda r: (f"/api/appraisals/{r.pk}/ballot/", r))(_ballot(w, s)),
        {MEMBER},
        lambda w, s, r: _everyone_else(r, w.member_a),
    ),
]


def _call(w, tier, method, url, body=None):
    client = client_for(w.principals[tier])
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


def _stored(appraisal=None):
    """What a refused write must not change."""
    from appraisals.models import (
        Appraisal,
        AppraisalParticipant,
        BallotRegister,
        PaperTally,
        SelfAssessment,
    )
    from members.models import AuditEvent

    return (
        Appraisal.objects.count(),
        sorted(
            Appraisal.objects.values_list("pk", "ballot_closed_at", "finished_at", "paper_ballots")
        ),
        sorted(AppraisalParticipant.objects.values_list("pk", "final_rating", "decision")),
        BallotRegister.objects.count(),
        PaperTally.objects.count(),
        sorted(SelfAssessment.objects.values_list("pk", "text")),
        AuditEvent.objects.exclude(action="access.denied").count(),
    )


@pytest.mark.parametrize("tier", TIERS)
def test_appraisal_reads_answer_every_tier_in_and_out_of_scope(appraisal_world, tier):
    w = appraisal_world
    problems = []
    for name, method, make, reach in READS:
        a = _call(w, tier, method, make(w, "a"))
        url_b = make(w, "b")
        b = _call(w, tier, method, url_b)
        if tier in reach and a.status_code != 200:
            problems.append(f"{name}: side a answered {a.status_code}, expected 200")
        if tier not in reach and a.status_code < 400:
            problems.append(f"{name}: side a LEAKED ({a.status_code})")
        if tier == HOST and a.status_code != 403:
            problems.append(f"{name}: host staff got {a.status_code}, expected 403")
        is_object = url_b.rstrip("/").split("/")[-1].isdigit() or "tallies" in url_b
        if is_object and tier != COUNTY and b.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {b.status_code} (out of scope)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, HOST, MEMBER, ANON])
def test_no_tier_changes_a_round_outside_its_scope(appraisal_world, tier):
    w = appraisal_world
    problems = []
    for name, method, make, _reach, body in WRITES:
        url, appraisal = make(w, "b")
        payload = body(w, "b", appraisal)
        before = _stored()
        response = _call(w, tier, method, url, payload)
        if response.status_code not in expected_out_of_scope(tier) | {400}:
            problems.append(f"{name}: side b answered {response.status_code}")
        if response.status_code == 400 and tier != COMMITTEE:
            problems.append(f"{name}: {tier} got 400 instead of a refusal")
        if _stored() != before:
            problems.append(f"{name}: side b's data changed")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", TIERS)
def test_the_appraisal_steps_work_in_scope_for_the_tiers_that_take_them(appraisal_world, tier):
    w = appraisal_world
    problems = []
    for name, method, make, reach, body in WRITES:
        url, appraisal = make(w, "a")
        response = _call(w, tier, method, url, body(w, "a", appraisal))
        if tier in reach and response.status_code >= 300:
            problems.append(
                f"{name}: side a answered {response.status_code} {response.content[:200]}"
            )
        if tier not in reach and response.status_code not in {401, 403}:
            problems.append(f"{name}: tier {tier} got {response.status_code}, expected 401/403")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("tier", "a_status", "b_status"),
    [
        (COUNTY, 200, 200),
        (COMMITTEE, 200, 404),
        (HOST, 403, 403),
        (MEMBER, 403, 403),
        (ANON, 302, 302),
    ],
)
def test_appraisal_pages_exports_and_admin_answer_every_tier(
    appraisal_world, client, tier, a_status, b_status
):
    from tests.factories import login_staff

    w = appraisal_world
    user = w.principals[tier]
    if user is not None:
        login_staff(client, user, backend=None)
    for side, expected in (("a", a_status), ("b", b_status)):
        pk = w.rounds[side].pk
        for suffix in ("", "paper-tally/", "export/"):
            url = f"/staff/appraisals/{pk}/{suffix}"
            assert client.get(url).status_code == expected, (url, tier)
    for url in ("/staff/appraisals/", "/staff/appraisals/new/"):
        assert client.get(url).status_code == a_status, (url, tier)
    own = {MEMBER: 200, ANON: 302}.get(tier, 403)
    for url in (
        "/me/appraisals/",
        f"/me/appraisals/{w.rounds['a'].pk}/",
        f"/me/appraisals/{w.rounds['a'].pk}/ballot/",
    ):
        assert client.get(url).status_code == own, (url, tier)
    if tier == MEMBER:  # another branch's round
        assert client.get(f"/me/appraisals/{w.rounds['b'].pk}/").status_code == 404
    for model in ("appraisal", "selfassessment"):
        listing = client.get(f"/admin/appraisals/{model}/").status_code
        assert listing == (200 if tier in STAFF else listing), (model, tier)
        if tier not in STAFF:
            assert listing in (302, 403), (model, tier, listing)
    admin_b = client.get(f"/admin/appraisals/appraisal/{w.rounds['b'].pk}/change/").status_code
    admin_a = client.get(f"/admin/appraisals/appraisal/{w.rounds['a'].pk}/change/").status_code
    if tier == COUNTY:
        assert admin_a == admin_b == 200
    elif tier == COMMITTEE:
        assert admin_a == 200 and admin_b in (302, 403, 404)
    else:
        assert admin_a in (302, 403, 404) and admin_b in (302, 403, 404), (tier, admin_a)
    # The ballot's tables have no admin at all.
    for model in ("ballotregister", "ballottally", "papertally"):
        assert client.get(f"/admin/appraisals/{model}/").status_code in (302, 404), model

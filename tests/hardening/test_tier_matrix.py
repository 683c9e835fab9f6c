"""Every object endpoint, as every tier, against an object in scope (side a: committee A and
its member) and one out of scope (side b: committee B and its member). In scope answers 2xx;
out of scope never does (404, or 401/403 for a tier that may not use the endpoint at all),
and a list never carries an out-of-scope id.

Besides county, committee, member and anonymous: host staff (their only grant is on the host
organisation that hosts side a's member; they read that member without the sensitive fields
and keep in touch) and committee A's staff through a group grant (exactly the scope of a
direct grant). The pages, exports and the admin are in test_tier_matrix_pages.py.
"""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

COUNTY, COMMITTEE, MEMBER, ANON = "county", "committee", "member", "anonymous"
GROUP, HOST = "committee_group", "host"
STAFF = {COUNTY, COMMITTEE, GROUP}
HOSTED = STAFF | {HOST}  # reads of the hosted member's archive and contact log

# (name, method, url(side), tiers that reach side a's object, optional JSON body)
READS = [
    ("member", "get", lambda s: f"/api/members/{s.member.pk}/", HOSTED),
    ("member history", "get", lambda s: f"/api/members/{s.member.pk}/history/", HOSTED),
    ("member contacts", "get", lambda s: f"/api/members/{s.member.pk}/contacts/", HOSTED),
    ("change request", "get", lambda s: f"/api/change-requests/{s.change_request.pk}/", STAFF),
    (
        "evidence file",
        "get",
        lambda s: f"/api/change-requests/{s.change_request.pk}/evidence/{s.evidence.pk}/",
        STAFF | {MEMBER},  # the member who asked sees their own evidence
    ),
    ("article", "get", lambda s: f"/api/articles/{s.article.pk}/", STAFF | {MEMBER}),
    (
        "article cover",
        "get",
        lambda s: f"/api/articles/{s.article.pk}/cover/original/",
        STAFF | {MEMBER},
    ),
    (
        "article attachment",
        "get",
        lambda s: f"/api/articles/{s.article.pk}/attachments/{s.attachment.pk}/",
        STAFF | {MEMBER},
    ),
    ("article figures", "get", lambda s: f"/api/articles/{s.article.pk}/study-figures/", STAFF),
    ("activity", "get", lambda s: f"/api/activities/{s.activity.pk}/", STAFF | {MEMBER}),
    (
        "attendance",
        "get",
        lambda s: f"/api/activities/{s.activity.pk}/attendance/",
        STAFF,  # the sheet; members reply with POST
    ),
    (
        "material file",
        "get",
        lambda s: f"/api/activity-materials/{s.material.pk}/file/",
        STAFF | {MEMBER},
    ),
    # The forum board is read by every member and every staff user (host staff included).
    ("forum thread", "get", lambda s: f"/api/forum/threads/{s.thread.pk}/", HOSTED | {MEMBER}),
    (
        "forum posts",
        "get",
        lambda s: f"/api/forum/threads/{s.thread.pk}/posts/",
        HOSTED | {MEMBER},
    ),
    ("forum post", "get", lambda s: f"/api/forum/posts/{s.post.pk}/", HOSTED | {MEMBER}),
    ("forum image", "get", lambda s: f"/api/forum/images/{s.image.pk}/", HOSTED | {MEMBER}),
    ("reflection", "get", lambda s: f"/api/forum/threads/{s.reflection.pk}/", STAFF | {MEMBER}),
    (
        "reflection posts",
        "get",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/posts/",
        STAFF | {MEMBER},
    ),
    (
        "reflection post",
        "get",
        lambda s: f"/api/forum/posts/{s.reflection_post.pk}/",
        STAFF | {MEMBER},
    ),
    # Hometown ties: a family's support case is the member's and home staff's only.
    ("support case", "get", lambda s: f"/api/support-cases/{s.support_case.pk}/", STAFF | {MEMBER}),
]
# Forum threads on the `forum` board are read by all members and staff of the county: side
# b's forum thread is *meant* to be visible to member A (DESIGN.md, Forum). Reflections are not.
COUNTY_WIDE = {"forum thread", "forum posts", "forum post", "forum image"}

WRITES = [
    (
        "edit member",
        "patch",
        lambda s: f"/api/members/{s.member.pk}/",
        STAFF,
        {"employer": "新单位"},
    ),
    (
        "add contact",
        "post",
        lambda s: f"/api/members/{s.member.pk}/contacts/",
        HOSTED,
        {"contacted_on": "2026-01-05", "channel": "phone"},
    ),
    (
        "reveal id number",
        "post",
        lambda s: f"/api/members/{s.member.pk}/reveal-id-number/",
        STAFF,
        {},
    ),
    (
        "issue code",
        "post",
        lambda s: f"/api/members/{s.member.pk}/activation-code/",
        STAFF,
        {"reason": "手机号停用"},
    ),
    (
        "reject change request",
        "post",
        lambda s: f"/api/change-requests/{s.change_request.pk}/reject/",
        STAFF,
        {"comment": "材料不全"},
    ),
    (
        "withdraw change request",
        "post",
        lambda s: f"/api/me/change-requests/{s.change_request.pk}/withdraw/",
        {MEMBER},
        {},
    ),
    (
        "reply to activity",
        "post",
        lambda s: f"/api/activities/{s.activity.pk}/attendance/",
        {MEMBER},
        {"status": "excused", "reason": "在外地务工"},
    ),
    (
        "cancel activity",
        "post",
        lambda s: f"/api/activities/{s.activity.pk}/cancel/",
        STAFF,
        {"reason": "天气原因"},
    ),
    (
        "delete material",
        "delete",
        lambda s: f"/api/activity-materials/{s.material.pk}/",
        STAFF,
        None,
    ),
    (
        "moderate reflection",
        "post",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/moderation/",
        STAFF,
        {"action": "lock", "reason": "测试"},
    ),
    (
        "reply to reflection",
        "post",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/posts/",
        STAFF | {MEMBER},
        {"body": "收到"},
    ),
    (
        "report reflection post",
        "post",
        lambda s: f"/api/forum/posts/{s.reflection_post.pk}/reports/",
        set(),
        {"reason": "spam"},
    ),
    ("read notice", "post", lambda s: f"/api/notices/{s.notice.pk}/read/", {MEMBER}, None),
    (
        "support case step",
        "post",
        lambda s: f"/api/support-cases/{s.support_case.pk}/steps/",
        STAFF,
        {"note": "电话回访家属"},
    ),
    (
        "decide contribution",
        "post",
        lambda s: f"/api/contributions/{s.contribution.pk}/decide/",
        STAFF,
        {"confirm": True},
    ),
]


def call(world, tier, method, url, body=None):
    token = world.tokens[tier]
    client = client_for(None)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    kwargs = {"format": "json"} if body is not None else {}
    return (
        getattr(client, method)(url, body, **kwargs)
        if body is not None
        else getattr(client, method)(url)
    )


def expected_out_of_scope(tier: str) -> set[int]:
    # Anonymous: 401 on endpoints that need an account, 404 on public ones (articles).
    return {401, 404} if tier == ANON else {403, 404}


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON])
def test_no_tier_reaches_an_object_outside_its_scope(scoped_world, tier):
    w = scoped_world
    problems = []
    for name, method, url, reach in READS:
        a = call(w, tier, method, url(w.a))
        b = call(w, tier, method, url(w.b))
        if tier in reach:
            if a.status_code != 200:
                problems.append(f"{name}: side a answered {a.status_code}, expected 200")
        elif a.status_code < 400:
            problems.append(f"{name}: side a LEAKED ({a.status_code})")
        b_visible = tier == COUNTY or (name in COUNTY_WIDE and tier in reach)
        if b_visible:
            if b.status_code != 200:
                problems.append(f"{name}: side b answered {b.status_code}, expected 200")
        elif b.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {b.status_code} (out of scope)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, GROUP, HOST, MEMBER, ANON])
def test_no_tier_changes_an_object_outside_its_scope(scoped_world, tier):
    w = scoped_world
    contacts_before = w.b.member.contacts.count()
    problems = []
    for name, method, url, _reach, body in WRITES:
        response = call(w, tier, method, url(w.b), body)
        if response.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {response.status_code}")
    assert not problems, "\n".join(problems)
    w.b.change_request.refresh_from_db()
    assert w.b.change_request.status == "pending"
    w.b.activity.refresh_from_db()
    assert w.b.activity.status == "published"
    w.b.reflection.refresh_from_db()
    assert not w.b.reflection.is_locked
    assert w.b.member.contacts.count() == contacts_before
    assert w.b.material.__class__.objects.filter(pk=w.b.material.pk).exists()
    assert w.b.support_case.steps.count() == 1
    w.b.contribution.refresh_from_db()
    assert w.b.contribution.status == "recorded"


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON])
def test_no_tier_makes_a_write_outside_its_reach_on_its_own_side(scoped_world, tier):
    """Side a, writes the tier may not make at all (host staff editing the member they host,
    staff replying to an activity, a member reviewing): refused, never a 2xx or a 500."""
    w = scoped_world
    problems = []
    for name, method, url, reach, body in WRITES:
        if tier in reach:
            continue
        response = call(w, tier, method, url(w.a), body)
        if response.status_code < 400 or response.status_code >= 500:
            problems.append(f"{name}: side a answered {response.status_code}")
    assert not problems, "\n".join(problems)
    w.member_a.refresh_from_db()
    assert w.member_a.employer != "新单位"
    w.a.change_request.refresh_from_db()
    assert w.a.change_request.status == "pending"


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, GROUP, HOST, MEMBER])
def test_the_same_writes_work_in_scope(scoped_world, tier):
    """The write matrix can fail: in scope, the tiers that may act get a 2xx."""
    w = scoped_world
    problems = []
    for name, method, url, reach, body in WRITES:
        if tier not in reach:
            continue
        response = call(w, tier, method, url(w.a), body)
        if response.status_code >= 300:
            problems.append(f"{name}: side a answered {response.status_code}")
    assert not problems, "\n".join(problems)


LISTS = [
    ("/api/members/", lambda s: s.member.pk),
    ("/api/change-requests/?status=pending", lambda s: s.change_request.pk),
    ("/api/articles/", lambda s: s.article.pk),
    ("/api/activities/", lambda s: s.activity.pk),
    ("/api/forum/threads/?board=reflections", lambda s: s.reflection.pk),
    ("/api/notices/", lambda s: s.notice.pk),
    ("/api/me/change-requests/", lambda s: s.change_request.pk),
    ("/api/organizations/", lambda s: s.branch.pk),
    ("/api/forum/queue/", lambda s: s.thread.pk),
    ("/api/support-cases/?which=all", lambda s: s.support_case.pk),
    ("/api/me/support-cases/", lambda s: s.support_case.pk),
    ("/api/contributions/", lambda s: s.contribution.pk),
    ("/api/support-group/members/", lambda s: s.membership.pk),
]


def _ids(payload) -> set[int]:
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


@pytest.mark.parametrize("tier", [COMMITTEE, GROUP, HOST, MEMBER])
def test_lists_never_carry_out_of_scope_objects(scoped_world, tier):
    w = scoped_world
    problems = []
    for url, key in LISTS:
        response = call(w, tier, "get", url)
        if response.status_code != 200:
            continue  # a tier that may not list this at all (403)
        ids = _ids(response.json())
        if key(w.b) in ids:
            problems.append(f"{url}: carries side b's object {key(w.b)}")
    assert not problems, "\n".join(problems)


def test_the_county_lists_carry_both_sides(scoped_world):
    w = scoped_world
    for url, key in LISTS[:4]:
        ids = _ids(call(w, COUNTY, "get", url).json())
        assert {key(w.a), key(w.b)} <= ids, url


def _contacts(w, tier) -> list[dict]:
    response = call(w, tier, "get", f"/api/members/{w.member_a.pk}/contacts/")
    assert response.status_code == 200
    return response.json()


def test_host_staff_read_only_the_contacts_their_organisation_wrote_without_the_mindset(
    scoped_world,
):
    w = scoped_world
    home = _contacts(w, COMMITTEE)
    assert {row["id"] for row in home} == set(w.member_a.contacts.values_list("id", flat=True)), (
        "home staff read every entry"
    )
    assert all("mindset" in row for row in home)
    assert "concerning" in {row["mindset"] for row in home}
    hosted = _contacts(w, HOST)
    assert [row["id"] for row in hosted] == [w.a.host_contact.pk]
    assert not any("mindset" in row for row in hosted)


def test_host_staff_record_a_contact_but_never_a_mindset_assessment(scoped_world):
    w = scoped_world
    before = w.member_a.contacts.count()
    body = {"contacted_on": "2026-01-05", "channel": "visit", "mindset": "stable"}
    refused = call(w, HOST, "post", f"/api/members/{w.member_a.pk}/contacts/", body)
    assert refused.status_code == 400
    assert "mindset" in refused.json()
    assert w.member_a.contacts.count() == before
    del body["mindset"]
    recorded = call(w, HOST, "post", f"/api/members/{w.member_a.pk}/contacts/", body)
    assert recorded.status_code == 201
    assert "mindset" not in recorded.json()
    assert recorded.json()["organization_name"] == w.host.name


def test_the_group_grant_answers_every_object_endpoint_as_the_direct_grant(scoped_world):
    w = scoped_world
    differences = []
    for name, method, url, _reach in READS:
        for side in (w.a, w.b):
            direct = call(w, COMMITTEE, method, url(side)).status_code
            group = call(w, GROUP, method, url(side)).status_code
            if direct != group:
                differences.append(f"{name} ({url(side)}): direct {direct}, group {group}")
    for url, _key in LISTS:
        direct, group = call(w, COMMITTEE, "get", url), call(w, GROUP, "get", url)
        ids = (_ids(direct.json()), _ids(group.json())) if direct.status_code == 200 else None
        if direct.status_code != group.status_code or (ids and ids[0] != ids[1]):
            differences.append(
                f"{url}: direct {direct.status_code} {ids}, group {group.status_code}"
            )
    assert not differences, "\n".join(differences)


# =========================================================================================
# Organisational relationship transfers (issue 23, app `transfers`). A block of its own, with
# its own world: each side (a: committee A, b: committee B) gets fresh transfers per row, and
# host-organisation staff are a principal too (they take no part in transfers: 403).
# =========================================================================================

TRANSFER_TIERS = [COUNTY, COMMITTEE, HOST, MEMBER, ANON]


@pytest.fixture
def transfer_world(world):
    from members.models import Organization
    from tests import factories

    world.branch_b2 = factories.organization(
        "陵前镇徐木村党支部", Organization.Kind.BRANCH, world.committee_b, code="C-B-2"
    )
    world.host = factories.organization("深圳流动党员服务中心", Organization.Kind.HOST, None)
    world.host_staff = factories.staff("matrix_host", "committee", world.host)
    world.sides = {
        "a": {"member": world.member_a, "home": world.branch_a1, "other": world.branch_a2},
        "b": {"member": world.member_b, "home": world.branch_b1, "other": world.branch_b2},
    }
    world.principals = {
        COUNTY: world.county_staff,
        COMMITTEE: world.staff_a,
        HOST: world.host_staff,
        MEMBER: world.member_a.user,
        ANON: None,
    }
    return world


def _fresh_member(w, side):
    from tests import factories

    return factories.MemberFactory(organization=w.sides[side]["home"])


def _within(w, side, member=None):
    from transfers import services

    member = member or _fresh_member(w, side)
    return services.transfer_request(
        actor=w.county_staff,
        member=member,
        to_organization=w.sides[side]["other"],
        reason="矩阵测试",
    )


def _approved(w, side):
    from transfers import services

    return services.transfer_approve(actor=w.county_staff, transfer=_within(w, side))


def _prepared(w, side, member=None):
    from transfers import services

    return services.transfer_prepare(
        actor=w.county_staff,
        member=member or _fresh_member(w, side),
        to_name="中共深圳市宝安区委组织部",
        reason="矩阵测试",
    )


_letter_numbers = iter(range(1, 100_000))


def _issued(w, side, member=None):
    from django.utils import timezone

    from transfers import services

    transfer = _prepared(w, side, member)
    services.letter_issue(
        actor=w.county_staff,
        transfer=transfer,
        number=f"MATRIX-{next(_letter_numbers)}",
        dues_paid_until=timezone.localdate().replace(day=1),
    )
    transfer.refresh_from_db()
    return transfer


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


# (name, method, make(w, side) -> (url, transfer or None), tiers acting in scope, body(w, side))
TRANSFER_READS = [
    ("transfer", "get", lambda w, s: (f"/api/transfers/{_within(w, s).pk}/", None), STAFF),
    ("transfer list filtered", "get", lambda w, s: ("/api/transfers/?status=open", None), STAFF),
    ("candidates", "get", lambda w, s: ("/api/transfers/candidates/", None), STAFF),
    (
        "own transfer",
        "get",
        lambda w, s: (
            f"/api/me/transfers/{_within(w, s, member=w.sides[s]['member']).pk}/",
            None,
        ),
        {MEMBER},
    ),
    ("destinations", "get", lambda w, s: ("/api/me/transfers/destinations/", None), {MEMBER}),
]
TRANSFER_WRITES = [
    (
        "approve",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/approve/", t))(_within(w, s)),
        STAFF,
        lambda w, s: {},
    ),
    (
        "reject",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/reject/", t))(_within(w, s)),
        STAFF,
        lambda w, s: {"reason": "材料不全"},
    ),
    (
        "accept",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/accept/", t))(_approved(w, s)),
        STAFF,
        lambda w, s: {},
    ),
    (
        "withdraw",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/withdraw/", t))(_within(w, s)),
        STAFF,
        lambda w, s: {"reason": "矩阵"},
    ),
    (
        "member withdraws",
        "post",
        lambda w, s: (lambda t: (f"/api/me/transfers/{t.pk}/withdraw/", t))(
            _within(w, s, member=w.sides[s]["member"])
        ),
        {MEMBER},
        lambda w, s: {},
    ),
    (
        "issue letter",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/letter/", t))(_prepared(w, s)),
        {COUNTY},  # committee staff in scope get 403: only the county tier issues
        lambda w, s: {"number": f"MATRIX-W-{next(_letter_numbers)}", "dues_paid_until": "2026-01"},
    ),
    (
        "record receipt",
        "post",
        lambda w, s: (lambda t: (f"/api/transfers/{t.pk}/receipt/", t))(_issued(w, s)),
        STAFF,
        lambda w, s: {"reported_on": _today()},
    ),
    (
        "ask inside the county",
        "post",
        lambda w, s: ("/api/transfers/", None),
        STAFF,
        lambda w, s: {
            "member": _fresh_member(w, s).pk,
            "to_organization": w.sides[s]["other"].pk,
            "reason": "矩阵",
        },
    ),
    (
        "prepare out of the county",
        "post",
        lambda w, s: ("/api/transfers/outgoing/", None),
        STAFF,
        lambda w, s: {
            "member": _fresh_member(w, s).pk,
            "to_name": "中共深圳市宝安区委组织部",
            "reason": "矩阵",
        },
    ),
]


def _transfer_call(w, tier, method, url, body=None):
    client = client_for(w.principals[tier])
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("tier", TRANSFER_TIERS)
def test_transfer_endpoints_answer_every_tier_in_and_out_of_scope(transfer_world, tier):
    w = transfer_world
    problems = []
    for name, method, make, reach in TRANSFER_READS:
        url_a, _ = make(w, "a")
        url_b, _ = make(w, "b")
        a = _transfer_call(w, tier, method, url_a)
        b = _transfer_call(w, tier, method, url_b)
        if tier in reach and a.status_code != 200:
            problems.append(f"{name}: side a answered {a.status_code}, expected 200")
        if tier not in reach and a.status_code < 400:
            problems.append(f"{name}: side a LEAKED ({a.status_code})")
        if tier == HOST and a.status_code != 403:
            problems.append(f"{name}: host staff got {a.status_code}, expected 403")
        is_object = "{" not in url_b and url_b.rstrip("/").split("/")[-1].isdigit()
        if is_object and tier != COUNTY and b.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {b.status_code} (out of scope)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, HOST, MEMBER, ANON])
def test_no_tier_moves_a_transfer_outside_its_scope(transfer_world, tier):
    from members.models import AuditEvent
    from transfers.models import Transfer, TransferEvent

    w = transfer_world
    problems = []
    for name, method, make, _reach, body in TRANSFER_WRITES:
        url, transfer = make(w, "b")
        before = (Transfer.objects.count(), TransferEvent.objects.count())
        audits = AuditEvent.objects.exclude(action="access.denied").count()
        response = _transfer_call(w, tier, method, url, body(w, "b"))
        if response.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {response.status_code}")
        if transfer is not None:
            status = transfer.status
            transfer.refresh_from_db()
            if transfer.status != status:
                problems.append(f"{name}: side b's transfer moved to {transfer.status}")
        if (Transfer.objects.count(), TransferEvent.objects.count()) != before:
            problems.append(f"{name}: a transfer or a step was stored")
        if AuditEvent.objects.exclude(action="access.denied").count() != audits:
            problems.append(f"{name}: an audit event other than the denial was written")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, HOST, MEMBER, ANON])
def test_the_transfer_steps_work_in_scope_for_the_tiers_that_take_them(transfer_world, tier):
    w = transfer_world
    problems = []
    for name, method, make, reach, body in TRANSFER_WRITES:
        url, _ = make(w, "a")
        response = _transfer_call(w, tier, method, url, body(w, "a"))
        if tier in reach and response.status_code >= 300:
            problems.append(f"{name}: side a answered {response.status_code}")
        if tier not in reach and response.status_code not in {401, 403}:
            problems.append(f"{name}: tier {tier} got {response.status_code}, expected 401/403")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, MEMBER])
def test_transfer_lists_never_carry_the_other_side(transfer_world, tier):
    w = transfer_world
    a_member = _within(w, "a", member=w.member_a)
    b_member = _within(w, "b", member=w.member_b)
    b_staff = _issued(w, "b")
    url = "/api/transfers/?page_size=100" if tier == COMMITTEE else "/api/me/transfers/"
    response = _transfer_call(w, tier, "get", url)
    assert response.status_code == 200
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    seen = {row["id"] for row in rows}
    assert a_member.pk in seen
    assert not seen & {b_member.pk, b_staff.pk}


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
def test_transfer_pages_and_admin_answer_every_tier(
    transfer_world, client, tier, a_status, b_status
):
    from tests.factories import login_staff

    w = transfer_world
    user = w.principals[tier]
    if user is not None:
        login_staff(client, user, backend=None)
    sides = {side: _issued(w, side) for side in ("a", "b")}
    for side, expected in (("a", a_status), ("b", b_status)):
        pk = sides[side].pk
        for url in (f"/staff/transfers/{pk}/", f"/staff/transfers/{pk}/letter/"):
            status = client.get(url).status_code
            assert status == expected, (url, tier, status)
    for url in (
        "/staff/transfers/",
        "/staff/transfers/candidates/",
        "/staff/transfers/incoming/new/",
    ):
        assert client.get(url).status_code == a_status, (url, tier)
    own = client.get(f"/me/transfers/{_within(w, 'a', member=w.member_a).pk}/").status_code
    assert own == {MEMBER: 200, ANON: 302}.get(tier, 403)
    admin = client.get(f"/admin/transfers/transfer/{sides['b'].pk}/change/").status_code
    if tier == COUNTY:
        assert admin == 200
    else:
        assert admin in (302, 403, 404), (tier, admin)


# =========================================================================================
# Hometown ties (issue 25, app `hometown`): the pages and exports as every principal. Host
# staff take no part (403: cases are sensitive like the family situation, amounts like
# income); members reach their own pages only; side b's objects are 404 to committee A.
# =========================================================================================

HOMETOWN_STAFF_PAGES = [
    "/staff/family-support/",
    "/staff/family-support/?which=stale",
    "/staff/support-group/members/",
    "/staff/support-group/contributions/",
    "/staff/support-group/campaigns/",
    "/staff/hometown/export/",
]


def _page_client(w, tier):
    from django.test import Client

    from tests.factories import login_staff

    client = Client()
    user = {
        COUNTY: w.county_staff,
        COMMITTEE: w.staff_a,
        GROUP: w.group_staff,
        HOST: w.host_staff,
        MEMBER: w.member_a.user,
    }.get(tier)
    if user is not None:
        login_staff(
            client, user, backend=None if user.is_staff else "members.backends.MemberBackend"
        )
    return client


@pytest.mark.parametrize(
    ("tier", "lists", "own", "other"),
    [
        (COUNTY, 200, 200, 200),
        (COMMITTEE, 200, 200, 404),
        (GROUP, 200, 200, 404),
        (HOST, 403, 403, 403),
        (MEMBER, 403, 403, 403),
        (ANON, 302, 302, 302),
    ],
)
def test_hometown_staff_pages_answer_every_tier(scoped_world, tier, lists, own, other):
    w = scoped_world
    client = _page_client(w, tier)
    for url in HOMETOWN_STAFF_PAGES:
        assert client.get(url).status_code == lists, (url, tier)
    for side, expected in ((w.a, own), (w.b, other)):
        url = f"/staff/family-support/{side.support_case.pk}/"
        assert client.get(url).status_code == expected, (url, tier)
        url = f"/staff/family-support/new/?member={side.member.pk}"
        assert client.get(url).status_code == expected, (url, tier)
    campaign = client.get(f"/staff/support-group/campaigns/{w.campaign.year}/").status_code
    assert campaign == lists, (tier, campaign)


@pytest.mark.parametrize(
    ("tier", "own", "other"),
    [
        (COUNTY, 403, 403),
        (HOST, 403, 403),
        (MEMBER, 200, 404),
        (ANON, 302, 302),
    ],
)
def test_hometown_member_pages_answer_every_tier(scoped_world, tier, own, other):
    w = scoped_world
    client = _page_client(w, tier)
    for url in ("/me/family-support/", "/me/support-group/"):
        assert client.get(url).status_code == own, (url, tier)
    assert client.get(f"/me/family-support/{w.a.support_case.pk}/").status_code == own
    assert client.get(f"/me/family-support/{w.b.support_case.pk}/").status_code == other


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON])
def test_hometown_api_lists_and_figures_answer_every_tier(scoped_world, tier):
    w = scoped_world
    staff = {COUNTY: 200, COMMITTEE: 200, GROUP: 200, HOST: 403, MEMBER: 403, ANON: 401}[tier]
    mine = {MEMBER: 200, ANON: 401}.get(tier, 403)
    for url in (
        "/api/support-cases/",
        "/api/contributions/",
        "/api/support-group/members/",
        "/api/hometown/figures/",
    ):
        assert call(w, tier, "get", url).status_code == staff, (url, tier)
    for url in ("/api/me/support-cases/", "/api/me/contributions/", "/api/me/support-group/"):
        assert call(w, tier, "get", url).status_code == mine, (url, tier)
    campaigns = call(w, tier, "get", "/api/campaigns/").status_code
    assert campaigns == {HOST: 200, ANON: 401}.get(tier, 200), tier


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON])
def test_the_phone_login_endpoints_answer_every_tier_alike_and_sign_in_nobody_by_a_token(
    scoped_world, tier, django_capture_on_commit_callbacks
):
    """POST /api/auth/login-code/ and …/verify/ are anonymous endpoints: a token changes
    nothing (202 for any number; a wrong code the same 400), and a staff token never turns a
    member's number into a staff session."""
    w = scoped_world
    phone = w.a.member.phone
    with django_capture_on_commit_callbacks(execute=True):
        asked = call(w, tier, "post", "/api/auth/login-code/", {"phone": phone})
    assert asked.status_code == 202
    wrong = call(
        w, tier, "post", "/api/auth/login-code/verify/", {"phone": phone, "code": "000000"}
    )
    assert wrong.status_code == 400 and "token" not in wrong.json()
    assert call(w, tier, "get", "/api/auth/login-code/").status_code == 405

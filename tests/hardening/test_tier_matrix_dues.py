"""Party dues (issue 22, app `dues`) as every principal: county, committee (A), host staff
(hosting side a's member), member (A) and anonymous, against side a (committee A's member)
and side b (committee B's member): every API endpoint, page, export and admin view.

Income and dues are personal data: the member sees their own, home staff in scope see and
record, host staff see nothing of them (403), nobody reaches the other side (404).
"""

from datetime import date

import pytest
from django.test import Client

from dues import services
from dues.models import DuesAccount, DuesBase, DuesEntry, DuesReceipt
from members.models import AuditEvent
from tests.conftest import client_for
from tests.dues.factories import account
from tests.factories import login_staff
from tests.tiers import add_host_staff

pytestmark = pytest.mark.django_db

COUNTY, COMMITTEE, HOST, MEMBER, ANON = "county", "committee", "host", "member", "anonymous"
TIERS = [COUNTY, COMMITTEE, HOST, MEMBER, ANON]
STAFF = {COUNTY, COMMITTEE}


@pytest.fixture
def dues_world(world):
    w = world
    add_host_staff(w)  # host staff host member_a: still nothing of dues for them
    w.principals = {
        COUNTY: w.county_staff,
        COMMITTEE: w.staff_a,
        HOST: w.host_staff,
        MEMBER: w.member_a.user,
        ANON: None,
    }
    w.sides = {}
    for side, member, staff in (("a", w.member_a, w.staff_a), ("b", w.member_b, w.staff_b)):
        account(w, member=member, starts_on=date(2026, 1, 1))
        receipt = services.payment_record(
            actor=staff, member=member, months=2, method="cash", paid_on=date(2026, 2, 1)
        )
        services.base_declare(actor=member.user, member=member, year=2027, base_fen=500_000)
        w.sides[side] = {
            "member": member,
            "receipt": receipt,
            "entry": DuesEntry.objects.filter(member=member, kind="due").first(),
            "base": DuesBase.objects.get(member=member, year=2027),
        }
    return w


def _api(w, tier):
    return client_for(w.principals[tier])


def _pages(w, tier) -> Client:
    client = Client()
    user = w.principals[tier]
    if user is None:
        return client
    if tier == MEMBER:
        client.force_login(user, backend="members.backends.MemberBackend")
        return client
    return login_staff(client, user)


# (name, url(side dict), tiers that reach side a)
API_READS = [
    ("member ledger", lambda s: f"/api/dues/members/{s['member'].pk}/", STAFF),
    ("receipt", lambda s: f"/api/dues/receipts/{s['receipt'].pk}/", STAFF),
    ("standing list", lambda s: "/api/dues/members/?behind=0", STAFF),
    ("totals", lambda s: "/api/dues/totals/", STAFF),
    ("my dues", lambda s: "/api/me/dues/", {MEMBER}),
    ("my history", lambda s: "/api/me/dues/history/", {MEMBER}),
    ("my receipt", lambda s: f"/api/me/dues/receipts/{s['receipt'].pk}/", {MEMBER}),
]
PAGES = [
    ("member ledger page", lambda s: f"/staff/dues/members/{s['member'].pk}/", STAFF),
    ("receipt page", lambda s: f"/staff/dues/receipts/{s['receipt'].pk}/", STAFF),
    ("standing page", lambda s: "/staff/dues/", STAFF),
    ("standing export", lambda s: "/staff/dues/?export=xlsx", STAFF),
    ("bases page", lambda s: "/staff/dues/bases/", STAFF),
    ("totals page", lambda s: "/staff/dues/totals/", STAFF),
    ("reconciliation page", lambda s: "/staff/dues/reconciliation/", {COUNTY}),
    (
        "month export",
        lambda s: f"/staff/dues/ledger/?organization={s['member'].organization_id}&export=xlsx",
        STAFF,
    ),
    (
        "year export",
        lambda s: (
            f"/staff/dues/ledger/?organization={s['member'].organization_id}&year=2026&export=xlsx"
        ),
        STAFF,
    ),
    ("my dues page", lambda s: "/me/dues/", {MEMBER}),
    ("my receipt page", lambda s: f"/me/dues/receipts/{s['receipt'].pk}/", {MEMBER}),
]
# (name, url(side), body, tiers that act on side a)
WRITES = [
    (
        "payment",
        lambda s: f"/api/dues/members/{s['member'].pk}/payments/",
        {"months": 1, "method": "cash", "paid_on": "2026-02-01"},
        STAFF,
    ),
    (
        "account",
        lambda s: f"/api/dues/members/{s['member'].pk}/account/",
        {"dues_category": "student_or_unemployed"},
        STAFF,
    ),
    (
        "base",
        lambda s: f"/api/dues/members/{s['member'].pk}/bases/",
        {"year": 2026, "base_fen": 600_000},
        STAFF,
    ),
    (
        "correction",
        lambda s: f"/api/dues/entries/{s['entry'].pk}/corrections/",
        {"amount_fen": 100, "note": "矩阵"},
        STAFF,
    ),
    ("refund", lambda s: f"/api/dues/receipts/{s['receipt'].pk}/refund/", {"note": "矩阵"}, STAFF),
    ("declare", lambda s: "/api/me/dues/bases/", {"year": 2025, "base_fen": 100}, {MEMBER}),
]


def _state():
    return (
        DuesEntry.objects.count(),
        DuesReceipt.objects.count(),
        list(DuesAccount.objects.order_by("pk").values_list("dues_category", flat=True)),
        list(DuesBase.objects.order_by("pk").values_list("status", "year")),
    )


@pytest.mark.parametrize("tier", TIERS)
def test_dues_reads_answer_every_tier_in_and_out_of_scope(dues_world, tier):
    w = dues_world
    problems = []
    api, pages = _api(w, tier), _pages(w, tier)
    for rows, client in ((API_READS, api), (PAGES, pages)):
        for name, url, reach in rows:
            a = client.get(url(w.sides["a"]))
            b = client.get(url(w.sides["b"]))
            if tier in reach and a.status_code != 200:
                problems.append(f"{name}: side a answered {a.status_code}, expected 200")
            if tier not in reach and a.status_code < 300:
                problems.append(f"{name}: side a LEAKED to {tier} ({a.status_code})")
            if tier == HOST and a.status_code != 403:
                problems.append(f"{name}: host staff got {a.status_code}, expected 403")
            if tier == ANON and a.status_code not in (401, 302):
                problems.append(f"{name}: anonymous got {a.status_code}")
            same_url = url(w.sides["a"]) == url(w.sides["b"])
            if not same_url and tier in reach and tier != COUNTY and b.status_code != 404:
                problems.append(f"{name}: side b answered {b.status_code} to {tier}")
            if not same_url and tier == COUNTY and tier in reach and b.status_code != 200:
                problems.append(f"{name}: the county got {b.status_code} for side b")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, HOST, MEMBER, ANON])
def test_no_tier_writes_dues_outside_its_scope(dues_world, tier):
    w = dues_world
    client = _api(w, tier)
    problems = []
    for name, url, body, _reach in WRITES:
        if name == "declare":
            continue  # the member's own: there is no side b to reach
        before = _state()
        audits = AuditEvent.objects.exclude(action="access.denied").count()
        response = client.post(url(w.sides["b"]), body, format="json")
        expected = {401} if tier == ANON else {403, 404}
        if response.status_code not in expected:
            problems.append(f"{name}: side b answered {response.status_code}")
        if _state() != before:
            problems.append(f"{name}: side b's ledger changed")
        if AuditEvent.objects.exclude(action="access.denied").count() != audits:
            problems.append(f"{name}: an audit event was written")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", TIERS)
def test_dues_writes_work_in_scope_for_the_tiers_that_take_them(dues_world, tier):
    w = dues_world
    client = _api(w, tier)
    problems = []
    for name, url, body, reach in WRITES:
        response = client.post(url(w.sides["a"]), body, format="json")
        if tier in reach and response.status_code >= 300:
            problems.append(f"{name}: side a answered {response.status_code} {response.content}")
        if tier not in reach and response.status_code not in {401, 403}:
            problems.append(f"{name}: {tier} got {response.status_code}, expected 401/403")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, MEMBER])
def test_dues_lists_never_carry_the_other_side(dues_world, tier):
    w = dues_world
    if tier == COMMITTEE:
        rows = _api(w, tier).get("/api/dues/members/").json()["results"]
        seen = {row["id"] for row in rows}
        assert w.member_a.pk in seen and w.member_b.pk not in seen
    else:
        rows = _api(w, tier).get("/api/me/dues/history/").json()["results"]
        mine = set(DuesEntry.objects.filter(member=w.member_a).values_list("pk", flat=True))
        assert {row["id"] for row in rows} == mine


def test_the_notify_endpoint_is_open_to_anyone_but_refuses_what_is_not_signed(dues_world):
    response = Client().post(
        "/api/payments/wechat/notify/", data=b'{"id": "x"}', content_type="application/json"
    )
    assert response.status_code in (401, 500)
    assert response.json()["code"] == "FAIL"
    assert DuesReceipt.objects.count() == 2


ADMIN_MODELS = ["duesaccount", "duesreceipt", "duesentry", "duesorder", "duesreconciliation"]


@pytest.mark.parametrize(
    ("tier", "lists", "b_change"),
    [
        (COUNTY, {m: 200 for m in ADMIN_MODELS}, 200),
        (COMMITTEE, {**{m: 200 for m in ADMIN_MODELS}, "duesreconciliation": 403}, 302),
        (HOST, {m: 403 for m in ADMIN_MODELS}, 403),
        (MEMBER, {m: 302 for m in ADMIN_MODELS}, 302),
        (ANON, {m: 302 for m in ADMIN_MODELS}, 302),
    ],
)
def test_the_dues_admin_answers_every_tier(dues_world, tier, lists, b_change):
    w = dues_world
    client = _pages(w, tier)
    for model, expected in lists.items():
        status = client.get(f"/admin/dues/{model}/").status_code
        assert status == expected, (model, tier, status)
    status = client.get(f"/admin/dues/duesaccount/{w.member_b.pk}/change/").status_code
    assert status == b_change or (tier != COUNTY and status in (302, 403, 404)), status
    if tier == COMMITTEE:
        page = client.get("/admin/dues/duesaccount/").content.decode()
        assert w.member_a.name in page and w.member_b.name not in page

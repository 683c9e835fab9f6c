"""Hostile and malformed input to the hometown API and pages: a clear Chinese 400 (or 404 for
an object outside the scope), never a 500, and nothing changes."""

import pytest
from django.test import Client

from hometown.models import Contribution, SupportCase, SupportGroupMembership
from hometown.services import support_case_open
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
CHINESE = "\u4e00"

CONTRIBUTIONS = {
    "amount as a list": {"amount": [1000]},
    "amount as an object": {"amount": {"v": 1}},
    "amount with a decimal point": {"amount": "1000.5"},
    "amount in words": {"amount": "一百万"},
    "amount too large": {"amount": "9" * 19},
    "negative jobs": {"kind": "jobs", "amount": "", "jobs": "-3"},
    "jobs in exponent form": {"kind": "jobs", "amount": "", "jobs": "1e3"},
    "impossible date": {"happened_on": "2026-02-30"},
    "date as a bare number": {"happened_on": 12345},
    "nul byte in the title": {"title": "回乡\x00建厂"},
    "very long title": {"title": "厂" * 5000},
    "kind as a number": {"kind": 3},
    "sql in the kind": {"kind": "donation' OR '1'='1"},
}


@pytest.mark.parametrize("case", sorted(CONTRIBUTIONS))
def test_a_malformed_contribution_is_refused_in_chinese(world, case):
    body = {
        "kind": "donation",
        "title": "捐资助学",
        "amount": "5000",
        "happened_on": "2026-01-05",
        **CONTRIBUTIONS[case],
    }
    response = client_for(world.member_a.user).post("/api/me/contributions/", body, format="json")
    assert response.status_code == 400, (case, response.status_code)
    assert any(CHINESE <= ch <= "\u9fff" for ch in response.content.decode()), case
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"kind": ["illness"], "need": "看病"},
        {"kind": "illness", "need": "\x00"},
        {"kind": "illness", "need": "病" * 20_000},
        {"kind": "illness"},
        {"need": "看病"},
        "not an object",
    ],
    ids=["kind list", "nul need", "huge need", "no need", "no kind", "string body"],
)
def test_a_malformed_request_for_help_is_refused(world, body):
    response = client_for(world.member_a.user).post("/api/me/support-cases/", body, format="json")
    assert response.status_code == 400, response.status_code
    assert not SupportCase.objects.exists()


@pytest.mark.parametrize(
    "offers", [["jobs", 3], "jobs", [{"x": 1}], [], ["jobs"] * 1000 + ["lottery"]]
)
def test_malformed_offers_are_refused(world, offers):
    response = client_for(world.member_a.user).put(
        "/api/me/support-group/", {"offers": offers}, format="json"
    )
    assert response.status_code == 400
    assert not SupportGroupMembership.objects.exists()


def test_staff_inputs_out_of_scope_or_malformed_never_answer_500(world):
    case = support_case_open(actor=world.staff_a, member=world.member_a, kind="illness", need="病")
    api = client_for(world.staff_a)
    for body in ({"note": ["x"]}, {"note": "x", "close": "maybe"}, {"note": "\x00"}):
        assert (
            api.post(f"/api/support-cases/{case.pk}/steps/", body, format="json").status_code == 400
        )
    assert case.steps.count() == 1
    member_b = world.member_b.pk
    opened = api.post(
        "/api/support-cases/",
        {"member": member_b, "kind": "illness", "need": "病"},
        format="json",
    )
    assert opened.status_code == 404
    for member in ("abc", -1, 10**20):
        response = api.post(
            "/api/support-cases/", {"member": member, "kind": "illness", "need": "病"}
        )
        assert response.status_code == 400, member
    assert SupportCase.objects.count() == 1
    pages = factories.login_staff(Client(), world.staff_a)
    for query in ("member=abc", "member=", "member=99999999999999999999"):
        assert pages.get(f"/staff/family-support/new/?{query}").status_code == 404
    assert pages.get("/staff/family-support/?cursor=garbage").status_code == 404
    assert api.get("/api/support-cases/?cursor=garbage").status_code == 404
    assert pages.get("/staff/support-group/campaigns/99999999999/").status_code == 404
    county = factories.login_staff(Client(), world.county_staff)
    for year in ("二〇二六", "99999", "-1", ""):
        response = county.post(
            "/staff/support-group/campaigns/", {"year": year, "title": "活动", "rules": "规则"}
        )
        assert response.status_code == 400, year

"""The demo county seeds realistic hometown ties, and every hometown figure of the dashboard
equals the list its link opens (counted by the same rule)."""

import pytest
from django.core.management import call_command

from hometown.models import Campaign, Contribution, Pacesetter, SupportCase
from learning.models import Article
from members.models import Member, User
from tests.conftest import client_for
from tests.members.test_demo_truth import _empty_database

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if Member.objects.exists():
            _empty_database()
        call_command("seed_demo", "--members", "120", "--seed", "25", verbosity=0)
        yield
        _empty_database()


def _all(api, url) -> list:
    rows = []
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_the_demo_seeds_cases_in_every_state_contributions_and_campaigns(county):
    assert set(SupportCase.objects.values_list("status", flat=True)) == {
        "requested",
        "open",
        "closed",
    }
    assert SupportCase.objects.filter(asked_by_member=True).exists()
    assert set(Contribution.objects.values_list("status", flat=True)) >= {"confirmed", "recorded"}
    assert Campaign.objects.count() == 2
    pacesetter = Pacesetter.objects.select_related("member").first()
    assert pacesetter is not None and pacesetter.member.is_giving_back_pacesetter
    article = Article.objects.get(pk=pacesetter.article_id)
    assert article.category == "exemplar" and article.status == "published"


def test_the_dashboard_hometown_figures_equal_their_drill_down_lists(county):
    api = client_for(User.objects.get(username="county_admin"))
    other = {row["key"]: row for row in api.get("/api/stats/overview/").json()["other"]}
    assert other["support_cases_open"]["value"] > 0
    assert other["support_cases_stale"]["value"] > 0
    assert other["support_group_members"]["value"] > 0
    assert other["contributions_confirmed"]["value"] > 0
    lists = {
        "support_cases_open": "/api/support-cases/?which=open",
        "support_cases_stale": "/api/support-cases/?which=stale",
        "support_group_members": "/api/support-group/members/",
        "contributions_confirmed": "/api/contributions/?status=confirmed",
    }
    for key, url in lists.items():
        assert len(_all(api, url)) == other[key]["value"], key
    for key, row in other.items():
        if key.startswith("contribution_amount_"):
            kind = key.removeprefix("contribution_amount_")
            rows = _all(api, f"/api/contributions/?status=confirmed&kind={kind}")
            assert sum(r["amount"] or 0 for r in rows) == row["value"], key
    # A committee's figures are its own subtree's lists too.
    committee = client_for(User.objects.get(username="chengguan_admin"))
    mine = {r["key"]: r["value"] for r in committee.get("/api/stats/overview/").json()["other"]}
    assert len(_all(committee, "/api/support-cases/?which=open")) == mine["support_cases_open"]


def test_the_demo_temporary_branch_has_a_rule_and_membership_changes_to_confirm(county):
    from members.models import TemporaryBranchProposal, TemporaryBranchRule

    rule = TemporaryBranchRule.objects.get(branch__code="610422-T-SZ")
    assert rule.destination_city == "440300"
    assert TemporaryBranchProposal.objects.filter(branch=rule.branch, status="pending").exists()

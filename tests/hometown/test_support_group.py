"""后援团 and 回馈标兵: members join from the phone with what they offer, record what they gave
back, home staff confirm it; a campaign per year; the county names 回馈标兵 from confirmed
records and publishes them as 优秀典型 in one step, only with the member's consent."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone

from hometown import selectors, services, todos
from hometown.models import Contribution, Pacesetter, SupportGroupMembership
from learning.models import Article
from members.models import AuditEvent, Member, Notice
from sanyuan.errors import FieldErrors, ServiceError, StateConflict
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
THIS_YEAR = timezone.localdate().year


def member_client(member):
    client = Client()
    client.force_login(member.user, backend="members.backends.MemberBackend")
    return client


def join(member, consent=True, offers=("jobs", "investment")):
    return services.support_group_join(
        actor=member.user, member=member, offers=list(offers), publicity_consent=consent
    )


def record(member, actor=None, **kw):
    values = {
        "kind": "investment",
        "title": "回乡投资建厂",
        "amount": "2000000",
        "happened_on": f"{THIS_YEAR}-03-01",
        **kw,
    }
    return services.contribution_record(actor=actor or member.user, member=member, **values)


def test_the_member_joins_from_the_phone_changes_offers_and_leaves(hw):
    client = member_client(hw.member_a)
    page = client.get("/me/support-group/")
    assert page.status_code == 200 and "加入后援团" in page.content.decode()
    refused = client.post("/me/support-group/", {"action": "join"})
    assert refused.status_code == 400 and "请至少选择一项" in refused.content.decode()
    assert not SupportGroupMembership.objects.exists()
    response = client.post(
        "/me/support-group/",
        {"action": "join", "offers": ["skills", "jobs"], "publicity_consent": "on"},
    )
    assert response.status_code == 302
    membership = SupportGroupMembership.objects.get(member=hw.member_a)
    assert membership.offers == ["skills", "jobs"] and membership.publicity_consent
    assert membership.consent_recorded_at is not None
    assert Member.objects.get(pk=hw.member_a.pk).support_group is True
    assert "您是家乡后援团成员" in client.get("/me/support-group/").content.decode()
    client.post("/me/support-group/", {"action": "join", "offers": ["donation"]})
    membership.refresh_from_db()
    assert membership.offers == ["donation"] and not membership.publicity_consent
    assert list(
        AuditEvent.objects.filter(action__startswith="support_group.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["support_group.join", "support_group.change"]
    client.post("/me/support-group/", {"action": "leave"})
    membership.refresh_from_db()
    assert membership.left_at is not None
    assert Member.objects.get(pk=hw.member_a.pk).support_group is False
    with pytest.raises(StateConflict):
        services.support_group_leave(actor=hw.member_a.user, member=hw.member_a)


def test_the_api_join_and_contribution_for_the_mini_program(hw):
    api = client_for(hw.member_a.user)
    assert api.get("/api/me/support-group/").status_code == 404
    bad = api.put("/api/me/support-group/", {"offers": ["lottery"]}, format="json")
    assert bad.status_code == 400 and "支持方式" in bad.json()["offers"][0]
    ok = api.put("/api/me/support-group/", {"offers": ["skills"]}, format="json")
    assert ok.status_code == 200 and ok.json()["offers"] == ["skills"]
    made = api.post(
        "/api/me/contributions/",
        {"kind": "jobs", "title": "提供电焊岗位", "jobs": "5", "happened_on": f"{THIS_YEAR}-02-01"},
    )
    assert made.status_code == 201 and made.json()["status"] == "recorded"
    assert api.delete("/api/me/support-group/").status_code == 204
    assert client_for(hw.staff_a).get("/api/me/support-group/").status_code == 403


def test_contributions_are_checked_and_nothing_is_saved_on_bad_input(hw):
    for bad, field in (
        ({"kind": "jobs", "jobs": ""}, "jobs"),
        ({"kind": "investment", "amount": "-5"}, "amount"),
        ({"amount": "一百万"}, "amount"),
        ({"happened_on": "2999-01-01"}, "happened_on"),
        ({"kind": "lottery"}, "kind"),
        ({"title": ""}, "title"),
    ):
        with pytest.raises(FieldErrors) as caught:
            record(hw.member_a, **bad)
        assert field in caught.value.errors, bad
    assert not Contribution.objects.exists()
    with pytest.raises(Http404):
        record(hw.member_b, actor=hw.member_a.user)
    with pytest.raises(PermissionDenied):
        record(hw.member_a, actor=hw.host_staff)
    with pytest.raises(Http404):
        record(hw.member_a, actor=hw.staff_b)


def test_home_staff_confirm_or_decline_once_and_the_member_is_told(
    hw, django_capture_on_commit_callbacks
):
    first, second = record(hw.member_a), record(hw.member_a, kind="donation", amount="5000")
    with pytest.raises(Http404):
        services.contribution_decide(actor=hw.staff_b, contribution=first, confirm=True)
    with pytest.raises(ServiceError):
        services.contribution_decide(actor=hw.staff_a, contribution=second, confirm=False)
    services.contribution_decide(actor=hw.staff_a, contribution=first, confirm=True)
    with pytest.raises(StateConflict):
        services.contribution_decide(actor=hw.staff_a, contribution=first, confirm=False)
    services.contribution_decide(
        actor=hw.staff_a, contribution=second, confirm=False, reason="未见捐赠凭证"
    )
    assert Notice.objects.filter(title__contains="已确认").exists()
    assert Notice.objects.filter(body="未见捐赠凭证").exists()
    api = client_for(hw.staff_a)
    pending = record(hw.member_a, title="第三笔")
    response = api.post(f"/api/contributions/{pending.pk}/decide/", {"confirm": True})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    again = api.post(f"/api/contributions/{pending.pk}/decide/", {"confirm": True})
    assert again.status_code == 409
    assert client_for(hw.host_staff).get("/api/contributions/").status_code == 403


def test_figures_count_members_confirmed_records_and_amounts_as_the_lists_do(hw):
    join(hw.member_a)
    services.support_group_join(actor=hw.member_b.user, member=hw.member_b, offers=["skills"])
    a1 = record(hw.member_a)
    a2 = record(hw.member_a, kind="jobs", amount="", jobs="12", title="提供岗位")
    record(hw.member_a, kind="donation", amount="3000", title="待确认的捐款")
    b1 = record(hw.member_b, kind="donation", amount="8000", title="捐资助学")
    for row, staff in ((a1, hw.staff_a), (a2, hw.staff_a), (b1, hw.staff_b)):
        services.contribution_decide(actor=staff, contribution=row, confirm=True)
    county = selectors.support_group_figures(user=hw.county_staff)
    assert county["members"] == 2 and county["confirmed"] == 3 and county["pending"] == 1
    kinds = {k["key"]: (k["count"], k["amount"], k["jobs"]) for k in county["kinds"]}
    assert kinds["investment"] == (1, 2_000_000, 0)
    assert kinds["jobs"] == (1, 0, 12)
    assert kinds["donation"] == (1, 8000, 0)
    a = selectors.support_group_figures(user=hw.staff_a)
    assert a["members"] == 1 and a["confirmed"] == 2
    api = client_for(hw.county_staff)
    listed = api.get("/api/contributions/?status=confirmed").json()["results"]
    assert len(listed) == county["confirmed"]
    members = api.get("/api/support-group/members/").json()["results"]
    assert len(members) == county["members"]
    other = {r["key"]: r["value"] for r in api.get("/api/stats/overview/").json()["other"]}
    assert other["support_group_members"] == 2 and other["contributions_confirmed"] == 3
    assert other["contribution_amount_investment"] == 2_000_000
    # Host staff: no figure, no list, no amount.
    host = client_for(hw.host_staff)
    assert "contribution_amount_investment" not in {
        r["key"] for r in host.get("/api/stats/overview/").json()["other"]
    }
    assert host.get("/api/hometown/figures/").status_code == 403
    assert host.get("/api/support-group/members/").status_code == 403
    labels = {row["label"]: row["count"] for row in todos.staff_todos(hw.staff_a)}
    assert labels["后援团成员登记的贡献待确认"] == 1


def test_the_county_publishes_one_campaign_a_year_committees_cannot(hw):
    early = record(hw.member_a)
    with pytest.raises(PermissionDenied):
        services.campaign_publish(actor=hw.staff_a, year=THIS_YEAR, title="活动", rules="规则")
    with pytest.raises(FieldErrors):
        services.campaign_publish(actor=hw.county_staff, year="明年", title="", rules="")
    campaign = services.campaign_publish(
        actor=hw.county_staff, year=THIS_YEAR, title=f"{THIS_YEAR}年回馈家乡行动", rules="规则"
    )
    early.refresh_from_db()
    assert early.campaign == campaign
    assert record(hw.member_a).campaign == campaign
    with pytest.raises(StateConflict):
        services.campaign_publish(actor=hw.county_staff, year=THIS_YEAR, title="再来", rules="x")
    assert client_for(hw.member_a.user).get("/api/campaigns/").json()[0]["year"] == THIS_YEAR
    page = member_client(hw.member_a).get("/me/support-group/").content.decode()
    assert f"{THIS_YEAR}年回馈家乡行动" in page and "评选规则" in page


def test_the_county_names_a_pacesetter_and_publishes_the_exemplar_only_with_consent(hw):
    campaign = services.campaign_publish(
        actor=hw.county_staff, year=THIS_YEAR, title="回馈家乡行动", rules="按确认的贡献评选"
    )
    join(hw.member_a, consent=False)
    row = record(hw.member_a)
    with pytest.raises(ServiceError, match="没有已确认的贡献"):
        services.pacesetter_name(
            actor=hw.county_staff, campaign=campaign, member=hw.member_a, citation="事迹"
        )
    services.contribution_decide(actor=hw.staff_a, contribution=row, confirm=True)
    with pytest.raises(ServiceError, match="未同意宣传报道"):
        services.pacesetter_name(
            actor=hw.county_staff, campaign=campaign, member=hw.member_a, citation="事迹"
        )
    with pytest.raises(PermissionDenied):
        services.pacesetter_name(
            actor=hw.staff_a, campaign=campaign, member=hw.member_a, citation="事迹"
        )
    assert not Article.objects.exists() and not Pacesetter.objects.exists()
    join(hw.member_a, consent=True)
    page = factories.login_staff(Client(), hw.county_staff)
    candidates = page.get(f"/staff/support-group/campaigns/{THIS_YEAR}/").content.decode()
    assert hw.member_a.name in candidates and "评为回馈标兵并发布" in candidates
    response = page.post(
        f"/staff/support-group/campaigns/{THIS_YEAR}/",
        {"member": hw.member_a.pk, "citation": "返乡投资200万元建厂，带动乡亲就业。"},
    )
    assert response.status_code == 302
    pacesetter = Pacesetter.objects.get()
    article = Article.objects.get(pk=pacesetter.article_id)
    assert article.category == "exemplar" and article.status == "published"
    assert article.audience == "county" and hw.member_a.name in article.title
    assert Member.objects.get(pk=hw.member_a.pk).is_giving_back_pacesetter
    with pytest.raises(StateConflict):
        services.pacesetter_name(
            actor=hw.county_staff, campaign=campaign, member=hw.member_a, citation="再评"
        )
    assert Article.objects.count() == 1


def test_the_staff_pages_for_members_contributions_and_campaigns(hw):
    join(hw.member_a)
    row = record(hw.member_a)
    client = factories.login_staff(Client(), hw.staff_a)
    assert hw.member_a.name in client.get("/staff/support-group/members/").content.decode()
    page = client.get("/staff/support-group/contributions/?status=recorded").content.decode()
    assert "回乡投资建厂" in page
    client.post("/staff/support-group/contributions/", {"pk": row.pk, "decision": "confirm"})
    row.refresh_from_db()
    assert row.status == "confirmed"
    assert client.get("/staff/support-group/campaigns/").status_code == 200
    assert client.get("/staff/support-group/campaigns/1999/").status_code == 404
    host = factories.login_staff(Client(), hw.host_staff)
    for url in ("/staff/support-group/members/", "/staff/support-group/contributions/"):
        assert host.get(url).status_code == 403


def test_the_migration_carries_todays_support_group_flag_into_memberships(hw):
    Member.objects.filter(pk__in=[hw.member_a.pk, hw.member_b.pk]).update(support_group=True)
    join(hw.member_b)  # already a membership: kept as it is
    migration = importlib.import_module("hometown.migrations.0002_carry_support_group")
    migration.carry_flag(apps, None)
    rows = dict(SupportGroupMembership.objects.values_list("member_id", "offers"))
    assert rows == {hw.member_a.pk: [], hw.member_b.pk: ["jobs", "investment"]}

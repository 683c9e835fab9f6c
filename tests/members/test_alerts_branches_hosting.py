"""Lost-contact alerts and escalation (frozen clock), temporary branches, the hosting handshake."""

import base64
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from members import selectors
from members.models import Hosting, Member, Notice, Organization, TemporaryBranchMembership
from members.permissions import scope_forget
from members.services import alerts
from members.services.archive import member_update
from members.services.contacts import contact_log_create
from members.services.hosting import hosting_qr_token
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, 9, 0, tzinfo=TZ)


def visible(staff):
    scope_forget(staff)
    return {m.pk for m in alerts.lost_contact_list(user=staff)}


@pytest.fixture
def quiet(world):
    """member_a (branch A1) created long ago and never contacted, logged in or studying;
    member_a2 likewise but logged in recently; branch-level staff on A1."""
    Member.objects.filter(pk__in=[world.member_a.pk, world.member_a2.pk, world.member_b.pk]).update(
        created_at=START
    )
    world.member_a.user.last_login = None
    world.member_a.user.save()
    world.member_b.user.last_login = datetime(2026, 11, 20, tzinfo=TZ)
    world.member_b.user.save()
    world.branch_staff = factories.staff("branch_a1_staff", "committee", world.branch_a1)
    return world


def test_no_contact_login_or_study_for_90_days_flags_then_escalates_then_clears(quiet):
    w = quiet
    with time_machine.travel(START + timedelta(days=89), tick=False):
        assert alerts.lost_contact_scan()["flagged"] == 0
    with time_machine.travel(START + timedelta(days=91), tick=False):
        counts = alerts.lost_contact_scan()
        assert counts["flagged"] == 2  # member_a (branch staff) and member_a2 (committee A staff)
        assert visible(w.branch_staff) == {w.member_a.pk}
        assert w.member_a.pk not in visible(w.staff_a)  # not escalated yet
        assert w.member_a2.pk in visible(w.staff_a)  # A2 has no branch staff: committee responsible
        assert visible(w.staff_b) == set()  # member_b logged in recently
        notice = Notice.objects.get(kind="contact", audience_organization=w.branch_a1)
        assert "1名党员存在失联风险" in notice.title
    with time_machine.travel(START + timedelta(days=91 + 29), tick=False):
        assert alerts.lost_contact_scan()["escalated"] == 0
    with time_machine.travel(START + timedelta(days=91 + 31), tick=False):
        counts = alerts.lost_contact_scan()
        assert counts["escalated"] == 2
        assert w.member_a.pk in visible(w.staff_a)
        assert Notice.objects.filter(
            kind="contact", audience_organization=w.committee_a, title__contains="超过30天"
        ).exists()
        contact_log_create(
            staff=w.branch_staff, member=w.member_a, contacted_on="2026-05-02", channel="phone"
        )
        assert w.member_a.pk not in visible(w.staff_a) and visible(w.branch_staff) == set()


def test_a_members_own_login_clears_the_flag(quiet, client):
    w = quiet
    with time_machine.travel(START + timedelta(days=95), tick=False):
        alerts.lost_contact_scan()
        assert Member.objects.get(pk=w.member_a.pk).lost_contact_since is not None
        client.post(
            "/accounts/login/",
            {
                "name": w.member_a.name,
                "id_number": w.member_a.id_number,
                "password": factories.PASSWORD,
            },
        )
        assert Member.objects.get(pk=w.member_a.pk).lost_contact_since is None


def test_lost_contact_api_and_page_are_scoped(quiet, client):
    with time_machine.travel(START + timedelta(days=95), tick=False):
        alerts.lost_contact_scan()
        assert [
            row["id"] for row in client_for(quiet.branch_staff).get("/api/lost-contact/").json()
        ] == [quiet.member_a.pk]
        assert client_for(quiet.member_a.user).get("/api/lost-contact/").status_code == 403
        client.force_login(quiet.branch_staff, backend="members.backends.StaffBackend")
        assert quiet.member_a.name in client.get("/staff/lost-contact/").content.decode()


# Temporary branches ---------------------------------------------------------------------


@pytest.fixture
def gathering(world):
    """Four committee-A members away in Shenzhen (three full, one probationary)."""
    members = [factories.MemberFactory(organization=world.branch_a1) for _ in range(3)]
    members.append(
        factories.MemberFactory(organization=world.branch_a2, party_standing="probationary")
    )
    Member.objects.filter(pk__in=[m.pk for m in members]).update(
        destination_province="440000", destination_city="440300", status="away"
    )
    world.gathering = members
    return world


def test_three_full_members_in_one_city_are_suggested_and_a_click_forms_the_branch(gathering):
    w = gathering
    suggestions = client_for(w.staff_a).get("/api/temporary-branches/suggestions/").json()
    assert suggestions == [
        {"city": "440300", "city_name": "深圳市", "full_members": 3, "members": 4}
    ]
    assert client_for(w.staff_b).get("/api/temporary-branches/suggestions/").json() == []
    response = client_for(w.staff_a).post(
        "/api/temporary-branches/", {"city": "440300"}, format="json"
    )
    assert response.status_code == 201
    branch = Organization.objects.get(pk=response.json()["id"])
    assert (
        branch.kind == "temporary_branch"
        and branch.parent == w.committee_a
        and branch.region_code == "440300"
    )
    joined = set(
        TemporaryBranchMembership.objects.filter(branch=branch).values_list("member_id", flat=True)
    )
    assert joined == {m.pk for m in w.gathering}
    assert (
        Member.objects.get(pk=w.gathering[0].pk).organization == w.branch_a1
    )  # home organisation kept
    assert client_for(w.staff_a).get("/api/temporary-branches/suggestions/").json() == []
    again = client_for(w.staff_a).post(
        "/api/temporary-branches/", {"city": "440300"}, format="json"
    )
    assert again.status_code in (400, 409)


def test_temporary_branch_notices_reach_its_members(gathering):
    w = gathering
    created = (
        client_for(w.staff_a)
        .post("/api/temporary-branches/", {"city": "440300"}, format="json")
        .json()
    )
    member = w.gathering[0]
    user = factories.User.objects.create_user(
        username=f"member-{member.pk}", password=factories.PASSWORD
    )
    Member.objects.filter(pk=member.pk).update(user=user)
    titles = [n.title for n in selectors.notice_inbox(user=user).results]
    assert f"您已加入{created['name']}" in titles


def test_fewer_than_three_full_members_cannot_form_a_branch(gathering):
    Member.objects.filter(pk=gathering.gathering[0].pk).update(party_standing="probationary")
    assert client_for(gathering.staff_a).get("/api/temporary-branches/suggestions/").json() == []
    response = client_for(gathering.staff_a).post(
        "/api/temporary-branches/", {"city": "440300"}, format="json"
    )
    assert response.status_code == 400 and "不足3名" in response.json()["city"][0]


def test_dissolving_keeps_the_record_and_ends_memberships(gathering):
    w = gathering
    created = (
        client_for(w.staff_a)
        .post("/api/temporary-branches/", {"city": "440300"}, format="json")
        .json()
    )
    assert (
        client_for(w.staff_b).post(f"/api/temporary-branches/{created['id']}/dissolve/").status_code
        == 404
    )
    response = client_for(w.staff_a).post(f"/api/temporary-branches/{created['id']}/dissolve/")
    assert response.status_code == 200 and response.json()["dissolved_at"]
    assert not TemporaryBranchMembership.objects.filter(
        branch_id=created["id"], left_at__isnull=True
    ).exists()
    assert Organization.objects.filter(pk=created["id"]).exists()
    assert (
        client_for(w.staff_a).post(f"/api/temporary-branches/{created['id']}/dissolve/").status_code
        == 409
    )


# Hosting ---------------------------------------------------------------------------------


@pytest.fixture
def host(world):
    world.host = factories.organization(
        "深圳市宝安区流动党员服务中心党委", Organization.Kind.HOST, None, code="HOST-SZ"
    )
    world.host_staff = factories.staff("host_staff", "committee", world.host)
    world.other_host = factories.organization(
        "东莞市流入地党委", Organization.Kind.HOST, None, code="HOST-DG"
    )
    world.other_host_staff = factories.staff("other_host_staff", "committee", world.other_host)
    member_update(
        actor=world.county_staff,
        member=world.member_a,
        monthly_income=6000,
        mindset_note="内部评价",
    )
    return world


def request_hosting(world):
    response = client_for(world.staff_a).post(
        "/api/hosting/",
        {"member": world.member_a.pk, "host_organization": world.host.pk},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_the_home_organisation_records_a_departure_and_the_host_accepts(host):
    w = host
    hosting_id = request_hosting(w)
    assert Notice.objects.filter(kind="hosting", audience_organization=w.host).exists()
    pending = client_for(w.host_staff).get("/api/hosting/").json()
    assert [(row["id"], row["status"]) for row in pending] == [(hosting_id, "pending")]
    assert (
        client_for(w.other_host_staff).post(f"/api/hosting/{hosting_id}/accept/").status_code == 404
    )
    assert (
        client_for(w.host_staff).post(f"/api/hosting/{hosting_id}/accept/").json()["status"]
        == "accepted"
    )
    assert Member.objects.get(pk=w.member_a.pk).host_organization == w.host
    # Host staff now read the archive without the sensitive fields, and keep in touch ...
    body = client_for(w.host_staff).get(f"/api/members/{w.member_a.pk}/").json()
    assert body["name"] == w.member_a.name
    assert not {"monthly_income", "family_situation", "mindset_note"} & set(body)
    contact = client_for(w.host_staff).post(
        f"/api/members/{w.member_a.pk}/contacts/",
        {"contacted_on": "2026-01-05", "channel": "visit"},
        format="json",
    )
    assert contact.status_code == 201
    # ... but cannot edit it or reveal the ID number.
    assert (
        client_for(w.host_staff)
        .patch(f"/api/members/{w.member_a.pk}/", {"phone": "13700000000"}, format="json")
        .status_code
        == 404
    )
    assert (
        client_for(w.host_staff).post(f"/api/members/{w.member_a.pk}/reveal-id-number/").status_code
        == 404
    )
    assert client_for(w.other_host_staff).get(f"/api/members/{w.member_a.pk}/").status_code == 404
    assert client_for(w.host_staff).post(f"/api/hosting/{hosting_id}/accept/").status_code == 409


def test_a_host_declines_with_a_reason_and_the_home_staff_are_told(host):
    w = host
    hosting_id = request_hosting(w)
    assert (
        client_for(w.host_staff)
        .post(f"/api/hosting/{hosting_id}/decline/", {}, format="json")
        .status_code
        == 400
    )
    response = client_for(w.host_staff).post(
        f"/api/hosting/{hosting_id}/decline/", {"reason": "该党员不在本辖区"}, format="json"
    )
    assert response.json()["status"] == "declined"
    told = Notice.objects.get(kind="hosting", audience_organization=w.committee_a)
    assert told.body == "该党员不在本辖区"
    assert Member.objects.get(pk=w.member_a.pk).host_organization is None


def test_returning_home_closes_the_hosting(host):
    w = host
    client_for(w.host_staff).post(f"/api/hosting/{request_hosting(w)}/accept/")
    member_update(actor=w.staff_a, member=w.member_a, status="returned")
    assert Hosting.objects.get().status == "closed"
    assert Member.objects.get(pk=w.member_a.pk).host_organization is None
    assert client_for(w.host_staff).get(f"/api/members/{w.member_a.pk}/").status_code == 404


def test_the_qr_card_starts_an_arrival_that_host_staff_confirm(host):
    w = host
    token = client_for(w.member_a.user).get("/api/me/qr-token/").json()["token"]
    decoded = base64.urlsafe_b64decode(token + "==")
    assert (
        str(w.member_a.pk).encode() not in decoded and w.member_a.id_number.encode() not in decoded
    )
    response = client_for(w.host_staff).post(
        "/api/hosting/arrive/", {"token": token, "host_organization": w.host.pk}, format="json"
    )
    assert (
        response.status_code == 200
        and response.json()["status"] == "accepted"
        and response.json()["via"] == "qr"
    )
    assert Member.objects.get(pk=w.member_a.pk).host_organization == w.host
    # Committee staff are not host staff.
    assert (
        client_for(w.staff_b)
        .post(
            "/api/hosting/arrive/", {"token": token, "host_organization": w.host.pk}, format="json"
        )
        .status_code
        == 404
    )


def test_an_expired_or_tampered_qr_token_is_refused(host):
    w = host
    token = hosting_qr_token(member=w.member_a)
    tampered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    assert (
        client_for(w.host_staff)
        .post(
            "/api/hosting/arrive/",
            {"token": tampered, "host_organization": w.host.pk},
            format="json",
        )
        .status_code
        == 400
    )
    with time_machine.travel(datetime.now(tz=TZ) + timedelta(minutes=11)):
        response = client_for(w.host_staff).post(
            "/api/hosting/arrive/", {"token": token, "host_organization": w.host.pk}, format="json"
        )
        assert response.status_code == 400 and "过期" in response.json()["detail"]
    assert not Hosting.objects.exists()


def test_the_member_qr_page_shows_a_code_and_is_never_cached(host, client):
    client.force_login(host.member_a.user, backend="members.backends.MemberBackend")
    response = client.get("/me/qr/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert "<svg" in body and host.member_a.id_number not in body


def test_an_accepted_arrival_and_its_end_are_in_the_archive_history(host):
    """The acceptance wrote host_organization without history, so a later change showed
    "（空） → 75" (a bare id) as if it were part of that change."""
    from members.selectors.changes import member_history

    w = host
    client_for(w.host_staff).post(f"/api/hosting/{request_hosting(w)}/accept/")
    member_update(actor=w.staff_a, member=Member.objects.get(pk=w.member_a.pk), employer="比亚迪")
    history = member_history(member=Member.objects.get(pk=w.member_a.pk), viewer="committee")
    change, arrival = history[0], history[1]
    assert [c["label"] for c in change["changes"]] == ["工作单位"]
    assert arrival["changes"] == [
        {
            "field": "host_organization",
            "label": "流入地党组织",
            "old": "（空）",
            "new": "深圳市宝安区流动党员服务中心党委",
        }
    ]
    assert arrival["by"] == "工作人员"
    member_update(actor=w.staff_a, member=Member.objects.get(pk=w.member_a.pk), status="returned")
    latest = member_history(member=Member.objects.get(pk=w.member_a.pk), viewer="committee")
    fields = {c["field"] for entry in latest[:2] for c in entry["changes"]}
    assert {"status", "host_organization"} <= fields

"""The transfers API: the member's own endpoints (mini-program) and the staff's, per tier,
with the error answers in the documented shapes and the OpenAPI schema."""

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Member
from tests.conftest import client_for
from tests.transfers import factories as tf
from transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = Transfer.Status


def principal(w, who):
    """county_staff, staff_a, staff_b, host_staff, member (member A), anonymous."""
    if who == "anonymous":
        return None
    if who == "member":
        return w.member_a.user
    return getattr(w, who)


def ids(response) -> set[int]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


def test_a_member_asks_from_the_phone_and_sees_it_in_their_list(tw):
    client = client_for(tw.member_a.user)
    response = client.post(
        "/api/me/transfers/",
        {"to_organization": tw.branch_b1.pk, "reason": "已在陵前镇定居"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "within_county" and body["status"] == "requested"
    assert body["from_organization"] == tw.branch_a1.pk
    assert body["to_organization"] == tw.branch_b1.pk
    assert body["allowed_steps"] == ["withdraw"]
    assert body["events"][0]["by"] == "本人"
    listed = client.get("/api/me/transfers/")
    assert listed.status_code == 200 and ids(listed) == {body["id"]}
    # Another member sees neither the list entry nor the transfer.
    other = client_for(tw.member_b.user)
    assert ids(other.get("/api/me/transfers/")) == set()
    assert other.get(f"/api/me/transfers/{body['id']}/").status_code == 404


def test_asking_twice_is_409_with_a_chinese_detail(tw):
    client = client_for(tw.member_a.user)
    payload = {"to_organization": tw.branch_b1.pk, "reason": "定居"}
    assert client.post("/api/me/transfers/", payload, format="json").status_code == 201
    again = client.post("/api/me/transfers/", payload, format="json")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "该党员已有正在办理的组织关系转接，请先办结或撤回。",
        "code": "transfer_open",
    }
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (lambda w: {"to_organization": w.branch_a1.pk, "reason": "x"}, "to_organization"),
        (lambda w: {"to_organization": 999999999, "reason": "x"}, "to_organization"),
        (lambda w: {"to_organization": "东关", "reason": "x"}, "to_organization"),
        (lambda w: {"to_organization": w.branch_b1.pk}, "reason"),
        (lambda w: {"to_organization": w.branch_b1.pk, "reason": "理" * 501}, "reason"),
        (lambda w: {"to_organization": 2**70, "reason": "x"}, "to_organization"),
    ],
)
def test_bad_requests_from_the_phone_are_400_by_field(tw, payload, field):
    response = client_for(tw.member_a.user).post("/api/me/transfers/", payload(tw), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Transfer.objects.exists()


def test_the_member_lists_the_branches_of_their_county_they_may_move_to(tw):
    response = client_for(tw.member_a.user).get("/api/me/transfers/destinations/")
    assert response.status_code == 200
    names = {row["name"] for row in response.json()}
    assert names == {"西关社区党支部", "陵前村党支部"}  # not their own, not another county
    assert client_for(tw.member_a.user).get("/api/me/transfers/destinations/?q=陵前").json() == [
        {"id": tw.branch_b1.pk, "name": "陵前村党支部", "parent_name": "陵前镇党委"}
    ]


def test_the_member_withdraws_from_the_phone(tw):
    transfer = tf.requested(tw)
    client = client_for(tw.member_a.user)
    response = client.post(f"/api/me/transfers/{transfer.pk}/withdraw/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert (
        client.post(f"/api/me/transfers/{transfer.pk}/withdraw/", {}, format="json").status_code
        == 409
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("member", 200),
        ("staff_a", 403),
        ("county_staff", 403),
        ("host_staff", 403),
        ("anonymous", 401),
    ],
)
def test_the_member_endpoints_are_for_members(tw, who, expected):
    client = client_for(principal(tw, who))
    assert client.get("/api/me/transfers/").status_code == expected
    assert client.get("/api/me/transfers/destinations/").status_code == expected


@pytest.mark.parametrize(
    ("who", "expected", "visible"),
    [
        ("county_staff", 200, {"a", "b"}),
        ("staff_a", 200, {"a"}),
        ("staff_b", 200, {"b"}),
        ("host_staff", 403, None),
        ("member", 403, None),
        ("anonymous", 401, None),
    ],
)
def test_the_staff_list_is_scoped(tw, who, expected, visible):
    a = tf.requested(tw, to=tw.branch_a2)
    b = _prepared_b(tw)
    response = client_for(principal(tw, who)).get("/api/transfers/")
    assert response.status_code == expected
    if expected == 200:
        assert ids(response) == {t.pk for key, t in (("a", a), ("b", b)) if key in visible}
    if expected == 403:
        assert "detail" in response.json()


def _prepared_b(w) -> Transfer:
    from transfers import services

    return services.transfer_prepare(
        actor=w.staff_b, member=w.member_b, to_name="中共广州市天河区委组织部", reason="定居广州"
    )


def test_the_staff_list_filters_by_state_and_kind(tw):
    inside = tf.requested(tw, to=tw.branch_a2)
    out = tf.issued(tw, member=tw.member_a2)
    client = client_for(tw.county_staff)
    assert ids(client.get("/api/transfers/?kind=outgoing")) == {out.pk}
    assert ids(client.get("/api/transfers/?status=requested")) == {inside.pk}
    assert ids(client.get("/api/transfers/?status=open")) == {inside.pk, out.pk}
    assert ids(client.get("/api/transfers/?status=overdue")) == set()
    tf.backdate_letter(out, 31)
    assert ids(client.get("/api/transfers/?status=overdue")) == {out.pk}
    row = client.get(f"/api/transfers/?member={tw.member_a2.pk}").json()["results"][0]
    assert row["receipt_overdue"] is True
    assert (
        row["letter"]["validity_days"] == 30 and row["letter"]["dues_paid_until"] == tf.last_month()
    )


def test_the_staff_list_costs_the_same_queries_for_any_page_size(tw):
    from tests import factories

    for index in range(12):
        member = factories.MemberFactory(organization=tw.branch_a2)
        tf.prepared(tw, member=member) if index % 2 else tf.issued(tw, member=member)
    client = client_for(tw.staff_a)
    client.get("/api/transfers/?page_size=1")  # warm the grants cache
    counts = {}
    for size in (3, 10):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/transfers/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[3] == counts[10], counts


def test_the_staff_steps_through_the_api(tw):
    client_a, client_b = client_for(tw.staff_a), client_for(tw.staff_b)
    created = client_a.post(
        "/api/transfers/",
        {"member": tw.member_a.pk, "to_organization": tw.branch_b1.pk, "reason": "定居"},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["allowed_steps"] == ["approve", "reject", "withdraw"]
    assert client_b.post(f"/api/transfers/{pk}/approve/", {}, format="json").status_code == 403
    assert client_a.post(f"/api/transfers/{pk}/approve/", {}, format="json").status_code == 200
    assert client_a.post(f"/api/transfers/{pk}/approve/", {}, format="json").status_code == 409
    assert client_a.post(f"/api/transfers/{pk}/accept/", {}, format="json").status_code == 403
    detail = client_b.get(f"/api/transfers/{pk}/").json()
    assert detail["allowed_steps"] == ["accept", "reject"]
    accepted = client_b.post(f"/api/transfers/{pk}/accept/", {}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert [e["by"] for e in accepted.json()["events"]] == ["staff_a", "staff_a", "staff_b"]
    tw.member_a.refresh_from_db()
    assert tw.member_a.organization == tw.branch_b1


def test_out_of_the_county_through_the_api(tw):
    committee, county = client_for(tw.staff_a), client_for(tw.county_staff)
    prepared = committee.post(
        "/api/transfers/outgoing/",
        {"member": tw.member_a.pk, "to_name": "中共深圳市宝安区委组织部", "reason": "定居深圳"},
        format="json",
    )
    assert prepared.status_code == 201
    pk = prepared.json()["id"]
    letter = {"number": "SX2026-7001", "validity_days": 30, "dues_paid_until": tf.last_month()}
    denied = committee.post(f"/api/transfers/{pk}/letter/", letter, format="json")
    assert denied.status_code == 403 and "县级党委组织部" in denied.json()["detail"]
    too_long = county.post(
        f"/api/transfers/{pk}/letter/", {**letter, "validity_days": 91}, format="json"
    )
    assert too_long.status_code == 400 and "validity_days" in too_long.json()
    issued = county.post(f"/api/transfers/{pk}/letter/", letter, format="json")
    assert issued.status_code == 200 and issued.json()["status"] == "letter_issued"
    assert issued.json()["letter"]["number"] == "SX2026-7001"
    again = county.post(f"/api/transfers/{pk}/letter/", letter, format="json")
    assert again.status_code == 409
    early = committee.post(
        f"/api/transfers/{pk}/receipt/", {"reported_on": "2020-01-01"}, format="json"
    )
    assert early.status_code == 400 and "reported_on" in early.json()
    receipt = committee.post(
        f"/api/transfers/{pk}/receipt/",
        {"reported_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert receipt.status_code == 200 and receipt.json()["status"] == "receipt_recorded"
    assert Member.objects.get(pk=tw.member_a.pk).status == "transferred_out"


def test_a_reused_letter_number_through_the_api_is_409(tw):
    tf.issued(tw, member=tw.member_a2)
    used = Transfer.objects.get().letters.get().number
    pk = tf.prepared(tw).pk
    response = client_for(tw.county_staff).post(
        f"/api/transfers/{pk}/letter/",
        {"number": used, "dues_paid_until": tf.last_month()},
        format="json",
    )
    assert response.status_code == 409 and response.json()["code"] == "number_used"


def test_into_the_county_through_the_api(tw):
    values = tf.incoming_values(tw)
    payload = {
        **values,
        "organization": tw.branch_a1.pk,
        "letter_issued_on": values["letter_issued_on"].isoformat(),
    }
    client = client_for(tw.staff_a)
    response = client.post("/api/transfers/incoming/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "incoming"
    again = client.post("/api/transfers/incoming/", payload, format="json")
    assert again.status_code == 409
    other = client_for(tw.staff_b).post(
        "/api/transfers/incoming/",
        {**payload, "letter_number": "X-1", "id_number": tf.incoming_values(tw)["id_number"]},
        format="json",
    )
    assert other.status_code == 400 and "organization" in other.json()


@pytest.mark.parametrize(
    ("who", "status"),
    [("county_staff", 200), ("staff_a", 200), ("staff_b", 404), ("host_staff", 403)],
)
def test_a_transfer_is_404_outside_the_scope(tw, who, status):
    transfer = tf.requested(tw, to=tw.branch_a2)
    assert client_for(getattr(tw, who)).get(f"/api/transfers/{transfer.pk}/").status_code == status


def test_candidates_through_the_api(tw):
    Member.objects.filter(pk=tw.member_a.pk).update(
        destination_province="440000",
        destination_city="440300",
        left_home_on="2024-01-10",
    )
    Member.history.model.objects.filter(id=tw.member_a.pk).update(destination_city="440300")
    client = client_for(tw.staff_a)
    rows = client.get("/api/transfers/candidates/").json()["results"]
    assert [row["id"] for row in rows] == [tw.member_a.pk]
    assert rows[0]["id_number"] == tw.member_a.id_number_masked
    assert rows[0]["away_since"] == "2024-01-10"
    assert client_for(tw.staff_b).get("/api/transfers/candidates/").json()["results"] == []
    assert client_for(tw.member_a.user).get("/api/transfers/candidates/").status_code == 403


def test_the_schema_documents_every_transfer_endpoint_with_its_errors(client, db):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]
    for path, method in [
        ("/api/me/transfers/", "get"),
        ("/api/me/transfers/", "post"),
        ("/api/me/transfers/destinations/", "get"),
        ("/api/me/transfers/{id}/withdraw/", "post"),
        ("/api/transfers/", "get"),
        ("/api/transfers/", "post"),
        ("/api/transfers/{id}/", "get"),
        ("/api/transfers/{id}/approve/", "post"),
        ("/api/transfers/{id}/reject/", "post"),
        ("/api/transfers/{id}/accept/", "post"),
        ("/api/transfers/{id}/withdraw/", "post"),
        ("/api/transfers/{id}/letter/", "post"),
        ("/api/transfers/{id}/receipt/", "post"),
        ("/api/transfers/outgoing/", "post"),
        ("/api/transfers/incoming/", "post"),
        ("/api/transfers/candidates/", "get"),
    ]:
        responses = paths[path][method]["responses"]
        expected = {"400", "401", "403", "404"} | ({"409"} if method == "post" else set())
        assert expected <= set(responses), (path, method)
    created = paths["/api/me/transfers/"]["post"]["responses"]
    assert "201" in created

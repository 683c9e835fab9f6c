"""The appraisals API: the member's endpoints for the mini-program and the staff's, with the
documented error shapes, and every endpoint in the OpenAPI schema."""

import pytest
import yaml
from django.utils import timezone

from appraisals.models import Appraisal, AppraisalParticipant
from tests.appraisals.factories import ballot_for, dates, open_round
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _iso(values: dict) -> dict:
    return {key: value.isoformat() for key, value in values.items()}


def test_a_member_writes_a_self_assessment_and_votes_from_the_phone(aw):
    appraisal = open_round(aw)
    client = client_for(aw.member_a.user)
    rows = client.get("/api/me/appraisals/").json()
    assert [row["id"] for row in rows] == [appraisal.pk]
    assert rows[0]["can_write_self_assessment"] and rows[0]["can_vote"]
    assert rows[0]["stage"] == "民主测评中"
    detail = client.get(f"/api/me/appraisals/{appraisal.pk}/").json()
    names = {row["name"] for row in detail["candidates"]}
    assert names == {"赵六", "钱七", "孙八"}  # everyone but themselves
    saved = client.put(
        f"/api/appraisals/{appraisal.pk}/self-assessment/",
        {"text": "认真学习党的理论，积极参加线上组织生活。"},
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["self_assessment"].startswith("认真学习")
    short = client.put(
        f"/api/appraisals/{appraisal.pk}/self-assessment/", {"text": "好"}, format="json"
    )
    assert short.status_code == 400 and "10个字" in short.json()["text"][0]
    voted = client.post(
        f"/api/appraisals/{appraisal.pk}/ballot/",
        {"ratings": ballot_for(appraisal, aw.member_a)},
        format="json",
    )
    assert voted.status_code == 201
    again = client.post(
        f"/api/appraisals/{appraisal.pk}/ballot/",
        {"ratings": ballot_for(appraisal, aw.member_a)},
        format="json",
    )
    assert again.status_code == 409 and "已经投过票" in again.json()["detail"]
    after = client.get(f"/api/me/appraisals/{appraisal.pk}/").json()
    assert after["has_voted"] and not after["can_vote"] and after["candidates"] == []
    # A probationary member sees that they do not vote.
    probationary = client_for(aw.probationary.user).get("/api/me/appraisals/").json()[0]
    assert probationary["may_vote"] is False and probationary["can_vote"] is False
    # Others see none of it.
    assert client_for(aw.member_b.user).get("/api/me/appraisals/").json() == []
    assert (
        client_for(aw.member_b.user).get(f"/api/me/appraisals/{appraisal.pk}/").status_code == 404
    )


def test_staff_run_a_round_through_the_api(aw):
    staff = client_for(aw.staff_a)
    opened = staff.post(
        "/api/appraisals/",
        {"organization": aw.branch_a1.pk, "year": timezone.localdate().year, **_iso(dates())},
        format="json",
    )
    assert opened.status_code == 201, opened.content
    pk = opened.json()["id"]
    assert opened.json()["participant_count"] == 4 and opened.json()["voted"] == 0
    twice = staff.post(
        "/api/appraisals/",
        {"organization": aw.branch_a1.pk, "year": timezone.localdate().year, **_iso(dates())},
        format="json",
    )
    assert twice.status_code == 409
    assert [row["id"] for row in staff.get("/api/appraisals/?state=open").json()["results"]] == [pk]
    assert client_for(aw.staff_b).get("/api/appraisals/").json()["results"] == []
    assert staff.post(f"/api/appraisals/{pk}/close-ballot/").status_code == 200
    assert staff.post(f"/api/appraisals/{pk}/close-ballot/").status_code == 409
    paper = staff.put(
        f"/api/appraisals/{pk}/paper-tally/",
        {
            "paper_ballots": 1,
            "counts": [{"member": aw.member_a.pk, "rating": "excellent", "count": 1}],
        },
        format="json",
    )
    assert paper.status_code == 200 and paper.json()["paper_ballots"] == 1
    tallies = staff.get(f"/api/appraisals/{pk}/tallies/").json()
    row = next(r for r in tallies["results"] if r["member"] == aw.member_a.pk)
    assert row["excellent"] == 1 and row["paper"]["excellent"] == 1
    for member in (aw.member_a, aw.voter2, aw.probationary):
        rated = staff.post(
            f"/api/appraisals/{pk}/ratings/",
            {"member": member.pk, "final_rating": "qualified", "reason": "按期参加组织生活"},
            format="json",
        )
        assert rated.status_code == 200
    outside = staff.post(
        f"/api/appraisals/{pk}/ratings/",
        {"member": aw.member_a2.pk, "final_rating": "qualified", "reason": "不在本支部"},
        format="json",
    )
    assert outside.status_code == 400 and "不是本次民主评议" in outside.json()["member"][0]
    staff.post(
        f"/api/appraisals/{pk}/ratings/",
        {"member": aw.paper.pk, "final_rating": "unqualified", "reason": "长期不参加组织生活"},
        format="json",
    )
    assert staff.post(f"/api/appraisals/{pk}/finish/").status_code == 409
    own = staff.post(f"/api/appraisals/{pk}/ratings/{aw.paper.pk}/approve/", {}, format="json")
    assert own.status_code == 403 and "上级党委" in own.json()["detail"]
    county = client_for(aw.county_staff)
    approved = county.post(
        f"/api/appraisals/{pk}/ratings/{aw.paper.pk}/approve/", {"note": "同意"}, format="json"
    )
    assert approved.status_code == 200
    decisions = {p["member"]: p["decision"] for p in approved.json()["participants"]}
    assert set(decisions.values()) == {"effective"}
    finished = staff.post(f"/api/appraisals/{pk}/finish/")
    assert finished.status_code == 200 and finished.json()["finished_at"]
    assert AppraisalParticipant.objects.filter(decision="effective").count() == 4
    # The member reads their own result.
    mine = client_for(aw.member_a.user).get("/api/me/appraisals/").json()[0]
    assert mine["final_rating"] == "qualified" and mine["final_reason"] == "按期参加组织生活"


def test_bad_dates_through_the_api_are_a_chinese_400_and_store_nothing(aw):
    today = timezone.localdate()
    body = {
        "organization": aw.branch_a1.pk,
        "year": today.year,
        **_iso(dates(ballot_starts_on=today.replace(day=1).replace(year=today.year + 1))),
    }
    response = client_for(aw.staff_a).post("/api/appraisals/", body, format="json")
    assert response.status_code == 400
    assert "开始日期不能晚于截止日期" in response.json()["ballot_starts_on"][0]
    assert not Appraisal.objects.exists()


def test_every_appraisal_endpoint_is_in_the_openapi_schema(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = set(schema["paths"])
    assert {
        "/api/me/appraisals/",
        "/api/me/appraisals/{id}/",
        "/api/appraisals/{id}/self-assessment/",
        "/api/appraisals/{id}/ballot/",
        "/api/appraisals/",
        "/api/appraisals/{id}/",
        "/api/appraisals/{id}/tallies/",
        "/api/appraisals/{id}/close-ballot/",
        "/api/appraisals/{id}/paper-tally/",
        "/api/appraisals/{id}/ratings/",
        "/api/appraisals/{id}/ratings/{member_pk}/approve/",
        "/api/appraisals/{id}/ratings/{member_pk}/reject/",
        "/api/appraisals/{id}/finish/",
    } <= paths
    assert "put" in schema["paths"]["/api/appraisals/{id}/self-assessment/"]
    assert "409" in str(schema["paths"]["/api/appraisals/{id}/ballot/"]["post"]["description"])


HOSTILE_BALLOTS = {
    "ratings as an object": {"ratings": {"1": "qualified"}},
    "ratings as a string": {"ratings": "qualified"},
    "ratings null": {"ratings": None},
    "no ratings key": {},
    "member as text": {"ratings": [{"member": "张三", "rating": "qualified"}]},
    "member too large": {"ratings": [{"member": 2**70, "rating": "qualified"}]},
    "member negative": {"ratings": [{"member": -1, "rating": "qualified"}]},
    "rating as a number": {"ratings": [{"member": 1, "rating": 1}]},
    "rating in Chinese": {"ratings": [{"member": 1, "rating": "优秀"}]},
    "sql in the rating": {"ratings": [{"member": 1, "rating": "qualified' OR '1'='1"}]},
}


@pytest.mark.parametrize("case", sorted(HOSTILE_BALLOTS))
def test_hostile_ballot_shapes_are_a_chinese_400_and_store_nothing(aw, case):
    from appraisals.models import BallotRegister, BallotTally

    appraisal = open_round(aw)
    response = client_for(aw.member_a.user).post(
        f"/api/appraisals/{appraisal.pk}/ballot/", HOSTILE_BALLOTS[case], format="json"
    )
    assert response.status_code == 400, response.content
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())
    assert not BallotRegister.objects.exists()
    assert not BallotTally.objects.exclude(count=0).exists()


@pytest.mark.parametrize(
    "text", ["\x00坚持学习，按时交纳党费。", "坚持学习\u202e，按时交纳党费。", "字" * 3001, 12345]
)
def test_hostile_self_assessments_are_refused(aw, text):
    from appraisals.models import SelfAssessment

    appraisal = open_round(aw)
    response = client_for(aw.member_a.user).put(
        f"/api/appraisals/{appraisal.pk}/self-assessment/", {"text": text}, format="json"
    )
    assert response.status_code == 400, response.content
    assert not SelfAssessment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"year": "二〇二六"},
        {"ballot_ends_on": "明天"},
        {"organization": "东关社区党支部"},
        {"organization": 2**70},
        {"self_assessment_ends_on": None},
    ],
)
def test_hostile_openings_are_refused(aw, body):
    payload = {
        "organization": aw.branch_a1.pk,
        "year": timezone.localdate().year,
        **_iso(dates()),
        **body,
    }
    response = client_for(aw.staff_a).post("/api/appraisals/", payload, format="json")
    assert response.status_code == 400, response.content
    assert not Appraisal.objects.exists()

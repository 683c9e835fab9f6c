"""The activities API for members and staff: lists (keyset, constant queries), details,
replies, staff actions, the sheet, participation, materials, cadence."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity, Attendance
from members.models import Notice
from tests.activities import factories as af
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
S = Activity.Status
A = Activity.Audience


def many(aw, count, **kwargs):
    return [
        af.activity(aw.branch_a1, starts_in=timedelta(days=1, hours=i), **kwargs)
        for i in range(count)
    ]


def test_members_list_upcoming_soonest_first_with_their_reply(aw):
    first, second = many(aw, 2)
    af.reply(second, aw.member_a, Attendance.Status.EXCUSED, "在外地")
    af.past(aw.branch_a1)
    body = client_for(aw.member_a.user).get("/api/activities/?when=upcoming").json()
    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]
    assert body["results"][0]["my_attendance"] is None
    assert body["results"][1]["my_attendance"]["status"] == "excused"
    assert body["results"][1]["kind"] == "theme_day"
    assert body["results"][1]["organization"] == aw.branch_a1.pk


def test_keyset_pages_walk_forward_and_back_without_gaps(aw):
    made = many(aw, 7)
    client = client_for(aw.member_a.user)
    seen, url = [], "/api/activities/?when=upcoming&page_size=3"
    pages = []
    while url:
        body = client.get(url).json()
        pages.append(body)
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == [a.pk for a in made]
    back = client.get(pages[-1]["previous"]).json()
    assert [row["id"] for row in back["results"]] == [a.pk for a in made[3:6]]


def test_equal_start_times_do_not_lose_rows_between_pages(aw):
    start = timezone.now() + timedelta(days=2)
    made = [af.activity(aw.branch_a1, starts_in=start - timezone.now()) for _ in range(5)]
    Activity.objects.filter(pk__in=[a.pk for a in made]).update(starts_at=start)
    client = client_for(aw.member_a.user)
    seen, url = [], "/api/activities/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(a.pk for a in made) and len(seen) == 5


def test_a_bad_cursor_is_a_400_in_chinese(aw):
    response = client_for(aw.member_a.user).get("/api/activities/?cursor=zzz")
    assert response.status_code == 400 and "游标" in response.json()["cursor"][0]


@pytest.mark.parametrize("who", ["member", "staff"])
def test_list_queries_do_not_grow_with_the_page_size(aw, who):
    many(aw, 30)
    for activity in Activity.objects.all()[:20]:
        af.reply(activity, aw.member_a)
    user = aw.member_a.user if who == "member" else aw.staff_a
    client = client_for(user)
    counts = []
    for size in (5, 25):
        client.get(f"/api/activities/?page_size={size}")  # warm the token auth path
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/activities/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_the_detail_carries_materials_and_my_reply(aw):
    activity = af.past(aw.branch_a1)
    client_for(aw.staff_a).post(
        f"/api/activities/{activity.pk}/materials/",
        {"kind": "minutes", "title": "会议纪要", "body": "<p>到会8人</p>"},
    )
    body = client_for(aw.member_a.user).get(f"/api/activities/{activity.pk}/").json()
    assert body["materials"][0]["title"] == "会议纪要"
    assert body["materials"][0]["file_url"] is None
    assert body["status"] == "held"


def test_the_reply_endpoint(aw):
    activity = af.activity(aw.branch_a1)
    client = client_for(aw.member_a.user)
    url = f"/api/activities/{activity.pk}/attendance/"
    assert client.post(url, {"status": "attending"}).json()["status"] == "attending"
    missing = client.post(url, {"status": "excused", "reason": ""})
    assert missing.status_code == 400 and "reason" in missing.json()
    bad = client.post(url, {"status": "perhaps"})
    assert bad.status_code == 400 and "status" in bad.json()
    ok = client.post(url, {"status": "excused", "reason": "孩子生病"}, format="json")
    assert ok.status_code == 200 and ok.json()["reason"] == "孩子生病"
    assert Attendance.objects.get().status == "excused"
    client_for(aw.staff_a).post(f"/api/activities/{activity.pk}/cancel/", {"reason": "改期"})
    late = client.post(url, {"status": "attending"})
    assert late.status_code == 409 and late.json()["code"] == "conflict"
    assert Attendance.objects.get().status == "excused"


def test_reply_is_for_members_in_the_audience(aw):
    activity = af.activity(aw.branch_a1)
    url = f"/api/activities/{activity.pk}/attendance/"
    assert client_for(aw.member_b.user).post(url, {"status": "attending"}).status_code == 404
    assert client_for(aw.staff_a).post(url, {"status": "attending"}).status_code == 403
    assert client_for(None).post(url, {"status": "attending"}).status_code == 401


def test_staff_create_publish_edit_and_cancel_through_the_api(aw):
    client = client_for(aw.staff_a)
    start = (timezone.now() + timedelta(days=4)).replace(microsecond=0)
    payload = {
        "organization": aw.committee_a.pk,
        "kind": "party_lecture",
        "title": "学习贯彻党的二十届四中全会精神专题党课",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "audience": "subtree",
        "online_url": "https://meeting.tencent.com/dm/sanyuan",
        "lecturer_name": "王书记",
    }
    created = client.post("/api/activities/", payload, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["status"] == "planned"
    assert client.post(f"/api/activities/{pk}/publish/").json()["status"] == "published"
    assert client.post(f"/api/activities/{pk}/publish/").status_code == 409
    patched = client.patch(
        f"/api/activities/{pk}/", {"place": "城关街道党群服务中心"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["place"] == "城关街道党群服务中心"
    assert Notice.objects.filter(title__startswith="活动变更").count() == 1
    assert client.post(f"/api/activities/{pk}/cancel/", {}).status_code == 400
    assert (
        client.post(f"/api/activities/{pk}/cancel/", {"reason": "讲师临时有事"}).json()["status"]
        == "cancelled"
    )


def test_staff_api_input_errors_are_400_with_fields(aw):
    client = client_for(aw.staff_a)
    start = timezone.now() + timedelta(days=4)
    payload = {
        "organization": aw.branch_b1.pk,  # outside the scope
        "kind": "theme_day",
        "title": "主题党日",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "place": "会议室",
    }
    response = client.post("/api/activities/", payload, format="json")
    assert response.status_code == 400 and "organization" in response.json()
    payload["organization"] = aw.branch_a1.pk
    payload["online_url"] = "http://insecure.example.com"
    response = client.post("/api/activities/", payload, format="json")
    assert response.status_code == 400 and "online_url" in response.json()
    response = client.post("/api/activities/", {"title": "缺字段"}, format="json")
    assert response.status_code == 400 and "starts_at" in response.json()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/activities/"),
        ("patch", "/api/activities/{pk}/"),
        ("post", "/api/activities/{pk}/publish/"),
        ("post", "/api/activities/{pk}/cancel/"),
        ("post", "/api/activities/{pk}/held/"),
        ("get", "/api/activities/{pk}/attendance/"),
        ("post", "/api/activities/{pk}/participation/"),
        ("post", "/api/activities/{pk}/materials/"),
        ("get", "/api/activities/cadence/"),
    ],
)
def test_staff_endpoints_are_403_for_members_and_404_out_of_scope(aw, method, path):
    activity = af.activity(aw.branch_a1, status=S.PLANNED)
    url = path.format(pk=activity.pk)
    member = getattr(client_for(aw.member_a.user), method)(url, {}, format="json")
    assert member.status_code == 403
    if "{pk}" in path:
        outsider = getattr(client_for(aw.staff_b), method)(url, {}, format="json")
        assert outsider.status_code == 404


def test_the_staff_sheet_and_participation_endpoints(aw):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=-2))
    af.reply(activity, aw.member_a1b, Attendance.Status.EXCUSED, "住院")
    client = client_for(aw.staff_a)
    sheet = client.get(f"/api/activities/{activity.pk}/attendance/").json()
    assert sheet["summary"]["all"] == 2 and sheet["summary"]["excused"] == 1
    assert sheet["summary"]["no_reply"] == 1
    rows = {row["name"]: row for row in sheet["results"]}
    assert rows["钱七"]["reason"] == "住院" and rows["张三"]["status"] is None
    recorded = client.post(
        f"/api/activities/{activity.pk}/participation/",
        {"entries": [{"member": aw.member_a.pk, "participation": "in_person"}]},
        format="json",
    )
    assert recorded.json() == {"changed": 1}
    took = client.get(f"/api/activities/{activity.pk}/attendance/?show=took_part").json()
    assert [row["name"] for row in took["results"]] == ["张三"]
    assert took["results"][0]["credited_organization"] == aw.branch_a1.pk
    bad = client.post(
        f"/api/activities/{activity.pk}/participation/",
        {"entries": [{"member": aw.member_b.pk, "participation": "online"}]},
        format="json",
    )
    assert bad.status_code == 400 and "entries" in bad.json()


def test_sheet_queries_do_not_grow_with_the_page_size(aw):
    from tests import factories

    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=-2))
    for i in range(12):
        member = factories.MemberFactory(organization=aw.branch_a1, name=f"党员{i:02d}")
        af.reply(activity, member, Attendance.Status.EXCUSED if i % 2 else "attending", "事假")
    client = client_for(aw.staff_a)
    counts = []
    for size in (3, 12):
        client.get(f"/api/activities/{activity.pk}/attendance/?page_size={size}")
        with CaptureQueriesContext(connection) as ctx:
            body = client.get(f"/api/activities/{activity.pk}/attendance/?page_size={size}").json()
        assert len(body["results"]) == size
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_members_upload_nothing_and_staff_upload_files(aw):
    activity = af.past(aw.branch_a1)
    upload = client_for(aw.staff_a).post(
        f"/api/activities/{activity.pk}/materials/",
        {"kind": "document", "title": "文件精神", "file": af.pdf_upload()},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert upload.json()["file_url"] == f"/api/activity-materials/{upload.json()['id']}/file/"
    bad = client_for(aw.staff_a).post(
        f"/api/activities/{activity.pk}/materials/",
        {"kind": "document", "title": "坏文件", "file": af.SimpleUploadedFile("a.pdf", b"hello")},
        format="multipart",
    )
    assert bad.status_code == 400 and "file" in bad.json()


def test_members_confirm_study_through_the_api(aw):
    activity = af.past(aw.branch_a1)
    url = f"/api/activities/{activity.pk}/study/"
    assert client_for(aw.member_a.user).post(url).status_code == 409
    client_for(aw.staff_a).post(
        f"/api/activities/{activity.pk}/materials/",
        {"kind": "study_material", "title": "学习资料", "body": "正文"},
    )
    response = client_for(aw.member_a.user).post(url)
    assert response.status_code == 200 and response.json()["studied_at"]
    assert client_for(aw.member_b.user).post(url).status_code == 404


def test_the_schema_documents_the_activity_endpoints(client, db):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        "/api/activities/",
        "/api/activities/{id}/attendance/",
        "/api/activities/cadence/",
    ):
        assert path in schema

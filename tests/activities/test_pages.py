"""Member pages (活动) and staff pages, each tier, in and out of scope."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from activities import services
from activities.models import Activity, ActivityMaterial, Attendance
from members.models import Notice
from tests.activities import factories as af
from tests.factories import login_staff

pytestmark = pytest.mark.django_db
S = Activity.Status


@pytest.fixture
def login(client):
    def as_(user):
        client.logout()
        login_staff(client, user, backend=None)
        return client

    return as_


def test_the_member_list_shows_upcoming_first_then_past_with_materials(aw, login):
    upcoming = af.activity(aw.branch_a1, title="十二月主题党日")
    held = af.past(aw.branch_a1, kind="general_meeting", title="第三季度支部党员大会")
    services.material_add(
        user=aw.staff_a, activity=held, kind="minutes", title="第三季度会议纪要", body="到会"
    )
    af.activity(aw.branch_b1, title="别的支部的活动")
    body = login(aw.member_a.user).get("/activities/").content.decode()
    assert body.index("即将开始") < body.index("十二月主题党日") < body.index("往期活动")
    assert (
        body.index("往期活动") < body.index("第三季度支部党员大会") < body.index("第三季度会议纪要")
    )
    assert "别的支部的活动" not in body
    assert f"/activities/{upcoming.pk}/" in body


def test_member_list_queries_do_not_grow_with_the_number_of_activities(aw, login):
    client = login(aw.member_a.user)
    for i in range(3):
        past = af.past(aw.branch_a1, starts_in=timedelta(days=-3 - i))
        ActivityMaterial.objects.create(
            activity=past, kind="minutes", title="纪要", body="<p>x</p>"
        )
        af.activity(aw.branch_a1, starts_in=timedelta(days=i + 1))
    client.get("/activities/")
    with CaptureQueriesContext(connection) as few:
        client.get("/activities/")
    for i in range(12):
        past = af.past(aw.branch_a1, starts_in=timedelta(days=-10 - i))
        ActivityMaterial.objects.create(
            activity=past, kind="minutes", title="纪要", body="<p>x</p>"
        )
        af.reply(af.activity(aw.branch_a1, starts_in=timedelta(days=5 + i)), aw.member_a)
    with CaptureQueriesContext(connection) as more:
        client.get("/activities/")
    assert len(few) == len(more)


def test_the_month_calendar_places_activities_on_their_days(aw, login):
    start = timezone.localtime() + timedelta(days=2)
    activity = af.activity(aw.branch_a1, starts_in=timedelta(days=2), title="党员志愿服务主题党日")
    month = f"{start:%Y-%m}"
    body = login(aw.member_a.user).get(f"/activities/calendar/?month={month}").content.decode()
    assert f'href="#day-{start:%Y-%m-%d}"' in body
    assert f'id="day-{start:%Y-%m-%d}"' in body and activity.title in body
    assert f"{start.year}年{start.month}月" in body
    # A nonsense month falls back to the current one instead of failing.
    assert login(aw.member_a.user).get("/activities/calendar/?month=2026-13").status_code == 200
    assert (
        login(aw.member_b.user)
        .get(f"/activities/calendar/?month={month}")
        .content.decode()
        .count(activity.title)
        == 0
    )


def test_the_activity_page_offers_replies_and_records_an_excuse(aw, login):
    activity = af.activity(
        aw.branch_a1, kind="theme_day", online_url="https://meeting.tencent.com/x"
    )
    client = login(aw.member_a.user)
    body = client.get(f"/activities/{activity.pk}/").content.decode()
    assert "参加" in body and "请假事由" in body and "打开线上参会链接" in body
    missing = client.post(f"/activities/{activity.pk}/reply/", {"status": "excused", "reason": ""})
    assert missing.status_code == 400 and "请假需要填写事由" in missing.content.decode()
    done = client.post(
        f"/activities/{activity.pk}/reply/",
        {"status": "excused", "reason": "在深圳上夜班"},
        follow=True,
    )
    assert "已请假" in done.content.decode() and "在深圳上夜班" in done.content.decode()
    assert Attendance.objects.get().reason == "在深圳上夜班"


def test_the_activity_page_is_404_outside_the_audience_and_sends_staff_to_theirs(aw, login):
    activity = af.activity(aw.branch_b1)
    assert login(aw.member_a.user).get(f"/activities/{activity.pk}/").status_code == 404
    assert (
        login(aw.member_a.user)
        .post(f"/activities/{activity.pk}/reply/", {"status": "attending"})
        .status_code
        == 404
    )
    response = login(aw.staff_b).get(f"/activities/{activity.pk}/")
    assert response.status_code == 302 and response.url == f"/staff/activities/{activity.pk}/"


def test_a_cancelled_activity_shows_why_and_offers_no_reply(aw, login):
    activity = af.activity(aw.branch_a1, status=S.CANCELLED, cancel_reason="暴雨预警")
    body = login(aw.member_a.user).get(f"/activities/{activity.pk}/").content.decode()
    assert "已取消" in body and "暴雨预警" in body and 'name="status"' not in body


def test_members_confirm_study_on_the_page(aw, login):
    activity = af.past(aw.branch_a1)
    ActivityMaterial.objects.create(
        activity=activity, kind="study_material", title="学习资料", body="<p>x</p>"
    )
    client = login(aw.member_a.user)
    assert "我已学习本次活动资料" in client.get(f"/activities/{activity.pk}/").content.decode()
    body = client.post(f"/activities/{activity.pk}/study/", follow=True).content.decode()
    assert "已确认学习" in body and Attendance.objects.get().studied_at


@pytest.mark.parametrize("url", ["/activities/", "/activities/calendar/", "/staff/activities/"])
def test_pages_ask_anonymous_visitors_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(
    "url",
    [
        "/staff/activities/",
        "/staff/activities/new/",
        "/staff/activities/cadence/",
        "/staff/activities/{pk}/",
        "/staff/activities/{pk}/attendance/",
        "/staff/activities/{pk}/attendance.xlsx",
    ],
)
def test_staff_pages_are_403_for_members_and_404_out_of_scope(aw, login, url):
    activity = af.activity(aw.branch_a1)
    url = url.format(pk=activity.pk)
    assert login(aw.member_a.user).get(url).status_code == 403
    expected = 404 if str(activity.pk) in url else 200
    assert login(aw.staff_b).get(url).status_code == expected
    assert login(aw.staff_a).get(url).status_code == 200
    assert login(aw.county_staff).get(url).status_code == 200


def test_the_staff_list_is_scoped_and_filtered(aw, login):
    af.activity(aw.branch_a1, title="东关主题党日")
    af.activity(aw.branch_a2, kind="party_lecture", title="西关党课")
    af.activity(aw.branch_b1, title="陵前主题党日")
    body = login(aw.staff_a).get("/staff/activities/").content.decode()
    assert "东关主题党日" in body and "西关党课" in body and "陵前主题党日" not in body
    body = login(aw.staff_a).get("/staff/activities/?kind=party_lecture").content.decode()
    assert "西关党课" in body and "东关主题党日" not in body
    body = (
        login(aw.county_staff)
        .get(f"/staff/activities/?organization={aw.committee_b.pk}")
        .content.decode()
    )
    assert "陵前主题党日" in body and "东关主题党日" not in body


def test_staff_create_and_publish_from_the_page(aw, login):
    client = login(aw.staff_a)
    start = timezone.localtime() + timedelta(days=6)
    form = {
        "organization": aw.branch_a1.pk,
        "kind": "theme_day",
        "title": "“重温入党誓词”主题党日",
        "starts_at": f"{start:%Y-%m-%dT09:00}",
        "ends_at": f"{start:%Y-%m-%dT11:00}",
        "place": "",
        "online_url": "",
        "audience": "organization",
    }
    bad = client.post("/staff/activities/new/", form)
    assert bad.status_code == 400 and "请填写活动地点或线上参会链接" in bad.content.decode()
    outside = client.post(
        "/staff/activities/new/", {**form, "organization": aw.branch_b1.pk, "place": "x"}
    )
    assert outside.status_code == 400
    form["place"] = "东关社区党群服务中心"
    response = client.post("/staff/activities/new/", {**form, "publish": "1"})
    activity = Activity.objects.get()
    assert response.status_code == 302 and response.url == f"/staff/activities/{activity.pk}/"
    assert activity.status == S.PUBLISHED and Notice.objects.count() == 1
    edit = client.post(f"/staff/activities/{activity.pk}/edit/", {**form, "title": "重温入党誓词"})
    assert edit.status_code == 302
    activity.refresh_from_db()
    assert activity.title == "重温入党誓词"


def test_staff_cancel_needs_a_reason_for_a_published_activity(aw, login):
    activity = af.activity(aw.branch_a1)
    client = login(aw.staff_a)
    response = client.post(f"/staff/activities/{activity.pk}/cancel/", {"reason": ""})
    assert response.status_code == 400 and "请填写取消原因" in response.content.decode()
    client.post(f"/staff/activities/{activity.pk}/cancel/", {"reason": "与防汛工作冲突"})
    activity.refresh_from_db()
    assert activity.status == S.CANCELLED
    again = client.post(f"/staff/activities/{activity.pk}/publish/", follow=True)
    assert "已取消，不能发布" in again.content.decode()
    assert login(aw.staff_b).post(f"/staff/activities/{activity.pk}/cancel/", {}).status_code == 404


def test_staff_add_and_delete_materials_on_the_page(aw, login):
    activity = af.past(aw.branch_a1)
    client = login(aw.staff_a)
    response = client.post(
        f"/staff/activities/{activity.pk}/materials/",
        {"kind": "minutes", "title": "会议纪要", "body": "一、学习党章\n\n二、讨论"},
    )
    assert response.status_code == 302
    material = ActivityMaterial.objects.get()
    assert material.body == "<p>一、学习党章</p><p>二、讨论</p>"
    bad = client.post(
        f"/staff/activities/{activity.pk}/materials/",
        {
            "kind": "document",
            "title": "坏文件",
            "file": af.SimpleUploadedFile("x.docx", b"not office"),
        },
    )
    assert bad.status_code == 400 and "只支持" in bad.content.decode()
    assert (
        login(aw.staff_b).post(f"/staff/activities/materials/{material.pk}/delete/").status_code
        == 404
    )
    login(aw.staff_a).post(f"/staff/activities/materials/{material.pk}/delete/")
    assert not ActivityMaterial.objects.exists()


def test_the_attendance_sheet_shows_replies_excuses_no_reply_and_records_participation(aw, login):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=-2), title="十一月主题党日")
    af.reply(activity, aw.member_a1b, Attendance.Status.EXCUSED, "在西安照顾病人")
    client = login(aw.staff_a)
    body = client.get(f"/staff/activities/{activity.pk}/attendance/").content.decode()
    assert "在西安照顾病人" in body and "未回复" in body and "张三" in body
    excused = client.get(
        f"/staff/activities/{activity.pk}/attendance/?show=excused"
    ).content.decode()
    assert "钱七" in excused and "张三" not in excused
    response = client.post(
        f"/staff/activities/{activity.pk}/attendance/",
        {
            f"p-{aw.member_a.pk}": "in_person",
            f"p-{aw.member_a1b.pk}": "",
            "back": "show=all&page=1",
        },
    )
    assert response.status_code == 302 and response.url.endswith("?show=all&page=1")
    assert Attendance.objects.get(member=aw.member_a).participation == "in_person"
    activity.refresh_from_db()
    assert activity.status == S.HELD


def test_the_excel_export_lists_everyone_and_neutralises_formulas(aw, login):
    activity = af.activity(aw.branch_a1, starts_in=timedelta(hours=-2), title='=HYPERLINK("x")')
    af.reply(activity, aw.member_a1b, Attendance.Status.EXCUSED, "=1+1")
    af.reply(activity, aw.member_a, Attendance.Status.ATTENDING)
    response = login(aw.staff_a).get(f"/staff/activities/{activity.pk}/attendance.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == '\'=HYPERLINK("x")'
    header = rows[3]
    assert header[:4] == ("姓名", "所在党组织", "账号", "回复")
    data = {row[0]: row for row in rows[4:]}
    assert data["钱七"][3] == "请假" and data["钱七"][4] == "'=1+1"
    assert data["张三"][2] == "已激活" and data["张三"][3] == "参加"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)

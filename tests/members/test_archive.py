"""The full archive: field rules, who sees which fields, logged reads, history."""

import pytest
import time_machine

from members.models import AuditEvent, Member, Skill
from members.services.archive import member_update
from sanyuan.errors import FieldErrors
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def welder(db):
    return Skill.objects.create(name="电焊", category="建筑与制造")


def update(world, member, **changes):
    return member_update(actor=world.county_staff, member=member, **changes)


def errors_of(world, member, **changes):
    with pytest.raises(FieldErrors) as info:
        update(world, member, **changes)
    return info.value.errors


def test_staff_fill_every_field_and_history_records_who_changed_what(world, welder):
    member = world.member_a
    update(
        world,
        member,
        ethnicity="回族",
        education="college",
        party_standing="probationary",
        joined_party_on="2024-07-01",
        left_home_on="2025/3/1",
        destination_province="440000",
        destination_city="440300",
        destination_district="440306",
        destination_address="宝安区福永街道",
        occupation="manufacturing",
        employer="比亚迪股份有限公司",
        monthly_income="6,500元",
        skills=["电焊"],
        family_situation="父母在家务农。",
        mindset_note="思想稳定。",
        status="away",
        honours=["vanguard"],
        support_group=True,
    )
    member.refresh_from_db()
    assert member.monthly_income == 6500 and member.income_band == "5000_8000"
    assert member.destination_city == "440300" and member.is_vanguard
    assert list(member.skills.all()) == [welder]
    latest = member.history.first()
    assert latest.history_user == world.county_staff


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"joined_party_on": "2099-01-01"}, "joined_party_on", "不能晚于今天"),
        ({"left_home_on": "2099-01-01"}, "left_home_on", "不能晚于今天"),
        ({"joined_party_on": "not a date"}, "joined_party_on", "格式不正确"),
        ({"ethnicity": "火星族"}, "ethnicity", "56个民族"),
        ({"education": "博士后"}, "education", "不在可选范围"),
        ({"monthly_income": "很多"}, "monthly_income", "应为数字"),
        ({"skills": ["御剑飞行"]}, "skills", "不在技能列表"),
        ({"destination_province": "999999"}, "destination_province", "不是有效的行政区划代码"),
        (
            {"destination_province": "440000", "destination_city": "610100"},
            "destination_city",
            "不属于所选省份",
        ),
        (
            {
                "destination_province": "440000",
                "destination_city": "440300",
                "destination_district": "440106",
            },
            "destination_district",
            "不属于所选城市",
        ),
        ({"family_situation": "长" * 1001}, "family_situation", "不能超过1000"),
        ({"id_number": "61042219850315001X"}, "id_number", "不能修改"),
    ],
)
def test_bad_values_are_refused_with_a_message_per_field_and_nothing_changes(
    world, changes, field, message
):
    before = Member.objects.get(pk=world.member_a.pk)
    errors = errors_of(world, world.member_a, **changes)
    assert any(message in text for text in errors[field]), errors
    after = Member.objects.get(pk=world.member_a.pk)
    assert (after.updated_at, after.phone, after.ethnicity) == (
        before.updated_at,
        before.phone,
        before.ethnicity,
    )


def test_joining_the_party_before_the_18th_birthday_is_refused():
    world = factories.build_world()
    member = factories.MemberFactory(
        organization=world.branch_a1, id_number=factories.valid_id_number(birth="19900510")
    )
    errors = errors_of(world, member, joined_party_on="2008-05-09")
    assert "年满18周岁" in errors["joined_party_on"][0]
    update(world, member, joined_party_on="2008-05-10")


def test_leaving_home_before_birth_is_refused():
    world = factories.build_world()
    member = factories.MemberFactory(
        organization=world.branch_a1, id_number=factories.valid_id_number(birth="19900510")
    )
    assert "出生日期之后" in errors_of(world, member, left_home_on="1989-01-01")["left_home_on"][0]


def test_several_errors_are_reported_together_by_the_api(world):
    client = client_for(world.county_staff)
    url = f"/api/members/{world.member_a.pk}/"
    response = client.patch(
        url, {"joined_party_on": "2099-01-01", "monthly_income": "abc"}, format="json"
    )
    assert response.status_code == 400
    assert {"joined_party_on", "monthly_income"} == set(response.json())
    unknown = client.patch(url, {"nonsense": 1}, format="json")
    assert unknown.status_code == 400 and unknown.json() == {"nonsense": ["不支持的字段。"]}


def test_staff_in_scope_see_sensitive_and_staff_only_fields_and_the_read_is_logged(world):
    update(
        world,
        world.member_a,
        monthly_income=5000,
        family_situation="父亲住院",
        mindset_note="需关心",
    )
    response = client_for(world.staff_a).get(
        f"/api/members/{world.member_a.pk}/", REMOTE_ADDR="10.3.3.3"
    )
    body = response.json()
    assert body["monthly_income"] == 5000 and body["family_situation"] == "父亲住院"
    assert body["mindset_note"] == "需关心" and "contact_overdue" in body
    event = AuditEvent.objects.get(action="member.view")
    assert event.actor == world.staff_a and event.ip_address == "10.3.3.3"
    assert event.target_id == str(world.member_a.pk)


def test_the_member_sees_income_and_family_but_never_the_mindset_note(world):
    update(
        world,
        world.member_a,
        monthly_income=5000,
        family_situation="父亲住院",
        mindset_note="需关心",
    )
    body = client_for(world.member_a.user).get("/api/me/").json()
    assert body["monthly_income"] == 5000 and body["family_situation"] == "父亲住院"
    assert "mindset_note" not in body and "contact_overdue" not in body


def test_the_staff_list_carries_no_sensitive_fields(world):
    update(
        world,
        world.member_a,
        monthly_income=5000,
        family_situation="父亲住院",
        mindset_note="需关心",
    )
    rows = client_for(world.staff_a).get("/api/members/").json()["results"]
    for row in rows:
        assert not {"monthly_income", "family_situation", "mindset_note"} & set(row)


def test_sensitive_text_is_encrypted_at_rest(world):
    from django.db import connection

    update(world, world.member_a, family_situation="父亲住院", mindset_note="需关心")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, family_situation, mindset_note FROM members_member WHERE id = %s",
            [world.member_a.pk],
        )
        row = cursor.fetchone()
    assert world.member_a.id_number not in row[0]
    assert "父亲" not in row[1] and "关心" not in row[2]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT family_situation FROM members_historicalmember WHERE id = %s",
            [world.member_a.pk],
        )
        assert all("父亲" not in (value or "") for (value,) in cursor.fetchall())


def test_revealing_the_full_id_number_is_explicit_and_logged(world):
    client = client_for(world.staff_a)
    response = client.post(f"/api/members/{world.member_a.pk}/reveal-id-number/")
    assert response.json() == {"id_number": world.member_a.id_number}
    assert (
        AuditEvent.objects.filter(action="member.reveal_id_number", actor=world.staff_a).count()
        == 1
    )
    assert (
        client_for(world.staff_b)
        .post(f"/api/members/{world.member_a.pk}/reveal-id-number/")
        .status_code
        == 404
    )
    assert (
        client_for(world.member_a.user)
        .post(f"/api/members/{world.member_a.pk}/reveal-id-number/")
        .status_code
        == 403
    )


def test_the_member_sees_the_history_of_their_archive_without_staff_only_fields(world):
    update(world, world.member_a, employer="新单位", mindset_note="内部评价")
    entries = client_for(world.member_a.user).get("/api/me/history/").json()
    fields = {change["field"] for entry in entries for change in entry["changes"]}
    assert "employer" in fields and "mindset_note" not in fields
    assert entries[0]["by"] == "工作人员"
    staff_entries = (
        client_for(world.staff_a).get(f"/api/members/{world.member_a.pk}/history/").json()
    )
    assert "mindset_note" in {c["field"] for e in staff_entries for c in e["changes"]}


def test_filters_by_destination_occupation_skill_status_and_standing(world, welder):
    update(
        world,
        world.member_a,
        destination_province="440000",
        occupation="construction",
        skills=["电焊"],
        status="away",
    )
    update(
        world,
        world.member_b,
        destination_province="610000",
        occupation="retail",
        status="returned",
        party_standing="probationary",
    )
    client = client_for(world.county_staff)

    def ids(query):
        return {row["id"] for row in client.get(f"/api/members/?{query}").json()["results"]}

    assert ids("destination_province=440000") == {world.member_a.pk}
    assert ids("occupation=retail") == {world.member_b.pk}
    assert ids("skill=电焊") == {world.member_a.pk}
    assert ids("status=returned") == {world.member_b.pk}
    assert ids("party_standing=probationary") == {world.member_b.pk}


@time_machine.travel("2026-11-27 10:00 +0800")
def test_contact_overdue_after_90_days(world):
    from members.services.contacts import contact_log_create

    Member.objects.filter(pk__in=[world.member_a.pk, world.member_b.pk]).update(
        created_at="2026-01-01T00:00:00+08:00"
    )
    contact_log_create(
        staff=world.county_staff, member=world.member_a, contacted_on="2026-11-01", channel="phone"
    )
    contact_log_create(
        staff=world.county_staff, member=world.member_b, contacted_on="2026-08-01", channel="visit"
    )
    overdue = {
        row["id"]
        for row in client_for(world.county_staff)
        .get("/api/members/?contact_overdue=1")
        .json()["results"]
    }
    assert world.member_b.pk in overdue and world.member_a.pk not in overdue


def test_contacts_api_is_scoped_and_validated(world):
    url = f"/api/members/{world.member_a.pk}/contacts/"
    staff = client_for(world.staff_a)
    created = staff.post(
        url,
        {
            "contacted_on": "2026-01-05",
            "channel": "wechat",
            "note": "了解近况",
            "mindset": "stable",
        },
        format="json",
    )
    assert created.status_code == 201
    assert staff.get(url).json()[0]["note"] == "了解近况"
    bad = staff.post(url, {"contacted_on": "2099-01-01", "channel": "pigeon"}, format="json")
    assert bad.status_code == 400 and {"contacted_on", "channel"} <= set(bad.json())
    assert client_for(world.staff_b).get(url).status_code == 404
    assert client_for(world.member_a.user).get(url).status_code == 403
    world.member_a.refresh_from_db()
    assert world.member_a.last_contacted_at.date().isoformat() == "2026-01-05"


def test_regions_and_skills_for_pickers(world, welder):
    client = client_for(world.member_a.user)
    provinces = client.get("/api/regions/").json()
    assert {"code": "610000", "name": "陕西省", "level": "province", "parent": None} in provinces
    cities = {row["code"] for row in client.get("/api/regions/?parent=610000").json()}
    assert "610400" in cities
    assert client.get("/api/skills/").json() == [
        {"id": welder.pk, "name": "电焊", "category": "建筑与制造"}
    ]


def test_patching_the_name_on_me_is_refused_with_its_own_message_and_changes_nothing(world):
    client = client_for(world.member_a.user)
    before = Member.objects.get(pk=world.member_a.pk)
    response = client.patch("/api/me/", {"name": "张小三"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["姓名请通过修改申请更改。"]}
    staff_field = client.patch("/api/me/", {"status": "returned"}, format="json")
    assert staff_field.json() == {"status": ["该项不能自行修改。"]}
    assert client.patch("/api/me/", {}, format="json").json() == {"phone": ["请填写手机号码。"]}
    after = Member.objects.get(pk=world.member_a.pk)
    assert (after.name, after.phone, after.status) == (before.name, before.phone, before.status)
    assert client.patch("/api/me/", {"phone": "13811112222"}, format="json").status_code == 200

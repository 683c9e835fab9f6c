import re

import pytest

from tests.factories import login_staff

pytestmark = pytest.mark.django_db

# What the admin's select boxes post when left at their defaults.
ADMIN_DEFAULTS = {"ethnicity": "汉族", "party_standing": "full", "status": "away"}


def test_committee_staff_see_only_their_subtree_in_the_admin(client, world):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    body = client.get("/admin/members/member/").content.decode()
    assert "张三" in body and "李四" in body and "王五" not in body
    orgs = client.get("/admin/members/organization/").content.decode()
    assert "东关社区党支部" in orgs and "陵前村党支部" not in orgs


def test_an_archive_outside_scope_is_not_found_in_the_admin(client, world):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    response = client.get(f"/admin/members/member/{world.member_b.pk}/change/")
    assert response.status_code in (302, 404)
    assert "王五" not in response.content.decode()


def test_the_admin_shows_id_numbers_masked(client, world):
    login_staff(client, world.county_staff)
    body = client.get(f"/admin/members/member/{world.member_a.pk}/change/").content.decode()
    assert world.member_a.id_number_masked in body and world.member_a.id_number not in body


def test_staff_create_an_archive_in_the_admin_through_the_service(client, world):
    from members.models import Member
    from tests.factories import valid_id_number

    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    id_number = valid_id_number()
    response = client.post(
        "/admin/members/member/add/",
        {
            "name": "赵新",
            "id_number_input": id_number,
            "phone": "13512345678",
            "organization": world.branch_a1.pk,
            **ADMIN_DEFAULTS,
        },
    )
    assert response.status_code == 302, re.findall(
        r"errorlist[^>]*>(.*?)</ul>", response.content.decode(), re.S
    )
    created = Member.objects.get(name="赵新")
    assert created.id_number == id_number and created.id_number_masked.endswith(id_number[-4:])

    outside = client.post(
        "/admin/members/member/add/",
        {
            "name": "赵越",
            "id_number_input": valid_id_number(),
            "phone": "13512345679",
            "organization": world.branch_b1.pk,
            **ADMIN_DEFAULTS,
        },
    )
    assert outside.status_code == 200
    assert not Member.objects.filter(name="赵越").exists()


def test_members_cannot_use_the_admin(client, world):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert client.get("/admin/members/member/").status_code == 302


def test_an_organisation_cannot_be_put_under_a_kind_that_does_not_fit(client, world):
    login_staff(client, world.county_staff)
    response = client.post(
        "/admin/members/organization/add/",
        {"code": "NEW-1", "name": "新党委", "kind": "committee", "parent": world.branch_a1.pk},
    )
    assert response.status_code == 200
    assert "不能设在" in response.content.decode()


def test_moving_an_organisation_in_the_admin_moves_its_subtree(client, world):
    login_staff(client, world.county_staff)
    response = client.post(
        f"/admin/members/organization/{world.branch_b1.pk}/change/",
        {"name": "陵前村党支部", "parent": world.committee_a.pk},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    world.branch_b1.refresh_from_db()
    assert world.branch_b1.path.startswith(world.committee_a.path)

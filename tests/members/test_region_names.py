"""Region names, never GB/T 2260 codes, where staff read a destination (member list and
detail, the admin list, exports), and province → city → district chosen from lists in the
admin's archive form and the staff filter, with the server still checking every code."""

import io
import re

import pytest
from openpyxl import load_workbook

from members.models import Member
from members.services.exports import member_export
from tests.factories import login_staff, valid_id_number

pytestmark = pytest.mark.django_db

SHENZHEN = {
    "destination_province": "440000",
    "destination_city": "440300",
    "destination_district": "440306",
}
ADMIN_DEFAULTS = {"ethnicity": "汉族", "party_standing": "full", "status": "away"}


@pytest.fixture
def in_shenzhen(world):
    Member.objects.filter(pk=world.member_a.pk).update(**SHENZHEN)
    world.member_a.refresh_from_db()
    return world


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.content.decode())


def test_the_staff_member_list_and_detail_name_the_destination(client, in_shenzhen):
    w = in_shenzhen
    login_staff(client, w.county_staff)
    listing = _text(client.get("/staff/members/"))
    assert "广东省深圳市" in listing and "440000" not in listing
    detail = _text(client.get(f"/staff/members/{w.member_a.pk}/"))
    assert "广东省深圳市宝安区" in detail
    assert not re.search(r"\b4403\d\d\b", detail)


def test_the_staff_filter_lists_the_cities_of_the_chosen_province(client, in_shenzhen):
    login_staff(client, in_shenzhen.county_staff)
    body = client.get("/staff/members/?destination_province=440000").content.decode()
    city = re.search(r'<select id="f-city"[^>]*>(.*?)</select>', body, re.S)
    assert 'data-region-parent="destination_province"' in body
    assert "深圳市" in city.group(1) and "西安市" not in city.group(1)
    assert "js/regions.js" in body
    found = client.get("/staff/members/?destination_province=440000&destination_city=440300")
    assert "张三" in found.content.decode()


def test_the_admin_list_names_the_destination(client, in_shenzhen):
    login_staff(client, in_shenzhen.county_staff)
    body = _text(client.get("/admin/members/member/"))
    assert "广东省深圳市" in body and "440000" not in body


def test_the_admin_form_offers_the_regions_under_the_saved_choice(client, in_shenzhen):
    w = in_shenzhen
    login_staff(client, w.county_staff)
    body = client.get(f"/admin/members/member/{w.member_a.pk}/change/").content.decode()
    selects = dict(re.findall(r'<select name="(destination_\w+)"[^>]*>(.*?)</select>', body, re.S))
    assert '<option value="440000" selected>广东省</option>' in selects["destination_province"]
    assert '<option value="440300" selected>深圳市</option>' in selects["destination_city"]
    assert (
        ">广州市<" in selects["destination_city"] and ">西安市<" not in selects["destination_city"]
    )
    assert '<option value="440306" selected>宝安区</option>' in selects["destination_district"]
    assert 'data-region-parent="destination_city"' in body and "js/regions.js" in body


def _post_archive(client, world, **destination):
    return client.post(
        "/admin/members/member/add/",
        {
            "name": "赵新民",
            "id_number_input": valid_id_number(),
            "phone": "13512345670",
            "organization": world.branch_a1.pk,
            **ADMIN_DEFAULTS,
            **destination,
        },
    )


def test_the_server_still_checks_the_codes_the_browser_sends(client, world):
    login_staff(client, world.county_staff)
    mismatch = _post_archive(
        client, world, destination_province="610000", destination_city="440300"
    )
    assert mismatch.status_code == 200 and not Member.objects.filter(name="赵新民").exists()
    assert "请从列表中选择流入城市（须属于上一级）。" in _text(mismatch)
    bogus = _post_archive(client, world, destination_province="999999")
    assert bogus.status_code == 200 and not Member.objects.filter(name="赵新民").exists()
    ok = _post_archive(client, world, **SHENZHEN)
    assert ok.status_code == 302
    created = Member.objects.get(name="赵新民")
    assert (created.destination_city, created.destination_district) == ("440300", "440306")


def test_the_admin_confirms_a_new_archive_by_name_and_masked_id_number(client, world):
    """Not "赵新民（）": the confirmation names the archive as created."""
    login_staff(client, world.county_staff)
    response = _post_archive(client, world)
    assert response.status_code == 302
    page = _text(client.get(response["Location"]))
    created = Member.objects.get(name="赵新民")
    assert f"赵新民（{created.id_number_masked}）" in page
    assert "赵新民（）" not in page


def test_the_archive_export_names_the_destination(in_shenzhen):
    w = in_shenzhen
    content = member_export(
        actor=w.county_staff,
        queryset=Member.objects.filter(pk=w.member_a.pk),
        filters={},
        ip=None,
    )
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    column = rows[0].index("流入地")
    assert rows[1][column] == "广东省深圳市宝安区"


def test_host_staff_read_the_destination_by_name_in_the_admin(client, in_shenzhen):
    from members.models import Organization
    from tests import factories

    w = in_shenzhen
    host = factories.organization("深圳市流动党员服务中心党委", Organization.Kind.HOST, None)
    host_staff = factories.staff("host_staff", "committee", host)
    Member.objects.filter(pk=w.member_a.pk).update(host_organization=host)
    login_staff(client, host_staff)
    response = client.get(f"/admin/members/member/{w.member_a.pk}/change/")
    assert response.status_code == 200
    page = _text(response)
    assert "广东省" in page and "深圳市" in page and "宝安区" in page
    assert not re.search(r"\b44\d{4}\b", page)

"""Regression tests for the 500s and schema violations the hostile-input suite found."""

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [[None, None], [], "text", 42, None, [{"name": "x"}]])
def test_a_json_body_that_is_not_an_object_is_a_400(world, body):
    """Was a 500: the serializer raised a bare message, and `serializer.errors` broke."""
    staff = client_for(world.county_staff)
    for method, url in [("post", "/api/members/"), ("patch", f"/api/members/{world.member_a.pk}/")]:
        if body is None and method == "patch":
            continue  # JSON null as a partial update changes nothing: 200
        response = getattr(staff, method)(url, body, format="json")
        assert response.status_code == 400, (method, body)
        assert response.json()  # a Chinese message, field-wise or in `detail`


@pytest.mark.parametrize(
    "url",
    [
        "/api/notices/?page_size=²",
        "/api/articles/?page_size=²",
        "/api/forum/threads/?board=forum&page_size=²",
        "/api/forum/stats/?days=³",
        "/api/activities/cadence/?organization=²",
        "/api/members/?page_size=١٢",
        "/api/organizations/?parent=²",
        "/api/notices/?cursor=o²",
    ],
)
def test_unicode_digits_in_numeric_parameters_are_not_a_500(world, url):
    """Was a 500: str.isdigit() accepts "²", int() does not."""
    response = client_for(world.county_staff).get(url)
    assert response.status_code in (200, 400), response.status_code


def test_a_cadence_year_out_of_range_is_a_400(world):
    """Was a 500: date(99999, 1, 1)."""
    response = client_for(world.county_staff).get("/api/activities/cadence/?year=99999")
    assert response.status_code == 400
    assert "year" in response.json()


def test_format_in_the_query_does_not_pick_another_renderer(world):
    """A 404 answer used to claim `image/*` with `?format=image`."""
    response = client_for(world.member_a.user).get("/api/forum/images/0/?format=image")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_non_numeric_organization_filter_is_a_400_not_ignored(world):
    response = client_for(world.county_staff).get("/api/members/?organization=abc")
    assert response.status_code == 400
    assert "organization" in response.json()
    page = login_staff(Client(), world.county_staff).get("/staff/members/?organization=²")
    assert page.status_code == 200


def test_the_audit_list_is_for_the_county_only(client, world):
    """Committee staff used to get an (empty) audit list page instead of 403."""
    login_staff(client, world.staff_a)
    assert client.get("/admin/members/auditevent/").status_code == 403


@pytest.mark.parametrize("post", [-4129149769197334560768, 2**70, -1, 0])
def test_a_read_marker_beyond_bigint_is_a_400_or_ignored(world, post):
    """Was a 500: the id went into raw SQL (value out of range for bigint)."""
    from tests.forum import factories as ff

    thread = ff.thread(world.member_a.user)
    response = client_for(world.member_a.user).post(
        f"/api/forum/threads/{thread.pk}/read/", {"post": post}, format="json"
    )
    assert response.status_code == 400
    assert "post" in response.json()


def test_organisation_ids_beyond_bigint_are_a_400(world):
    staff = client_for(world.county_staff)
    response = staff.post(
        "/api/members/",
        {"name": "马六", "id_number": "x", "phone": "13800138000", "organization": 2**64},
        format="json",
    )
    assert response.status_code == 400 and "organization" in response.json()

"""A full ID number or phone never travels in a URL: the API's and the staff page's POST
search, the deprecated `?q=` with a full value, the admin's names-only search, and access logs
without query strings."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SEARCH = "/api/members/search/"


def ids(answer) -> set[int]:
    return {row["id"] for row in answer.json()}


def test_the_api_search_takes_a_full_id_number_or_phone_in_the_body_inside_the_scope(world):
    member = world.member_a
    staff_a, staff_b = client_for(world.staff_a), client_for(world.staff_b)
    for term in (member.id_number, member.phone):
        answer = staff_a.post(SEARCH, {"q": term}, format="json")
        assert answer.status_code == 200
        assert ids(answer) == {member.pk}
        assert "no-store" in answer["Cache-Control"]
        assert ids(staff_b.post(SEARCH, {"q": term}, format="json")) == set()
    assert ids(client_for(world.county_staff).post(SEARCH, {"q": member.id_number})) == {member.pk}


def test_the_api_search_refuses_members_anonymous_callers_and_empty_terms(world):
    body = {"q": world.member_a.id_number}
    assert client_for(world.member_a.user).post(SEARCH, body, format="json").status_code == 403
    assert client_for(None).post(SEARCH, body, format="json").status_code == 401
    empty = client_for(world.staff_a).post(SEARCH, {"q": ""}, format="json")
    assert empty.status_code == 400
    assert client_for(world.staff_a).get(SEARCH).status_code == 405


def test_the_next_release_refuses_a_full_value_in_the_query_string(world, settings):
    settings.MEMBER_QUERY_FULL_NUMBER = "refused"
    staff = client_for(world.staff_a)
    for full in (world.member_a.id_number, "13912345678"):
        refused = staff.get("/api/members/", {"q": full})
        assert refused.status_code == 400
        assert "POST /api/members/search/" in refused.json()["q"][0]
    plain = staff.get("/api/members/", {"q": world.member_a.id_number[-4:]})
    assert plain.status_code == 200 and "Deprecation" not in plain
    found = staff.post(SEARCH, {"q": world.member_a.id_number}, format="json")
    assert ids(found) == {world.member_a.pk}


def test_a_full_value_in_the_query_string_still_answers_with_a_deprecation_header(world):
    staff = client_for(world.staff_a)
    deprecated = staff.get("/api/members/", {"q": world.member_a.id_number})
    assert deprecated.status_code == 200
    assert deprecated["Deprecation"] == "true"
    assert [row["id"] for row in deprecated.json()["results"]] == [world.member_a.pk]
    for term in (world.member_a.name, world.member_a.id_number[-4:]):
        plain = staff.get("/api/members/", {"q": term})
        assert plain.status_code == 200 and "Deprecation" not in plain


def test_the_schema_documents_the_post_search_and_deprecates_full_values_in_q(world):
    import yaml

    schema = yaml.safe_load(client_for(world.staff_a).get("/api/schema/").content)
    assert "post" in schema["paths"]["/api/members/search/"]
    q = next(p for p in schema["paths"]["/api/members/"]["get"]["parameters"] if p["name"] == "q")
    assert q["deprecated"] is True
    assert "POST /api/members/search/" in q["description"]


def test_the_staff_page_searches_full_values_by_post_and_refuses_them_in_the_url(world):
    client = factories.login_staff(Client(), world.staff_a)
    url = reverse("members:staff-members")
    page = client.get(url).content.decode()
    assert 'id="search-full"' in page and 'method="post"' in page
    refused = client.get(url, {"q": world.member_a.id_number}).content.decode()
    assert "按号码查找" in refused and "请在下方" in refused
    assert reverse("members:staff-member", args=[world.member_a.pk]) not in refused
    found = client.post(url, {"full_q": world.member_a.id_number}).content.decode()
    assert reverse("members:staff-member", args=[world.member_a.pk]) in found
    assert world.member_a.id_number not in found  # not even echoed back
    elsewhere = client.post(url, {"full_q": world.member_b.phone}).content.decode()
    assert reverse("members:staff-member", args=[world.member_b.pk]) not in elsewhere


def test_the_admin_search_takes_names_only_and_links_to_the_form(world):
    client = factories.login_staff(Client(), world.county_staff)
    url = reverse("admin:members_member_changelist")
    change = reverse("admin:members_member_change", args=[world.member_a.pk])
    by_name = client.get(url, {"q": world.member_a.name}).content.decode()
    assert change in by_name
    assert "档案页的号码查找" in by_name and reverse("members:staff-members") in by_name
    for term in (world.member_a.id_number, world.member_a.phone):
        assert change not in client.get(url, {"q": term}).content.decode()


def test_gunicorns_access_log_format_has_no_query_string():
    text = (ROOT / "gunicorn.conf.py").read_text()
    line = next(line for line in text.splitlines() if line.startswith("access_log_format"))
    assert "%(r)s" not in line and "%(q)s" not in line and "%(f)s" not in line
    assert "%(U)s" in line


def test_nginx_logs_paths_only():
    site = (ROOT / "deploy/nginx/sanyuan.conf").read_text()
    formats = re.findall(r"log_format\s+(\w+)([^;]+);", site)
    assert [name for name, _ in formats] == ["sanyuan_path_only"]
    body = formats[0][1]
    for variable in (
        "$request ",
        '$request"',
        "$request_uri",
        "$args",
        "$query_string",
        "$http_referer",
        "$is_args",
    ):
        assert variable not in body, variable
    logs = re.findall(r"^\s*access_log\s+([^;]+);", site, flags=re.MULTILINE)
    assert logs and all(entry == "off" or entry.endswith("sanyuan_path_only") for entry in logs)
    servers = site.count("server {")
    assert sum(entry.endswith("sanyuan_path_only") for entry in logs) == servers


def test_a_full_value_costs_the_token_and_one_query_and_finds_hosted_and_shared_numbers(
    world, django_assert_num_queries
):
    """The hash lookup is compiled once (sanyuan/prepared.py) and carries the skills; the
    scope is applied to its rows (Scope.reads): a family's shared phone finds only the
    archives in scope, a hosted member is found by the host's staff."""
    from members.models import Member, Skill
    from tests.tiers import add_host_staff

    member, other_side = world.member_a, world.member_b
    member.skills.set([Skill.objects.create(name="电工")])
    Member.objects.filter(pk=other_side.pk).update(
        phone=member.phone, phone_hash=Member.objects.get(pk=member.pk).phone_hash
    )
    staff = client_for(world.staff_a)
    staff.post(SEARCH, {"q": member.id_number}, format="json")  # compiled on first use
    with django_assert_num_queries(2):
        answer = staff.post(SEARCH, {"q": member.id_number}, format="json")
    assert answer.json()[0]["skill_names"] == ["电工"]
    assert ids(staff.post(SEARCH, {"q": member.phone}, format="json")) == {member.pk}
    county = client_for(world.county_staff)
    assert ids(county.post(SEARCH, {"q": member.phone}, format="json")) == {
        member.pk,
        other_side.pk,
    }
    add_host_staff(world)
    host = client_for(world.host_staff)
    assert ids(host.post(SEARCH, {"q": member.id_number}, format="json")) == {member.pk}
    assert ids(host.post(SEARCH, {"q": other_side.id_number}, format="json")) == set()

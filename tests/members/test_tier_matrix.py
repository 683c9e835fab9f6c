"""Every registry endpoint against every tier: county, committee A, committee B, member,
anonymous. Out of scope is 404; a tier that may not use an endpoint at all is 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TIERS = ["county", "committee_a", "committee_b", "member", "anonymous"]


def actor(world, tier):
    return {
        "county": world.county_staff,
        "committee_a": world.staff_a,
        "committee_b": world.staff_b,
        "member": world.member_a.user,
        "anonymous": None,
    }[tier]


def ids(response):
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("county", 200),
        ("committee_a", 200),
        ("committee_b", 200),
        ("member", 403),
        ("anonymous", 401),
    ],
)
def test_organization_list_shows_only_the_subtree_in_scope(world, tier, expected):
    response = client_for(actor(world, tier)).get("/api/organizations/?page_size=100")
    assert response.status_code == expected
    if expected != 200:
        return
    names = {row["name"] for row in response.json()["results"]}
    if tier == "county":
        assert names == {
            "三原县",
            "城关街道党工委",
            "东关社区党支部",
            "西关社区党支部",
            "陵前镇党委",
            "陵前村党支部",
        }
    elif tier == "committee_a":
        assert names == {"城关街道党工委", "东关社区党支部", "西关社区党支部"}
    else:
        assert names == {"陵前镇党委", "陵前村党支部"}


def test_organizations_carry_id_code_name_kind_and_parent(world):
    rows = client_for(world.staff_a).get("/api/organizations/").json()["results"]
    branch = next(row for row in rows if row["name"] == "东关社区党支部")
    assert branch == {
        "id": world.branch_a1.pk,
        "code": "C-A-1",
        "name": "东关社区党支部",
        "kind": "branch",
        "parent": world.committee_a.pk,
    }


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("county", 200),
        ("committee_a", 200),
        ("committee_b", 200),
        ("member", 403),
        ("anonymous", 401),
    ],
)
def test_member_list_is_scoped(world, tier, expected):
    response = client_for(actor(world, tier)).get("/api/members/")
    assert response.status_code == expected
    if expected != 200:
        return
    expected_ids = {
        "county": {world.member_a.pk, world.member_a2.pk, world.member_b.pk},
        "committee_a": {world.member_a.pk, world.member_a2.pk},
        "committee_b": {world.member_b.pk},
    }[tier]
    assert ids(response) == expected_ids


@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("target", ["member_a", "member_b"])
def test_member_detail_is_404_outside_scope(world, tier, target):
    member = getattr(world, target)
    response = client_for(actor(world, tier)).get(f"/api/members/{member.pk}/")
    visible = {
        "county": {"member_a", "member_b"},
        "committee_a": {"member_a"},
        "committee_b": {"member_b"},
    }
    if tier == "anonymous":
        assert response.status_code == 401
    elif tier == "member":
        assert response.status_code == 403
    elif target in visible[tier]:
        assert response.status_code == 200
        assert response.json()["id_number"] == member.id_number_masked
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("tier", TIERS)
def test_member_update_is_limited_to_scope(world, tier):
    response = client_for(actor(world, tier)).patch(
        f"/api/members/{world.member_b.pk}/", {"phone": "13700000000"}, format="json"
    )
    world.member_b.refresh_from_db()
    expected = {
        "county": 200,
        "committee_a": 404,
        "committee_b": 200,
        "member": 403,
        "anonymous": 401,
    }
    assert response.status_code == expected[tier]
    assert (world.member_b.phone == "13700000000") == (expected[tier] == 200)


@pytest.mark.parametrize("tier", TIERS)
def test_creating_an_archive_needs_an_organisation_in_scope(world, tier):
    response = client_for(actor(world, tier)).post(
        "/api/members/",
        {
            "name": "新党员",
            "id_number": factories.valid_id_number(),
            "phone": "13611112222",
            "organization": world.branch_b1.pk,
        },
        format="json",
    )
    expected = {
        "county": 201,
        "committee_a": 400,
        "committee_b": 201,
        "member": 403,
        "anonymous": 401,
    }
    assert response.status_code == expected[tier]
    if expected[tier] == 400:
        assert "organization" in response.json()


def test_a_committee_cannot_move_its_member_out_of_its_scope(world):
    response = client_for(world.staff_a).patch(
        f"/api/members/{world.member_a.pk}/", {"organization": world.branch_b1.pk}, format="json"
    )
    assert response.status_code == 400
    world.member_a.refresh_from_db()
    assert world.member_a.organization == world.branch_a1


def test_a_duplicate_id_number_is_refused(world):
    response = client_for(world.county_staff).post(
        "/api/members/",
        {
            "name": "张三",
            "id_number": world.member_a.id_number,
            "phone": "13611112222",
            "organization": world.branch_a1.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "已有档案" in response.json()["id_number"][0]


@pytest.mark.parametrize(
    ("tier", "expected"), [("member", 200), ("county", 403), ("anonymous", 401)]
)
def test_me_is_for_members_only(world, tier, expected):
    assert client_for(actor(world, tier)).get("/api/me/").status_code == expected


def test_a_member_may_change_only_the_phone_on_me(world):
    client = client_for(world.member_a.user)
    response = client.patch("/api/me/", {"phone": "13811112222", "name": "改名"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["姓名请通过修改申请更改。"]}
    world.member_a.refresh_from_db()
    assert world.member_a.phone != "13811112222" and world.member_a.name == "张三"
    assert client.patch("/api/me/", {"phone": "13811112222"}, format="json").status_code == 200


def test_member_filters_organization_subtree_and_search(world):
    client = client_for(world.county_staff)
    by_org = client.get(f"/api/members/?organization={world.committee_a.pk}")
    assert ids(by_org) == {world.member_a.pk, world.member_a2.pk}
    by_full_id = client.get(f"/api/members/?q={world.member_b.id_number}")
    assert ids(by_full_id) == {world.member_b.pk}
    by_suffix = client.get(f"/api/members/?q={world.member_b.id_number[-4:]}")
    assert world.member_b.pk in ids(by_suffix)
    by_name = client.get("/api/members/?q=王")
    assert ids(by_name) == {world.member_b.pk}
    by_phone = client.get(f"/api/members/?q={world.member_a2.phone[-6:]}")
    assert ids(by_phone) == {world.member_a2.pk}
    # A committee cannot filter its way into another committee's organisation.
    assert (
        ids(client_for(world.staff_a).get(f"/api/members/?organization={world.committee_b.pk}"))
        == set()
    )


def test_no_response_contains_a_full_id_number(world):
    client = client_for(world.county_staff)
    for url in ["/api/members/", f"/api/members/{world.member_a.pk}/"]:
        body = client.get(url).content.decode()
        for member in (world.member_a, world.member_a2, world.member_b):
            assert member.id_number not in body
    assert (
        world.member_a.id_number
        not in client_for(world.member_a.user).get("/api/me/").content.decode()
    )


def test_member_list_query_count_does_not_grow_with_page_size(world):
    for _ in range(60):
        factories.MemberFactory(organization=world.branch_a2)
    client = client_for(world.staff_a)
    client.get("/api/members/?page_size=1")  # warm the per-user caches (grants)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/members/?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[50], counts
    assert counts[50] <= 8

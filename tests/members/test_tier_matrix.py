"""Every registry endpoint against every tier: county, committee A (directly and through a
group grant), committee B, host staff (hosting member A), member, anonymous. Out of scope is
404; a tier that may not use an endpoint at all is 403."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.conftest import client_for
from tests.tiers import extend_world

pytestmark = pytest.mark.django_db

TIERS = [
    "county",
    "committee_a",
    "committee_group",
    "committee_b",
    "host",
    "member",
    "anonymous",
]


@pytest.fixture
def world(world):
    """The common world plus host staff hosting member A and committee A's staff through a
    group grant (tests.tiers)."""
    return extend_world(world)


def actor(world, tier):
    return {
        "county": world.county_staff,
        "committee_a": world.staff_a,
        "committee_group": world.group_staff,
        "committee_b": world.staff_b,
        "host": world.host_staff,
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
        ("committee_group", 200),
        ("committee_b", 200),
        ("host", 200),
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
    elif tier in ("committee_a", "committee_group"):
        assert names == {"城关街道党工委", "东关社区党支部", "西关社区党支部"}
    elif tier == "host":
        assert names == {"深圳市宝安区流动党员服务中心党委"}
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
        ("committee_group", 200),
        ("committee_b", 200),
        ("host", 200),
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
        "committee_group": {world.member_a.pk, world.member_a2.pk},
        "committee_b": {world.member_b.pk},
        "host": {world.member_a.pk},
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
        "committee_group": {"member_a"},
        "committee_b": {"member_b"},
        "host": {"member_a"},  # hosted, without the sensitive fields
    }
    if tier == "anonymous":
        assert response.status_code == 401
    elif tier == "member":
        assert response.status_code == 403
    elif target in visible[tier]:
        assert response.status_code == 200
        assert response.json()["id_number"] == member.id_number_masked
        sensitive = {"monthly_income", "income_band", "family_situation", "mindset_note"}
        assert (sensitive <= set(response.json())) is (tier != "host")
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
        "committee_group": 404,
        "committee_b": 200,
        "host": 404,
        "member": 403,
        "anonymous": 401,
    }
    assert response.status_code == expected[tier]
    assert (world.member_b.phone == "13700000000") == (expected[tier] == 200)


@pytest.mark.parametrize(
    ("tier", "expected"),
    [("committee_a", 200), ("committee_group", 200), ("host", 404), ("committee_b", 404)],
)
def test_only_home_staff_edit_the_hosted_member(world, tier, expected):
    response = client_for(actor(world, tier)).patch(
        f"/api/members/{world.member_a.pk}/", {"employer": "新单位"}, format="json"
    )
    assert response.status_code == expected
    world.member_a.refresh_from_db()
    assert (world.member_a.employer == "新单位") == (expected == 200)


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
        "committee_group": 400,
        "committee_b": 201,
        "host": 400,
        "member": 403,
        "anonymous": 401,
    }
    assert response.status_code == expected[tier]
    if expected[tier] == 400:
        assert "organization" in response.json()


@pytest.mark.parametrize("tier", ["county", "host"])
def test_host_staff_never_create_an_archive_in_their_host_organisation(world, tier):
    """Members belong to their home organisation; host staff only keep in touch."""
    response = client_for(actor(world, tier)).post(
        "/api/members/",
        {
            "name": "新党员",
            "id_number": factories.valid_id_number(),
            "phone": "13611113333",
            "organization": world.host.pk,
        },
        format="json",
    )
    assert response.status_code == 400
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
    ("tier", "expected"),
    [
        ("member", 200),
        ("county", 403),
        ("committee_group", 403),
        ("host", 403),
        ("anonymous", 401),
    ],
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
    # Phones are encrypted: the whole number finds the member (through its keyed hash), a
    # fragment of it nobody.
    by_phone = client.post("/api/members/search/", {"q": world.member_a2.phone}, format="json")
    assert {row["id"] for row in by_phone.json()} == {world.member_a2.pk}
    by_fragment = client.get(f"/api/members/?q={world.member_a2.phone[-6:]}")
    assert ids(by_fragment) == set()
    # A committee cannot filter its way into another committee's organisation.
    assert (
        ids(client_for(world.staff_a).get(f"/api/members/?organization={world.committee_b.pk}"))
        == set()
    )
    # Nor can host staff filter their way to the home organisation of the member they host.
    host = client_for(world.host_staff)
    assert ids(host.get(f"/api/members/?organization={world.committee_a.pk}")) == set()
    assert ids(host.get("/api/members/?q=张")) == {world.member_a.pk}
    assert ids(host.get("/api/members/?q=李")) == set()


def test_no_response_contains_a_full_id_number(world):
    for staff in (world.county_staff, world.group_staff, world.host_staff):
        client = client_for(staff)
        for url in ["/api/members/", f"/api/members/{world.member_a.pk}/"]:
            response = client.get(url)
            assert response.status_code == 200
            for member in (world.member_a, world.member_a2, world.member_b):
                assert member.id_number not in response.content.decode()
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

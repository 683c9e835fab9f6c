"""Every route of the URL conf (API and pages, with side a's and side b's objects; see
routes.py), the member list's filters, the dashboard drill-downs and figure exports and the
Excel exports, as every principal:

- no principal meets a 500;
- host staff meet no sensitive value (sentinels in both members' income, family situation,
  mindset note and a home staff's contact note with a mindset assessment) and no sensitive
  JSON key anywhere, and no drill-down by income names a member for them;
- committee staff through a group grant get the same status and the same ids as committee
  staff with a direct grant, everywhere.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from members.stats_dimensions import DIMENSION_TITLES, DIMENSIONS
from tests import factories
from tests.conftest import client_for
from tests.hardening.routes import (
    ROUTE_OBJECTS,
    has_parameters,
    json_keys,
    readable,
    routes,
    urls_for,
)
from tests.tiers import (
    ANON,
    COMMITTEE,
    COUNTY,
    DESTINATION_CITY,
    DESTINATION_PROVINCE,
    GROUP,
    HOST,
    MEMBER,
    NOBODY,
    SENSITIVE_KEYS,
    SENTINEL_FAMILY,
    SENTINEL_INCOME,
    SENTINEL_INCOME_BAND,
    SENTINEL_INCOME_BAND_LABEL,
    SENTINELS,
)

pytestmark = pytest.mark.django_db

PRINCIPALS = [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NOBODY]
# Sensitive values host staff must never meet: the sentinels, and side a's income band
# (the only member with an income in the world).
HOST_NEVER = (*SENTINELS, SENTINEL_INCOME_BAND, SENTINEL_INCOME_BAND_LABEL)
NOT_WALKED = {"/accounts/logout/"}  # would end the session the walk runs in


def _user(w, tier):
    return {
        COUNTY: w.county_staff,
        COMMITTEE: w.staff_a,
        GROUP: w.group_staff,
        HOST: w.host_staff,
        MEMBER: w.member_a.user,
        ANON: None,
        NOBODY: w.nobody,
    }[tier]


def _page_client(user) -> Client:
    client = Client(raise_request_exception=False)
    if user is None:
        return client
    if user.is_staff:
        return factories.login_staff(client, user)
    backend = "members.backends.MemberBackend" if hasattr(user, "member") else None
    client.force_login(user, backend=backend or factories.STAFF_BACKEND)
    return client


def _api_client(user):
    client = client_for(user)
    client.raise_request_exception = False
    return client


def member_queries(w) -> list[str]:
    """The member list's filters (DESIGN.md: organization, destination_province, skill,
    status, q, …) and a drill-down for every key of every dashboard dimension."""
    filters = [
        f"organization={w.committee_a.pk}",
        f"organization={w.branch_a1.pk}",
        f"organization={w.committee_b.pk}",
        f"organization={w.host.pk}",
        f"destination_province={DESTINATION_PROVINCE}",
        f"destination_city={DESTINATION_CITY}",
        f"skill={w.skill.name}",
        "status=away",
        "q=张",
        "q=王",
        "contact_overdue=1",
        "support_group=1",
    ]
    return filters + [f"dimension={dim}&key={key}" for dim, key in drill_downs(w)]


def drill_downs(w) -> list[tuple[str, str]]:
    """Every (dimension, key) the county's dashboard shows, and every income key."""
    from members.selectors.stats import overview_as_json, stats_overview

    data = overview_as_json(stats_overview(user=_user(w, COUNTY)))
    pairs = {("total", "all"), ("skill", w.skill.name), ("income", "unknown")}
    pairs |= {("income", key) for key in ("below_3000", "3000_5000", SENTINEL_INCOME_BAND)}
    for dim, figure in data["figures"].items():
        pairs |= {(dim, item["key"]) for item in figure["items"]}
    pairs |= {(dim, key) for dim in data["engagement"] for key in ("yes", "no")}
    assert {dim for dim, _ in pairs} >= set(DIMENSIONS), "a dimension without a drill-down"
    return sorted(pairs)


def walk(w, tier) -> list[tuple[str, int, str]]:
    """(url, status, text) of every GET of the matrix as `tier`: every API route and page of
    both sides, the member list and its export with every filter and drill-down, every
    figure export."""
    user = _user(w, tier)
    api, pages = _api_client(user), _page_client(user)
    calls = []
    for side in (w.a, w.b):
        calls += [(api, url) for url in urls_for(w, "api/", side)]
        calls += [
            (pages, url)
            for url in urls_for(w, "", side)
            if not url.startswith("/api/") and url not in NOT_WALKED
        ]
    for query in member_queries(w):
        calls += [
            (api, f"/api/members/?{query}"),
            (pages, f"/staff/members/?{query}"),
            (pages, f"/staff/members/export/?{query}"),
        ]
    calls += [(pages, f"/staff/dashboard/export/?figure={dim}") for dim in DIMENSION_TITLES]
    calls += [(pages, "/staff/support-group/?which=pacesetter")]
    answers = []
    for number, (client, url) in enumerate(calls):
        if number % 100 == 0:
            cache.clear()  # throttles would otherwise answer the walk with 429
        response = client.get(url)
        answers.append((url, response.status_code, readable(response)))
    return answers


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_no_route_answers_any_principal_with_a_server_error(scoped_world, tier):
    errors = [f"{url}: {status}" for url, status, _ in walk(scoped_world, tier) if status >= 500]
    assert not errors, "\n".join(errors)


def test_host_staff_meet_no_sensitive_value_on_any_route(scoped_world):
    answers = walk(scoped_world, HOST)
    leaks = []
    for url, status, text in answers:
        # (a value the URL itself carries, such as a drill-down's key, may be echoed back)
        found = [value for value in HOST_NEVER if value in text and value not in url]
        keys = json_keys(text) & set(SENSITIVE_KEYS)
        if found or keys:
            leaks.append(f"{url} ({status}): {found} {sorted(keys)}")
    assert not leaks, "\n".join(leaks)
    # The walk reached the hosted member: their archive, history, contacts and the exports.
    reached = {url for url, status, _ in answers if status == 200}
    member = scoped_world.member_a.pk
    assert {
        f"/api/members/{member}/",
        f"/api/members/{member}/history/",
        f"/api/members/{member}/contacts/",
        f"/staff/members/{member}/",
        "/staff/members/export/?status=away",
        "/api/stats/overview/",
    } <= reached


def test_home_staff_meet_the_sentinels_so_that_the_search_can_fail(scoped_world):
    w = scoped_world
    answers = {url: text for url, _, text in walk(w, COMMITTEE)}
    member = w.member_a.pk
    assert str(SENTINEL_INCOME) in answers[f"/api/members/{member}/"]
    assert SENTINEL_FAMILY in answers[f"/api/members/{member}/history/"]
    assert SENTINEL_FAMILY in answers[f"/staff/members/{member}/"]
    assert SENTINEL_INCOME_BAND_LABEL in answers["/staff/members/export/?status=away"]
    assert "mindset" in json_keys(answers[f"/api/members/{member}/contacts/"])
    assert SENTINEL_INCOME_BAND_LABEL in answers["/staff/dashboard/export/?figure=income"]


def _ids(text: str) -> set[int] | None:
    import json

    try:
        payload = json.loads(text)
    except ValueError:
        return None
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        return None
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


def test_the_group_grant_answers_every_route_as_the_direct_grant(scoped_world):
    w = scoped_world
    # Authorship, not scope: committee A's staff wrote side a's forum reply (and may edit it).
    own = {f"/forum/posts/{w.a.post.pk}/edit/"}
    direct = {url: (status, _ids(text)) for url, status, text in walk(w, COMMITTEE)}
    group = {url: (status, _ids(text)) for url, status, text in walk(w, GROUP)}
    assert direct.keys() == group.keys()
    differences = [
        f"{url}: direct {direct[url]}, group {group[url]}"
        for url in direct
        if url not in own and direct[url] != group[url]
    ]
    assert not differences, "\n".join(differences)


def test_every_route_with_parameters_is_in_the_matrix():
    missing = [name for route, name in routes("") if has_parameters(route)]
    missing = [name for name in missing if name not in ROUTE_OBJECTS]
    assert not missing, f"add these routes to tests/hardening/routes.py: {missing}"


def _list_ids(w, tier, query: str) -> set[int]:
    response = _api_client(_user(w, tier)).get(f"/api/members/?{query}&page_size=100")
    assert response.status_code == 200, (tier, query, response.status_code)
    return {row["id"] for row in response.json()["results"]}


def test_list_filters_and_drill_downs_stay_inside_each_scope(scoped_world):
    w = scoped_world
    side_a = {w.member_a.pk, w.member_a2.pk}
    allowed = {COUNTY: side_a | {w.member_b.pk}, COMMITTEE: side_a, HOST: {w.member_a.pk}}
    problems = []
    for query in member_queries(w):
        cache.clear()
        seen = {tier: _list_ids(w, tier, query) for tier in (COUNTY, COMMITTEE, GROUP, HOST)}
        for tier, ids in allowed.items():
            if not seen[tier] <= ids:
                problems.append(f"{query}: {tier} sees {seen[tier] - ids}")
        if seen[GROUP] != seen[COMMITTEE]:
            problems.append(f"{query}: group {seen[GROUP]}, direct {seen[COMMITTEE]}")
        if query.startswith("dimension=income") and seen[HOST]:
            problems.append(f"{query}: host staff drill into income and find {seen[HOST]}")
    assert not problems, "\n".join(problems)


def test_the_filters_find_the_hosted_member_for_host_staff_and_income_for_home_staff(
    scoped_world,
):
    """The scope test above can fail: the same filters do find members."""
    w = scoped_world
    for query in ("", "status=away", f"skill={w.skill.name}", "q=张"):
        assert _list_ids(w, HOST, query) == {w.member_a.pk}, query
    income = f"dimension=income&key={SENTINEL_INCOME_BAND}"
    assert w.member_a.pk in _list_ids(w, COMMITTEE, income)
    assert w.member_b.pk in _list_ids(w, COUNTY, income)


def test_host_staff_see_no_income_figure_and_the_group_grant_the_direct_grants_figures(
    scoped_world,
):
    w = scoped_world
    overview = {
        tier: _api_client(_user(w, tier)).get("/api/stats/overview/").json()
        for tier in (COMMITTEE, GROUP, HOST)
    }
    assert "income" not in overview[HOST]["figures"]
    assert overview[HOST]["total"] == 1
    assert "income" in overview[COMMITTEE]["figures"]
    for payload in overview.values():
        payload.pop("fresh_as_of")
    assert overview[GROUP] == overview[COMMITTEE]
    host_pages = _page_client(_user(w, HOST))
    assert host_pages.get("/staff/dashboard/export/?figure=income").status_code == 404
    assert host_pages.get("/staff/dashboard/export/?figure=status").status_code == 200


@pytest.mark.parametrize(("tier", "assesses"), [(COMMITTEE, True), (GROUP, True), (HOST, False)])
def test_the_contact_form_asks_for_a_mindset_only_of_home_staff(scoped_world, tier, assesses):
    w = scoped_world
    client = _page_client(_user(w, tier))
    page = client.get(f"/staff/members/{w.member_a.pk}/").content.decode()
    assert ('name="mindset"' in page) is assesses
    before = set(w.member_a.contacts.values_list("pk", flat=True))
    response = client.post(
        f"/staff/members/{w.member_a.pk}/",
        {
            "action": "contact",
            "contacted_on": "2026-01-05",
            "channel": "visit",
            "mindset": "stable",
        },
    )
    assert response.status_code == 302
    added = w.member_a.contacts.exclude(pk__in=before).get()
    assert added.mindset == ("stable" if assesses else "")

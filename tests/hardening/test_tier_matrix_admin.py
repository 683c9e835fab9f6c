"""The Django admin as every principal: the changelist, change view and history view of every
registered model, for the rows of both sides. No 500; host staff read the member they host
read-only and meet no sensitive value, neither in a page, a list filter, a search nor an
export; committee staff through a group grant get exactly the direct grant's answers."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.urls import reverse

from tests.hardening.routes import XLSX, readable
from tests.hardening.test_tier_matrix_routes import _page_client, _user
from tests.tiers import (
    ANON,
    COMMITTEE,
    COUNTY,
    GROUP,
    HOST,
    MEMBER,
    NOBODY,
    SENTINEL_INCOME,
    SENTINEL_INCOME_BAND,
    SENTINEL_INCOME_BAND_LABEL,
    SENTINELS,
)

pytestmark = pytest.mark.django_db

PRINCIPALS = [COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NOBODY]
ROWS_PER_MODEL = 12  # the world holds a handful of rows of each model; all of them, mostly


def admin_urls() -> list[str]:
    """Changelist, change view and history view of every registered model and row."""
    urls = []
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{prefix}_changelist"))
        rows = model._default_manager.order_by("pk").values_list("pk", flat=True)
        for pk in rows[:ROWS_PER_MODEL]:
            for view in ("change", "history"):
                urls.append(reverse(f"{prefix}_{view}", args=[quote(pk)]))
    return urls


def walk_admin(w, tier) -> list[tuple[str, int, str]]:
    client = _page_client(_user(w, tier))
    answers = []
    for number, url in enumerate(["/admin/", *admin_urls()]):
        if number % 100 == 0:
            cache.clear()
        response = client.get(url)
        answers.append((url, response.status_code, readable(response)))
    return answers


@pytest.mark.parametrize("tier", PRINCIPALS)
def test_no_admin_page_answers_any_principal_with_a_server_error(scoped_world, tier):
    answers = walk_admin(scoped_world, tier)
    errors = [f"{url}: {status}" for url, status, _ in answers if status >= 500]
    assert not errors, "\n".join(errors)
    if tier in (MEMBER, ANON, NOBODY):  # not staff: sent to the staff login
        assert {status for _, status, _ in answers} <= {302}


def test_host_staff_meet_no_sensitive_value_in_the_admin(scoped_world):
    leaks = [
        f"{url} ({status}): {[value for value in SENTINELS if value in text]}"
        for url, status, text in walk_admin(scoped_world, HOST)
        if any(value in text for value in SENTINELS)
    ]
    assert not leaks, "\n".join(leaks)


def test_home_staff_meet_the_sentinels_in_the_admin_so_that_the_search_can_fail(scoped_world):
    w = scoped_world
    answers = {url: text for url, _, text in walk_admin(w, COMMITTEE)}
    change = reverse("admin:members_member_change", args=[w.member_a.pk])
    assert all(value in answers[change] for value in SENTINELS[:3])


def test_the_group_grant_answers_every_admin_page_as_the_direct_grant(scoped_world):
    direct = {url: status for url, status, _ in walk_admin(scoped_world, COMMITTEE)}
    group = {url: status for url, status, _ in walk_admin(scoped_world, GROUP)}
    differences = [
        f"{url}: direct {direct[url]}, group {group[url]}"
        for url in direct
        if direct[url] != group[url]
    ]
    assert not differences, "\n".join(differences)


def test_host_staff_read_the_hosted_member_read_only_in_the_admin(scoped_world):
    w = scoped_world
    client = _page_client(_user(w, HOST))
    response = client.get(reverse("admin:members_member_change", args=[w.member_a.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert w.member_a.name in page
    assert 'name="phone"' not in page and 'name="_save"' not in page
    other = client.get(reverse("admin:members_member_change", args=[w.member_b.pk]))
    assert other.status_code == 302  # the admin's answer for a row outside the queryset
    changed = client.post(
        reverse("admin:members_member_change", args=[w.member_a.pk]),
        {"name": "改名", "phone": "13700000000"},
    )
    assert changed.status_code == 403
    w.member_a.refresh_from_db()
    assert w.member_a.name != "改名"


# Changelist queries that would sort hosted members by a sensitive field: a list filter on
# the field (the admin accepts a lookup on any field of the model) or a search.
SENSITIVE_QUERIES = [
    f"income_band={SENTINEL_INCOME_BAND}",
    "income_band__isnull=False",
    "monthly_income__isnull=False",
    "family_situation__isnull=False",
    "mindset_note__isnull=False",
    "monthly_income__gte=1",
    f"monthly_income={SENTINEL_INCOME}",
    f"q={SENTINEL_INCOME}",
    "q=SENTINEL",
]


def _lists_member(client, query: str, member) -> bool:
    response = client.get(f"/admin/members/member/?{query}")
    assert response.status_code < 500, (query, response.status_code)
    link = reverse("admin:members_member_change", args=[member.pk])
    return response.status_code == 200 and link in response.content.decode()


@pytest.mark.parametrize("query", SENSITIVE_QUERIES)
def test_host_staff_cannot_filter_the_hosted_member_by_a_sensitive_field(scoped_world, query):
    w = scoped_world
    host = _page_client(_user(w, HOST))
    assert _lists_member(host, "", w.member_a), "host staff list the member they host"
    assert not _lists_member(host, query, w.member_a)


def test_home_staff_filter_by_income_in_the_admin(scoped_world):
    """The same filters find the member for home staff: the host test above can fail."""
    w = scoped_world
    committee = _page_client(_user(w, COMMITTEE))
    for query in SENSITIVE_QUERIES[:5]:
        assert _lists_member(committee, query, w.member_a), query


@pytest.mark.parametrize("query", ["monthly_income__gte=1", "phone=13700000000", "phone__gt=1"])
def test_the_admin_refuses_comparisons_with_an_encrypted_column(scoped_world, query):
    """Encrypted values compare as tokens (every token sorts after any digit): the admin
    refuses such a filter rather than answering it wrongly, for every tier."""
    w = scoped_world
    committee = _page_client(_user(w, COMMITTEE))
    response = committee.get(f"/admin/members/member/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize(("tier", "shows_income"), [(COMMITTEE, True), (HOST, False)])
def test_the_admin_export_action_carries_only_what_the_viewer_may_read(
    scoped_world, tier, shows_income
):
    w = scoped_world
    response = _page_client(_user(w, tier)).post(
        "/admin/members/member/",
        {"action": "export_selected", "_selected_action": [w.member_a.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    text = readable(response)
    assert w.member_a.name in text
    assert (SENTINEL_INCOME_BAND_LABEL in text) is shows_income
    assert not any(value in text for value in SENTINELS)

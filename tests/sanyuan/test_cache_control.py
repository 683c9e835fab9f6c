"""Cache-Control classes: personal data is never stored by a browser or proxy; a member's own
pages the service worker keeps offline are revalidated. The walk covers every URL pattern."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Whatever the settings say, these always answer no-store: personal data in every answer.
MUST_NOT_STORE = (
    "staff/",
    "admin/",
    "me/",
    "accounts/",
    "api/me/",
    "api/members/",
    "api/auth/",
    "api/change-requests/",
    "api/dues/",
    "api/support-cases/",
    "api/support-group/",
    "api/transfers/",
    "api/hosting/",
    "api/lost-contact/",
    "api/appraisals/",
    "api/activities/",
    "api/forum/",
    "api/notices/",
    "api/sms/",
    "forum/",
    "wechat/",
)
REVALIDATE = ("", "study/", "articles/", "activities/", "notices/")
# Neither personal nor a member's page: may be kept (the service worker, the API docs,
# reference data, the files of articles every member may read).
PUBLIC = {
    "healthz/",
    "metrics",
    "sw.js",
    "manifest.webmanifest",
    "offline/",
    "favicon.ico",
    "privacy/",
    "api/schema/",
    "api/docs/",
    "api/regions/",
    "api/skills/",
    "api/articles/1/cover/x/",
    "api/articles/1/attachments/1/",
}


def routes(patterns=None, prefix=""):
    """Every URL pattern as a concrete path (path parameters as 1 or a word)."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/"):
                continue  # the admin is walked below with real objects
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and not route.startswith("^"):
            yield re.sub(r"<(?:\w+:)?\w+>", lambda m: "1" if "int" in m.group() else "x", route)


def expected_class(route: str) -> str | None:
    """The class the settings give a route: "no-store", "private, no-cache", "public" (may be
    kept) or None (no class: the walk fails)."""
    path = "/" + route
    if path.startswith(tuple(settings.CACHE_CONTROL_NO_STORE)) and not any(
        re.match(rule, path) for rule in settings.CACHE_CONTROL_MAY_STORE
    ):
        return "no-store"
    if any(re.match(rule, path) for rule in settings.CACHE_CONTROL_REVALIDATE):
        return "private, no-cache"
    if route in PUBLIC:
        return "public"
    return None


def test_every_route_has_a_class_and_personal_ones_are_never_stored():
    unclassified = [route for route in routes() if expected_class(route) is None]
    assert not unclassified, "routes without a Cache-Control class:\n" + "\n".join(unclassified)
    stored = [
        route
        for route in routes()
        if route.startswith(MUST_NOT_STORE) and expected_class(route) != "no-store"
    ]
    assert not stored, "personal routes that may be stored:\n" + "\n".join(stored)
    revalidated = {
        route.split("/")[0] + "/" if "/" in route else route
        for route in routes()
        if expected_class(route) == "private, no-cache"
    }
    assert revalidated <= set(REVALIDATE), revalidated


def test_the_walk_covers_every_class():
    classes = [expected_class(route) for route in routes()]
    assert classes.count("no-store") > 150
    assert classes.count("private, no-cache") > 8
    assert classes.count("public") == len(PUBLIC)


def test_every_url_answers_with_its_cache_class(world):
    staff = factories.login_staff(Client(), world.county_staff)
    member = Client()
    member.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    wrong = []
    for route in routes():
        expected = expected_class(route)
        if expected == "public":
            continue
        client = member if route.startswith(("me/", "api/me/")) or expected != "no-store" else staff
        response = client.get("/" + route)
        control = response.get("Cache-Control", "")
        if expected == "no-store" and "no-store" not in control:
            wrong.append(f"/{route} ({response.status_code}): {control!r}")
        if expected == "private, no-cache" and control != "private, no-cache":
            wrong.append(f"/{route} ({response.status_code}): {control!r}")
    assert not wrong, "\n".join(wrong)


def test_personal_pages_and_answers_that_succeed_are_not_stored(world):
    staff = factories.login_staff(Client(), world.county_staff)
    api = client_for(world.county_staff)
    member = client_for(world.member_a.user)
    pk = world.member_a.pk
    answers = [
        staff.get(reverse("members:staff-member", args=[pk])),
        staff.get(reverse("admin:members_member_change", args=[pk])),
        api.get(reverse("api:member-detail", args=[pk])),
        api.post(reverse("api:member-reveal-id-number", args=[pk])),
        member.get(reverse("api:me")),
    ]
    for response in answers:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert "no-store" in response["Cache-Control"], response.request["PATH_INFO"]


def test_an_evidence_photo_is_not_stored(world):
    from tests.members.test_change_requests import photo, submit

    created = submit(world.member_a, {"name": "张三丰"}, reason="户籍更名", files=[photo()])
    url = created.json()["evidence"][0]["url"]
    for client in (client_for(world.staff_a), client_for(world.member_a.user)):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_a_members_home_study_activities_and_notices_are_private_and_revalidated(world):
    member = Client()
    member.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    for name in ["learning:home", "activities:list", "members:notices"]:
        response = member.get(reverse(name))
        assert response.status_code == 200, name
        assert response["Cache-Control"] == "private, no-cache", name

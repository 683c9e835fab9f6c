"""Every object endpoint, as every tier, against an object in scope (side a: committee A and
its member) and one out of scope (side b: committee B and its member). In scope answers 2xx;
out of scope never does (404, or 401/403 for a tier that may not use the endpoint at all),
and a list never carries an out-of-scope id."""

import pytest

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

COUNTY, COMMITTEE, MEMBER, ANON = "county", "committee", "member", "anonymous"
STAFF = {COUNTY, COMMITTEE}

# (name, method, url(side), tiers that reach side a's object, optional JSON body)
READS = [
    ("member", "get", lambda s: f"/api/members/{s.member.pk}/", STAFF),
    ("member history", "get", lambda s: f"/api/members/{s.member.pk}/history/", STAFF),
    ("member contacts", "get", lambda s: f"/api/members/{s.member.pk}/contacts/", STAFF),
    ("change request", "get", lambda s: f"/api/change-requests/{s.change_request.pk}/", STAFF),
    (
        "evidence file",
        "get",
        lambda s: f"/api/change-requests/{s.change_request.pk}/evidence/{s.evidence.pk}/",
        STAFF | {MEMBER},  # the member who asked sees their own evidence
    ),
    ("article", "get", lambda s: f"/api/articles/{s.article.pk}/", STAFF | {MEMBER}),
    (
        "article cover",
        "get",
        lambda s: f"/api/articles/{s.article.pk}/cover/original/",
        STAFF | {MEMBER},
    ),
    (
        "article attachment",
        "get",
        lambda s: f"/api/articles/{s.article.pk}/attachments/{s.attachment.pk}/",
        STAFF | {MEMBER},
    ),
    ("article figures", "get", lambda s: f"/api/articles/{s.article.pk}/study-figures/", STAFF),
    ("activity", "get", lambda s: f"/api/activities/{s.activity.pk}/", STAFF | {MEMBER}),
    (
        "attendance",
        "get",
        lambda s: f"/api/activities/{s.activity.pk}/attendance/",
        STAFF,  # the sheet; members reply with POST
    ),
    (
        "material file",
        "get",
        lambda s: f"/api/activity-materials/{s.material.pk}/file/",
        STAFF | {MEMBER},
    ),
    ("forum thread", "get", lambda s: f"/api/forum/threads/{s.thread.pk}/", STAFF | {MEMBER}),
    (
        "forum posts",
        "get",
        lambda s: f"/api/forum/threads/{s.thread.pk}/posts/",
        STAFF | {MEMBER},
    ),
    ("forum post", "get", lambda s: f"/api/forum/posts/{s.post.pk}/", STAFF | {MEMBER}),
    ("forum image", "get", lambda s: f"/api/forum/images/{s.image.pk}/", STAFF | {MEMBER}),
    ("reflection", "get", lambda s: f"/api/forum/threads/{s.reflection.pk}/", STAFF | {MEMBER}),
    (
        "reflection posts",
        "get",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/posts/",
        STAFF | {MEMBER},
    ),
    (
        "reflection post",
        "get",
        lambda s: f"/api/forum/posts/{s.reflection_post.pk}/",
        STAFF | {MEMBER},
    ),
]
# Forum threads on the `forum` board are read by all members and staff of the county: side
# b's forum thread is *meant* to be visible to member A (DESIGN.md, Forum). Reflections are not.
COUNTY_WIDE = {"forum thread", "forum posts", "forum post", "forum image"}

WRITES = [
    (
        "edit member",
        "patch",
        lambda s: f"/api/members/{s.member.pk}/",
        STAFF,
        {"employer": "新单位"},
    ),
    (
        "add contact",
        "post",
        lambda s: f"/api/members/{s.member.pk}/contacts/",
        STAFF,
        {"contacted_on": "2026-01-05", "channel": "phone"},
    ),
    (
        "reveal id number",
        "post",
        lambda s: f"/api/members/{s.member.pk}/reveal-id-number/",
        STAFF,
        {},
    ),
    (
        "issue code",
        "post",
        lambda s: f"/api/members/{s.member.pk}/activation-code/",
        STAFF,
        {"reason": "手机号停用"},
    ),
    (
        "reject change request",
        "post",
        lambda s: f"/api/change-requests/{s.change_request.pk}/reject/",
        STAFF,
        {"comment": "材料不全"},
    ),
    (
        "withdraw change request",
        "post",
        lambda s: f"/api/me/change-requests/{s.change_request.pk}/withdraw/",
        {MEMBER},
        {},
    ),
    (
        "reply to activity",
        "post",
        lambda s: f"/api/activities/{s.activity.pk}/attendance/",
        {MEMBER},
        {"status": "excused", "reason": "在外地务工"},
    ),
    (
        "cancel activity",
        "post",
        lambda s: f"/api/activities/{s.activity.pk}/cancel/",
        STAFF,
        {"reason": "天气原因"},
    ),
    (
        "delete material",
        "delete",
        lambda s: f"/api/activity-materials/{s.material.pk}/",
        STAFF,
        None,
    ),
    (
        "moderate reflection",
        "post",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/moderation/",
        STAFF,
        {"action": "lock", "reason": "测试"},
    ),
    (
        "reply to reflection",
        "post",
        lambda s: f"/api/forum/threads/{s.reflection.pk}/posts/",
        STAFF | {MEMBER},
        {"body": "收到"},
    ),
    (
        "report reflection post",
        "post",
        lambda s: f"/api/forum/posts/{s.reflection_post.pk}/reports/",
        set(),
        {"reason": "spam"},
    ),
    ("read notice", "post", lambda s: f"/api/notices/{s.notice.pk}/read/", {MEMBER}, None),
]


def call(world, tier, method, url, body=None):
    token = world.tokens[tier]
    client = client_for(None)
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    kwargs = {"format": "json"} if body is not None else {}
    return (
        getattr(client, method)(url, body, **kwargs)
        if body is not None
        else getattr(client, method)(url)
    )


def expected_out_of_scope(tier: str) -> set[int]:
    # Anonymous: 401 on endpoints that need an account, 404 on public ones (articles).
    return {401, 404} if tier == ANON else {403, 404}


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, MEMBER, ANON])
def test_no_tier_reaches_an_object_outside_its_scope(scoped_world, tier):
    w = scoped_world
    problems = []
    for name, method, url, reach in READS:
        a = call(w, tier, method, url(w.a))
        b = call(w, tier, method, url(w.b))
        if tier in reach:
            if a.status_code != 200:
                problems.append(f"{name}: side a answered {a.status_code}, expected 200")
        elif a.status_code < 400:
            problems.append(f"{name}: side a LEAKED ({a.status_code})")
        b_visible = tier == COUNTY or (name in COUNTY_WIDE and tier in reach)
        if b_visible:
            if b.status_code != 200:
                problems.append(f"{name}: side b answered {b.status_code}, expected 200")
        elif b.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {b.status_code} (out of scope)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tier", [COMMITTEE, MEMBER, ANON])
def test_no_tier_changes_an_object_outside_its_scope(scoped_world, tier):
    w = scoped_world
    problems = []
    for name, method, url, _reach, body in WRITES:
        response = call(w, tier, method, url(w.b), body)
        if response.status_code not in expected_out_of_scope(tier):
            problems.append(f"{name}: side b answered {response.status_code}")
    assert not problems, "\n".join(problems)
    w.b.change_request.refresh_from_db()
    assert w.b.change_request.status == "pending"
    w.b.activity.refresh_from_db()
    assert w.b.activity.status == "published"
    w.b.reflection.refresh_from_db()
    assert not w.b.reflection.is_locked
    assert w.b.member.contacts.count() == 1
    assert w.b.material.__class__.objects.filter(pk=w.b.material.pk).exists()


@pytest.mark.parametrize("tier", [COUNTY, COMMITTEE, MEMBER])
def test_the_same_writes_work_in_scope(scoped_world, tier):
    """The write matrix can fail: in scope, the tiers that may act get a 2xx."""
    w = scoped_world
    problems = []
    for name, method, url, reach, body in WRITES:
        if tier not in reach:
            continue
        response = call(w, tier, method, url(w.a), body)
        if response.status_code >= 300:
            problems.append(f"{name}: side a answered {response.status_code}")
    assert not problems, "\n".join(problems)


LISTS = [
    ("/api/members/", lambda s: s.member.pk),
    ("/api/change-requests/?status=pending", lambda s: s.change_request.pk),
    ("/api/articles/", lambda s: s.article.pk),
    ("/api/activities/", lambda s: s.activity.pk),
    ("/api/forum/threads/?board=reflections", lambda s: s.reflection.pk),
    ("/api/notices/", lambda s: s.notice.pk),
    ("/api/me/change-requests/", lambda s: s.change_request.pk),
    ("/api/organizations/", lambda s: s.branch.pk),
    ("/api/forum/queue/", lambda s: s.thread.pk),
]


def _ids(payload) -> set[int]:
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    return {row["id"] for row in rows if isinstance(row, dict) and "id" in row}


@pytest.mark.parametrize("tier", [COMMITTEE, MEMBER])
def test_lists_never_carry_out_of_scope_objects(scoped_world, tier):
    w = scoped_world
    problems = []
    for url, key in LISTS:
        response = call(w, tier, "get", url)
        if response.status_code != 200:
            continue  # a tier that may not list this at all (403)
        ids = _ids(response.json())
        if key(w.b) in ids:
            problems.append(f"{url}: carries side b's object {key(w.b)}")
    assert not problems, "\n".join(problems)


def test_the_county_lists_carry_both_sides(scoped_world):
    w = scoped_world
    for url, key in LISTS[:4]:
        ids = _ids(call(w, COUNTY, "get", url).json())
        assert {key(w.a), key(w.b)} <= ids, url

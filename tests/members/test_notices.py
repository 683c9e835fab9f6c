"""The notice service: audiences, inbox, read marks, channels (eager Celery; the real worker
and broker tests are in test_notice_delivery.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import selectors
from members.models import (
    Notice,
    NoticeDelivery,
    Organization,
    Skill,
    TemporaryBranchMembership,
)
from members.permissions import scope_forget
from members.services.notices import (
    Audience,
    notice_mark_all_read,
    notice_mark_read,
    notice_publish,
)
from sanyuan.errors import ServiceError
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
K = Notice.Kind


@pytest.fixture
def people(world):
    """world plus: a member with a skill and a destination, a temporary branch, a host org."""
    w = world
    w.welder = Skill.objects.create(name="电焊")
    w.member_a.skills.add(w.welder)
    w.member_b.destination_province = "440000"
    w.member_b.save()
    w.temp = factories.organization(
        "深圳临时党支部", Organization.Kind.TEMPORARY_BRANCH, w.committee_a
    )
    TemporaryBranchMembership.objects.create(member=w.member_b, branch=w.temp)
    w.host = factories.organization("深圳流入地党委", Organization.Kind.HOST, None)
    w.host_branch = factories.organization("宝安流入地支部", Organization.Kind.HOST, w.host)
    w.member_a3 = factories.activated_member(
        w.branch_a2, name="赵六", host_organization=w.host_branch
    )
    w.everyone = {
        "member_a": w.member_a.user,
        "member_b": w.member_b.user,
        "member_a3": w.member_a3.user,
        "county_staff": w.county_staff,
        "staff_a": w.staff_a,
        "staff_b": w.staff_b,
    }
    return w


def who_sees(people, notice):
    return {
        name
        for name, user in people.everyone.items()
        if any(
            n.pk == notice.pk
            for n in selectors.notice_inbox(user=_fresh(user), page_size=100).results
        )
    }


def _fresh(user):
    # Each request computes the user's audiences afresh.
    scope_forget(user)
    return user


def publish(audience, **kw):
    return notice_publish(
        audience=audience, kind=kw.pop("kind", K.SYSTEM), title=kw.pop("title", "测试通知"), **kw
    )


@pytest.mark.parametrize(
    ("audience", "expected"),
    [
        (lambda w: Audience.user(w.member_a.user), {"member_a"}),
        (lambda w: Audience.user_list([w.member_a.user, w.staff_b]), {"member_a", "staff_b"}),
        (lambda w: Audience.subtree(w.county), {"member_a", "member_b", "member_a3"}),
        (lambda w: Audience.subtree(w.committee_a), {"member_a", "member_a3"}),
        (lambda w: Audience.subtree(w.branch_b1), {"member_b"}),
        (lambda w: Audience.subtree(w.county, skills=[w.welder]), {"member_a"}),
        (lambda w: Audience.subtree(w.county, provinces=["440000"]), {"member_b"}),
        (
            lambda w: Audience.subtree(w.county, skills=[w.welder], provinces=["440000"]),
            {"member_a", "member_b"},
        ),
        (lambda w: Audience.temporary_branch(w.temp), {"member_b"}),
        (lambda w: Audience.hosted(w.host), {"member_a3"}),
        (lambda w: Audience.hosted(w.host_branch), {"member_a3"}),
        (lambda w: Audience.staff(w.committee_a), {"staff_a"}),
        (lambda w: Audience.staff(w.county), {"county_staff"}),
    ],
)
def test_each_audience_reaches_exactly_its_users(people, audience, expected):
    notice = publish(audience(people))
    assert who_sees(people, notice) == expected


def test_a_member_who_left_a_temporary_branch_no_longer_sees_its_notices(people):
    from django.utils import timezone

    notice = publish(Audience.temporary_branch(people.temp))
    TemporaryBranchMembership.objects.filter(member=people.member_b).update(left_at=timezone.now())
    assert who_sees(people, notice) == set()


def test_a_subtree_notice_is_one_row_whatever_the_audience_size(people):
    for _ in range(30):
        factories.activated_member(people.branch_a1)
    with CaptureQueriesContext(connection) as queries:
        publish(Audience.subtree(people.county))
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "members_notice" in inserts[0]


def test_a_member_never_sees_a_notice_by_guessing_its_id(people):
    notice = publish(Audience.user(people.member_b.user))
    client = client_for(people.member_a.user)
    assert client.post(f"/api/notices/{notice.pk}/read/").status_code == 404
    assert client.get("/api/notices/").json()["results"] == []


def test_the_inbox_api_is_newest_first_with_keyset_pages(people):
    ids = [publish(Audience.user(people.member_a.user), title=f"第{n}条").pk for n in range(5)]
    ids += [publish(Audience.subtree(people.county), title=f"全县第{n}条").pk for n in range(4)]
    client = client_for(people.member_a.user)
    seen = []
    url = "/api/notices/?page_size=3"
    while url:
        body = client.get(url).json()
        assert set(body) == {"next", "previous", "results"}
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(ids, reverse=True)
    # previous goes back to newer items
    second = client.get("/api/notices/?page_size=3").json()["next"]
    page2 = client.get(second).json()
    back = client.get(page2["previous"]).json()
    assert [row["id"] for row in back["results"]] == seen[:3]


def test_a_bad_cursor_is_a_clear_400(people):
    response = client_for(people.member_a.user).get("/api/notices/?cursor=zzz")
    assert response.status_code == 400
    assert "游标" in response.json()["cursor"][0]


def test_read_marks_unread_filter_count_and_read_all(people):
    first = publish(Audience.user(people.member_a.user), title="一")
    second = publish(Audience.subtree(people.county), title="二")
    client = client_for(people.member_a.user)
    assert client.get("/api/notices/unread-count/").json() == {"count": 2}
    assert client.post(f"/api/notices/{first.pk}/read/").status_code == 204
    assert client.get("/api/notices/unread-count/").json() == {"count": 1}
    unread = client.get("/api/notices/?unread=1").json()["results"]
    assert [row["id"] for row in unread] == [second.pk]
    rows = {row["id"]: row["read"] for row in client.get("/api/notices/").json()["results"]}
    assert rows == {first.pk: True, second.pk: False}
    assert client.post("/api/notices/read-all/").status_code == 204
    assert client.get("/api/notices/unread-count/").json() == {"count": 0}
    # Read by one member is not read by another.
    other = client_for(people.member_b.user)
    assert other.get("/api/notices/unread-count/").json() == {"count": 1}


def test_inbox_query_count_does_not_grow_with_page_size(people):
    for n in range(40):
        publish(Audience.user(people.member_a.user), title=f"个人{n}")
        publish(Audience.subtree(people.county), title=f"全县{n}")
    client = client_for(people.member_a.user)
    counts = {}
    for size in (5, 50):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get(f"/api/notices/?page_size={size}").json()["results"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[50], counts


def test_dedupe_key_publishes_once(people):
    assert publish(Audience.user(people.member_a.user), dedupe_key="reminder:1") is not None
    assert publish(Audience.user(people.member_a.user), dedupe_key="reminder:1") is None
    assert Notice.objects.filter(dedupe_key="reminder:1").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "  "}, "title"),
        ({"kind": "nonsense"}, "kind"),
        ({"link": "https://evil.example/"}, "link"),
    ],
)
def test_bad_notices_are_refused_and_nothing_is_stored(people, kwargs, field):
    with pytest.raises(ServiceError) as info:
        publish(Audience.user(people.member_a.user), **kwargs)
    assert info.value.field == field
    assert not Notice.objects.exists()


def test_review_outcomes_always_go_by_sms_too(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            Audience.user(people.member_a.user), kind=K.REVIEW_OUTCOME, title="您的修改申请已通过"
        )
    sent = sms_outbox.messages()
    assert [m["phone"] for m in sent] == [people.member_a.phone]
    assert sent[0]["template"] == "notice_review_outcome"
    assert sent[0]["idempotency_key"].startswith("notice-")


def test_other_kinds_go_by_sms_only_to_members_who_asked(
    people, sms_outbox, django_capture_on_commit_callbacks
):
    """A kind outside Notice.MEMBER_SMS_KINDS: by SMS only on request (members without an
    account get those kinds by SMS anyway: tests/members/test_sms_reach.py)."""
    from members.services.notices import notice_preference_set

    notice_preference_set(user=people.member_b.user, kind=K.ARTICLE, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        publish(Audience.subtree(people.county), kind=K.ARTICLE, title="学习资料")
    assert [m["phone"] for m in sms_outbox.messages()] == [people.member_b.phone]
    assert NoticeDelivery.objects.get().status == NoticeDelivery.Status.SENT


def test_a_daily_cap_per_phone_stops_optional_sms(
    people, sms_outbox, settings, django_capture_on_commit_callbacks
):
    from members.services.notices import notice_preference_set

    settings.NOTICE_SMS_DAILY_CAP = 2
    notice_preference_set(user=people.member_b.user, kind=K.ARTICLE, sms=True)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            publish(Audience.subtree(people.county), kind=K.ARTICLE, title=f"学习{n}")
    assert len(sms_outbox.messages()) == 2
    assert NoticeDelivery.objects.filter(status=NoticeDelivery.Status.SKIPPED).count() == 2


def test_staff_get_email_for_staff_kinds(people, mailoutbox, django_capture_on_commit_callbacks):
    people.staff_a.email = "staff_a@example.org"
    people.staff_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        publish(Audience.staff(people.committee_a), kind=K.HOSTING, title="新的流入党员报到")
    assert [m.to for m in mailoutbox] == [["staff_a@example.org"]]


def test_preferences_api_lists_every_kind_and_saves(people):
    client = client_for(people.member_a.user)
    rows = {row["kind"]: row for row in client.get("/api/notices/preferences/").json()}
    assert rows["review_outcome"]["always_sms"] and rows["review_outcome"]["sms"]
    assert rows["activity"]["sms"] is False
    assert (
        client.post(
            "/api/notices/preferences/", {"kind": "activity", "sms": True}, format="json"
        ).status_code
        == 204
    )
    rows = {row["kind"]: row for row in client.get("/api/notices/preferences/").json()}
    assert rows["activity"]["sms"] is True


def test_inbox_page_shows_notices_and_the_badge(client, people):
    publish(Audience.user(people.member_a.user), title="请更新联系方式")
    client.force_login(people.member_a.user, backend="members.backends.MemberBackend")
    home = client.get("/").content.decode()
    assert "1条未读消息" in home
    page = client.get("/notices/").content.decode()
    assert "请更新联系方式" in page
    notice = Notice.objects.get()
    opened = client.get(f"/notices/{notice.pk}/")
    assert opened.status_code == 200
    assert client.get("/api/notices/unread-count/").json() == {"count": 0}


def test_mark_read_helpers(people):
    notice = publish(Audience.subtree(people.county))
    notice_mark_read(user=people.member_a.user, notice=notice)
    notice_mark_read(user=people.member_a.user, notice=notice)  # idempotent
    assert selectors.notice_unread_count(user=_fresh(people.member_a.user)) == 0
    notice_mark_all_read(user=people.member_b.user)
    assert selectors.notice_unread_count(user=_fresh(people.member_b.user)) == 0

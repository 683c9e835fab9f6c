"""Study records: opening, time while visible (capped), finishing, history and totals."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from learning.models import StudyRecord
from members.models import Member
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def reading(world):
    world.article = lf.article(world.county, audience=lf.A.COUNTY, title="学习党章")
    return world


def test_opening_the_page_records_the_study_and_touches_the_archive(client, reading):
    w = reading
    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    response = client.get(f"/articles/{w.article.pk}/")
    assert response.status_code == 200
    record = StudyRecord.objects.get(member=w.member_a, article=w.article)
    assert record.seconds == 0 and record.finished_at is None
    assert Member.objects.get(pk=w.member_a.pk).last_studied_at is not None
    assert 'data-study-url="/api/articles/' in response.content.decode()
    client.get(f"/articles/{w.article.pk}/")
    assert StudyRecord.objects.filter(member=w.member_a).count() == 1


def test_reported_seconds_are_capped_by_the_time_that_has_passed(as_user, reading):
    w = reading
    api = as_user(w.member_a.user)
    url = f"/api/articles/{w.article.pk}/study/"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = api.post(url, {"seconds": 200}, format="json").json()
    assert first["seconds"] == 0  # opening: nothing has passed yet
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        assert api.post(url, {"seconds": 30}, format="json").json()["seconds"] == 30
    with time_machine.travel(start + timedelta(seconds=40), tick=False):
        # Claims 300 s ten seconds later: gets 10 s plus the slack.
        assert api.post(url, {"seconds": 300}, format="json").json()["seconds"] == 45
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        done = api.post(url, {"seconds": 20, "finished": True}, format="json").json()
    assert done["finished"] is True and done["seconds"] == 65


@pytest.mark.parametrize(
    "payload",
    [{"seconds": -1}, {"seconds": 301}, {"seconds": "半小时"}, {"finished": "也许"}],
)
def test_bad_study_input_is_a_400_in_chinese_and_changes_nothing(as_user, reading, payload):
    response = as_user(reading.member_a.user).post(
        f"/api/articles/{reading.article.pk}/study/", payload, format="json"
    )
    assert response.status_code == 400
    field, messages = next(iter(response.json().items()))
    assert field in payload and any("\u4e00" <= ch <= "\u9fff" for ch in messages[0])
    assert not StudyRecord.objects.exists()


def test_only_members_record_study_and_only_on_articles_they_may_read(as_user, reading):
    w = reading
    hidden = lf.article(w.committee_b, title="陵前镇内部资料")
    url = f"/api/articles/{w.article.pk}/study/"
    assert as_user(None).post(url, {}, format="json").status_code == 401
    assert as_user(w.county_staff).post(url, {}, format="json").status_code == 403
    assert (
        as_user(w.member_a.user)
        .post(f"/api/articles/{hidden.pk}/study/", {}, format="json")
        .status_code
        == 404
    )
    assert not StudyRecord.objects.exists()


def test_the_page_reports_time_with_a_form_body_and_the_csrf_token(reading):
    """What learning.js sends (sendBeacon / fetch with FormData): session cookie + CSRF."""
    w = reading
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    page = client.get(f"/articles/{w.article.pk}/")
    html = page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in html
    url = f"/api/articles/{w.article.pk}/study/"
    refused = client.post(url, {"seconds": "5"})
    assert refused.status_code == 403
    form_token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    accepted = client.post(
        url, {"seconds": "5", "finished": "true", "csrfmiddlewaretoken": form_token}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["finished"] is True


def test_the_finish_button_works_without_javascript(client, reading):
    w = reading
    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    response = client.post(f"/articles/{w.article.pk}/finish/")
    assert response.status_code == 302
    assert StudyRecord.objects.get(member=w.member_a).finished_at is not None
    assert "已学完" in client.get(f"/articles/{w.article.pk}/").content.decode()


def test_history_and_totals_are_the_members_own(as_user, client, reading):
    w = reading
    other = lf.article(w.county, audience=lf.A.PUBLIC, title="理论学习", required=True)
    api = as_user(w.member_a.user)
    api.post(f"/api/articles/{w.article.pk}/study/", {"finished": True}, format="json")
    api.post(f"/api/articles/{other.pk}/study/", {}, format="json")
    as_user(w.member_b.user).post(f"/api/articles/{other.pk}/study/", {}, format="json")

    history = api.get("/api/study-records/").json()
    assert [r["article_title"] for r in history["results"]] == ["理论学习", "学习党章"]
    summary = api.get("/api/study-records/summary/").json()
    assert summary == {"opened": 2, "finished": 1, "seconds": 0, "required_open": 1}
    assert as_user(w.county_staff).get("/api/study-records/").status_code == 403

    client.force_login(w.member_a.user, backend="members.backends.MemberBackend")
    page = client.get("/study/mine/").content.decode()
    assert "学习党章" in page and "理论学习" in page and "待学必学资料" in page
    assert "/study/mine/" in client.get("/study/").content.decode()


def test_history_is_keyset_paginated(as_user, reading):
    w = reading
    api = as_user(w.member_a.user)
    for n in range(5):
        article = lf.article(w.county, audience=lf.A.COUNTY, title=f"第{n}篇")
        api.post(f"/api/articles/{article.pk}/study/", {}, format="json")
    first = api.get("/api/study-records/?page_size=2").json()
    assert len(first["results"]) == 2 and first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    titles = [r["article_title"] for page in (first, second, third) for r in page["results"]]
    assert titles == ["第4篇", "第3篇", "第2篇", "第1篇", "第0篇"] and third["next"] is None
    back = api.get(third["previous"]).json()
    assert [r["article_title"] for r in back["results"]] == ["第2篇", "第1篇"]

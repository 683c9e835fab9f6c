"""Idempotency-Key: a resent request (the offline outbox after a lost answer) is answered
from the cache, not carried out twice."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Attendance
from learning.models import StudyRecord
from sanyuan import idempotency
from tests.activities import factories as af
from tests.conftest import client_for
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db

KEY = "0b9c7a52-6f1e-4f43-9d1c-1f7d1c3c2a11"


def _opened_article(world):
    article = lf.article(world.county, audience=lf.A.COUNTY, title="党章学习")
    _opened(world.member_a, article)
    return article


def _opened(member, article):
    record = StudyRecord.objects.create(member=member, article=article)
    StudyRecord.objects.filter(pk=record.pk).update(
        last_reported_at=timezone.now() - timedelta(minutes=30)
    )


def _session_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_study_report_sent_twice_with_one_key_counts_its_seconds_once(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])

    first = client.post(url, {"seconds": 120}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post(url, {"seconds": 120}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 120


def test_a_new_key_is_a_new_report(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    client.post(url, {"seconds": 60}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    client.post(url, {"seconds": 4}, format="json", HTTP_IDEMPOTENCY_KEY=KEY + "-2")
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 64


def test_without_a_key_nothing_changes(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    client.post(url, {"seconds": 60}, format="json")
    response = client.post(url, {"seconds": 4}, format="json")
    assert "Idempotent-Replayed" not in response
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 64


def test_an_activity_reply_form_resent_with_its_key_is_answered_with_the_same_redirect(world):
    activity = af.activity(world.branch_a1)
    client = _session_for(world.member_a.user)
    url = reverse("activities:reply", args=[activity.pk])

    first = client.post(url, {"status": "attending"}, HTTP_IDEMPOTENCY_KEY=KEY)
    with mock.patch("activities.services.attendance_reply") as reply:
        again = client.post(url, {"status": "attending"}, HTTP_IDEMPOTENCY_KEY=KEY)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    reply.assert_not_called()
    assert Attendance.objects.filter(activity=activity, member=world.member_a).count() == 1


def test_one_persons_key_never_answers_another_persons_request(world):
    article = lf.article(world.county, audience=lf.A.COUNTY)
    url = reverse("api:article-study", args=[article.pk])
    for member in (world.member_a, world.member_b):
        _opened(member, article)
    client_for(world.member_a.user).post(
        url, {"seconds": 30}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    response = client_for(world.member_b.user).post(
        url, {"seconds": 50}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    )
    assert "Idempotent-Replayed" not in response
    assert StudyRecord.objects.get(member=world.member_b, article=article).seconds == 50


def test_a_repeat_while_the_first_is_still_running_gets_409(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    # The token scope is what the middleware sees before DRF authenticates.
    header = client._credentials["HTTP_AUTHORIZATION"]
    scope = idempotency.caller_scope(
        mock.Mock(user=mock.Mock(is_authenticated=False), META={"HTTP_AUTHORIZATION": header})
    )
    slot = idempotency.cache_key(scope=scope, method="POST", path=url, key=KEY)
    cache.set(slot, idempotency.PENDING, timeout=60)

    response = client.post(url, {"seconds": 60}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)

    assert response.status_code == 409
    assert "正在处理" in response.json()["detail"]
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 0


def test_refusals_that_may_change_are_not_remembered(world):
    article = _opened_article(world)
    url = reverse("api:article-study", args=[article.pk])
    # A staff account may not record study (403): after that, the same key still runs.
    staff_client = client_for(world.staff_a)
    assert staff_client.post(
        url, {"seconds": 5}, format="json", HTTP_IDEMPOTENCY_KEY=KEY
    ).status_code in (403, 404)
    client = client_for(world.member_a.user)
    assert (
        client.post(url, {"seconds": 5}, format="json", HTTP_IDEMPOTENCY_KEY=KEY).status_code == 200
    )


def test_a_validation_error_is_remembered_like_any_answer(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    first = client.post(url, {"seconds": -1}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post(url, {"seconds": 5}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"


def test_a_malformed_key_is_refused_with_a_chinese_message(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    response = client.post(url, {"seconds": 5}, format="json", HTTP_IDEMPOTENCY_KEY="短")
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 0


def test_anonymous_requests_pass_through_untouched(world, api):
    url = reverse("api:login")
    response = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert response.status_code == 400
    assert "Idempotent-Replayed" not in response


def test_when_the_cache_is_down_the_request_still_runs(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    with mock.patch.object(idempotency.cache, "add", return_value=None):
        response = client.post(url, {"seconds": 7}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert response.status_code == 200
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 7


def test_answers_are_kept_for_a_day(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    with mock.patch.object(idempotency.cache, "set", wraps=idempotency.cache.set) as set_:
        client.post(url, {"seconds": 7}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert set_.call_args.kwargs["timeout"] == 24 * 60 * 60


def test_a_signed_in_session_is_scoped_to_its_user_and_anonymous_callers_have_no_scope(world):
    user = world.member_a.user
    assert idempotency.caller_scope(mock.Mock(user=user, META={})) == f"u{user.pk}"
    anonymous = mock.Mock(user=mock.Mock(is_authenticated=False), META={})
    assert idempotency.caller_scope(anonymous) is None

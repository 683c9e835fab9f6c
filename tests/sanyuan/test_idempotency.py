"""Idempotency-Key: a resent request (the offline outbox after a lost answer) is answered
from memory, not carried out twice."""

import base64
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from activities.models import Attendance
from learning.models import StudyRecord
from members.models import AuditEvent
from sanyuan import idempotency
from sanyuan.crypto import decrypt
from sanyuan.redisconf import broker_client
from tests import factories
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
    # The token is resolved to its user before the check: the key is scoped by user id.
    slot = idempotency.cache_key(
        scope=f"u{world.member_a.user.pk}", method="POST", path=url, key=KEY
    )
    broker_client().set(slot, idempotency.PENDING, ex=60)

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


def test_when_redis_is_down_the_request_still_runs(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    down = mock.Mock(side_effect=ConnectionError("redis down"))
    with mock.patch.object(idempotency, "broker_client", down):
        response = client.post(url, {"seconds": 7}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert response.status_code == 200
    assert StudyRecord.objects.get(member=world.member_a, article=article).seconds == 7


def test_answers_are_kept_for_a_day_in_the_broker_redis_encrypted(world):
    article = _opened_article(world)
    client = client_for(world.member_a.user)
    url = reverse("api:article-study", args=[article.pk])
    answer = client.post(url, {"seconds": 7}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    redis = broker_client()
    keys = list(redis.scan_iter(match="idem:*"))
    assert len(keys) == 1
    assert redis.ttl(keys[0]) > 23 * 60 * 60
    stored = redis.get(keys[0])
    assert answer.content not in stored and b"seconds" not in stored
    assert b"seconds" in base64.b64decode(json.loads(decrypt(stored.decode()))["content"])
    # Nothing in the (evicting) cache.
    assert not list(cache.iter_keys("*idem*"))


def test_a_signed_in_session_is_scoped_to_its_user_and_anonymous_callers_have_no_scope(world):
    user = world.member_a.user
    assert idempotency.caller_scope(mock.Mock(user=user, META={})) == f"u{user.pk}"
    anonymous = mock.Mock(user=mock.Mock(is_authenticated=False), META={})
    assert idempotency.caller_scope(anonymous) is None


def test_a_second_login_with_the_same_key_and_a_token_null_header_gets_its_own_token(world):
    api = APIClient()
    headers = {"HTTP_AUTHORIZATION": "Token null", "HTTP_IDEMPOTENCY_KEY": KEY}
    url = reverse("api:login")
    first = api.post(
        url, {"username": "staff_a", "password": factories.PASSWORD}, format="json", **headers
    )
    second = api.post(
        url, {"username": "staff_b", "password": factories.PASSWORD}, format="json", **headers
    )
    assert first.status_code == second.status_code == 200
    assert "Idempotent-Replayed" not in second
    assert first.json()["token"] != second.json()["token"]
    assert not list(broker_client().scan_iter(match="idem:*"))


def test_an_authorization_header_that_does_not_authenticate_gets_no_idempotency(world):
    article = _opened_article(world)
    url = reverse("api:article-study", args=[article.pk])
    api = APIClient()
    response = api.post(
        url,
        {"seconds": 5},
        format="json",
        HTTP_AUTHORIZATION="Token null",
        HTTP_IDEMPOTENCY_KEY=KEY,
    )
    assert response.status_code == 401
    assert not list(broker_client().scan_iter(match="idem:*"))


def test_the_reveal_answer_and_a_staff_issued_code_are_never_remembered(world):
    client = client_for(world.staff_a)
    reveal = reverse("api:member-reveal-id-number", args=[world.member_a.pk])
    first = client.post(reveal, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    again = client.post(reveal, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert first.status_code == again.status_code == 200
    assert "Idempotent-Replayed" not in again
    issue = reverse("api:member-activation-code", args=[world.member_a2.pk])
    code = client.post(issue, {"reason": "手机号已停用"}, format="json", HTTP_IDEMPOTENCY_KEY=KEY)
    assert code.status_code == 201
    assert not list(broker_client().scan_iter(match="idem:*"))
    assert AuditEvent.objects.filter(action="member.reveal_id_number").count() == 2


SECRET_ROUTES = (
    "login",
    "register",
    "password-reset",
    "activation-code",
    "reveal",
    "activate",
    "reset",
)


def test_every_login_register_reset_code_and_reveal_route_is_exempt():
    from django.urls import get_resolver

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern.callback

    found = []
    for route, callback in walk(get_resolver().url_patterns):
        if any(word in route for word in SECRET_ROUTES) and not route.startswith("admin/"):
            view = getattr(callback, "view_class", None)
            found.append(route)
            assert getattr(view, "idempotency_exempt", False), route
    assert len(found) >= 8, found

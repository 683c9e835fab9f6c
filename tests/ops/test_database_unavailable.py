"""A database that does not answer gives a clean 503 (Chinese page or JSON), never a 500
traceback; other errors stay 500. The real outage is in test_faults_postgres.py."""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from members.api.authentication import TokenAuthentication
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def refuse(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def test_a_page_whose_session_cannot_be_loaded_answers_503_in_chinese(monkeypatch, world):
    client = Client(raise_request_exception=False)
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    monkeypatch.setattr(SessionStore, "load", refuse)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "系统暂时无法访问" in page and "请稍后再试" in page
    assert "Traceback" not in page and "5432" not in page


def test_an_api_call_answers_503_json(monkeypatch, world):
    client = client_for(world.member_a.user)
    client.raise_request_exception = False
    monkeypatch.setattr(TokenAuthentication, "authenticate_credentials", refuse)
    response = client.get("/api/me/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "系统暂时无法访问数据库，请稍后再试。",
        "code": "service_unavailable",
    }


def test_other_errors_are_still_a_plain_500(monkeypatch, world):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    client = client_for(world.member_a.user)
    client.raise_request_exception = False
    monkeypatch.setattr(TokenAuthentication, "authenticate_credentials", broken)
    response = client.get("/api/me/")
    assert response.status_code == 500

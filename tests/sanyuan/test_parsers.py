"""Hostile bodies and the answers they get: nesting checked before parsing, Chinese parse
errors, a Chinese 500, and log lines nobody can forge."""

import io
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from sanyuan.parsers import json_too_deep
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TOO_DEEP = "请求内容嵌套过深。"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("url", ["/api/auth/login/", "/api/auth/register/"])
def test_a_body_nested_3000_levels_deep_gets_a_chinese_400_not_a_500(api, url):
    body = '{"name": ' + nested(3000) + "}"
    response = api.generic("POST", url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP


def test_the_nesting_check_runs_for_signed_in_callers_and_before_any_view(world):
    client = client_for(world.member_a.user)
    response = client.generic(
        "POST", reverse("api:notice-read-all"), nested(65), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == TOO_DEEP


def test_64_levels_are_parsed_and_65_are_refused(api):
    ok = api.generic("POST", "/api/auth/login/", nested(64), content_type="application/json")
    assert ok.status_code == 400
    assert ok.json().get("detail") != TOO_DEEP
    deep = api.generic("POST", "/api/auth/login/", nested(65), content_type="application/json")
    assert deep.json()["detail"] == TOO_DEEP


@pytest.mark.parametrize(
    ("body", "too_deep"),
    [
        (nested(64), False),
        (nested(65), True),
        ('{"a": "' + nested(500) + '"}', False),  # brackets inside a string are text
        ('{"a": "\\"' + "[" * 100 + '"}', False),
        ("[" * 100, False),  # malformed: the parser refuses it
        ('[{"a": ' * 40 + "1" + "}]" * 40, True),
        ("[" + "[]," * 10000 + "[]]", False),  # wide, not deep
    ],
)
def test_json_too_deep_counts_nesting_outside_strings(body, too_deep):
    assert json_too_deep(body.encode()) is too_deep


def test_malformed_json_gets_a_chinese_message(api):
    response = api.generic(
        "POST", "/api/auth/login/", '{"name": "张三",', content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "请求内容不是有效的 JSON。"


def test_a_malformed_multipart_body_gets_a_chinese_message(world):
    client = client_for(world.member_a.user)
    response = client.generic(
        "POST",
        reverse("api:my-change-requests"),
        "garbage",
        content_type="multipart/form-data",  # no boundary
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "上传内容格式不正确。"


@pytest.mark.parametrize("prefix", ["", "/api"])
def test_the_500_answer_is_chinese(prefix, settings):
    settings.ROOT_URLCONF = "tests.sanyuan.failing_urls"
    client = Client(raise_request_exception=False)
    response = client.post(f"{prefix}/boom/", "{}", "application/json")
    assert response.status_code == 500
    text = response.json()["detail"] if prefix else response.content.decode()
    assert "服务器出错了" in text
    assert "Server Error" not in text
    if prefix:
        assert response.json()["code"] == "server_error"


def test_a_username_with_a_line_feed_cannot_forge_a_log_line(api, world):
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    formatter = configurator.configure_formatter(settings.LOGGING["formatters"]["plain"])
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        forged = "evil\n2026-12-03 12:00:00,000 WARNING members forged\r\x1b[31m"
        api.post("/api/auth/login/", {"username": forged, "password": "x" * 10}, format="json")
        logging.getLogger("members").warning("login by %s", forged)
    finally:
        root.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines, "nothing was logged"
    assert not any(line.startswith("2026-12-03 12:00:00,000") for line in lines)
    assert any("evil\\n2026-12-03" in line and "\\r\\x1b[31m" in line for line in lines)
    assert sum("evil" in line for line in lines) >= 2  # axes' own line and ours
    assert factories.PASSWORD not in stream.getvalue()

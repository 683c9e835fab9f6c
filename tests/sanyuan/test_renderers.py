"""The orjson renderer writes what DRF's JSONRenderer wrote (issue 26)."""

import datetime
import decimal
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings

from sanyuan.renderers import OrjsonRenderer

PAYLOAD = {
    "name": "王建军",
    "lazy": gettext_lazy("Invalid token."),
    "aware": datetime.datetime(2026, 12, 3, 8, 30, 1, 123456, tzinfo=datetime.UTC),
    "shanghai": datetime.datetime(2026, 12, 3, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
    "naive": datetime.datetime(2026, 12, 3, 8, 30),  # noqa: DTZ001  (DRF writes naive ones too)
    "day": datetime.date(2026, 12, 3),
    "time": datetime.time(8, 30),
    "span": datetime.timedelta(minutes=90),
    "amount": decimal.Decimal("12.50"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "separators": "line\u2028para\u2029end",
    "nested": [{"id": 1, "ok": True, "none": None, "ratio": 0.25}, (1, 2)],
    7: "int key",
    "big": 2**53 + 1,
}


def test_same_bytes_as_drf():
    assert OrjsonRenderer().render(PAYLOAD) == JSONRenderer().render(PAYLOAD)


def test_escapes_js_line_separators():
    assert b"\\u2028" in OrjsonRenderer().render({"s": "a\u2028b"})


def test_refuses_nan_as_drf_does():
    assert api_settings.STRICT_JSON
    with pytest.raises(ValueError):
        JSONRenderer().render({"x": [float("nan")]})
    with pytest.raises(ValueError):
        OrjsonRenderer().render({"x": [float("nan")]})
    # a real null stays null
    assert OrjsonRenderer().render({"x": None}) == b'{"x":null}'


def test_indent_left_to_drf():
    text = OrjsonRenderer().render({"a": 1}, "application/json; indent=2")
    assert text == b'{\n  "a": 1\n}'


@pytest.mark.django_db
def test_api_answers_through_it(client):
    response = client.get("/api/articles/")
    assert response.status_code == 200
    assert type(response.accepted_renderer) is OrjsonRenderer

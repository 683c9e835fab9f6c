"""Behind the shipped nginx and gunicorn configurations: the staff search, the API search,
login, reveal and the admin search run with a known ID number and phone, and neither full
value appears in nginx's access log, gunicorn's access log or the application's log."""

import json
import re
from urllib.parse import quote, urlencode

import pytest
from django.test import Client

from tests import factories
from tests.ops.test_proxy import NGINX, SITE, auth, proxied  # noqa: F401  (a fixture)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx (.ci/run installs it)"),
]


def session_cookie(user) -> str:
    client = factories.login_staff(Client(), user)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_no_full_id_number_or_phone_reaches_any_log(proxied, tmp_path):  # noqa: F811
    nginx, gunicorn = proxied({}, tmp_path / "media")
    world = factories.build_world()
    member = world.member_a
    id_number, phone = member.id_number, member.phone
    json_headers = {"Content-Type": "application/json"}
    staff_api = {**auth(world.staff_a), **json_headers}
    county_page = {"Cookie": session_cookie(world.county_staff)}
    staff_page = {"Cookie": session_cookie(world.staff_a)}

    answers = []
    for term in (id_number, phone):
        body = json.dumps({"q": term}).encode()
        answers.append(nginx.https("POST", "/api/members/search/", headers=staff_api, body=body))
        query = urlencode({"q": term})
        answers.append(nginx.https("GET", f"/api/members/?{query}", headers=auth(world.staff_a)))
        answers.append(nginx.https("GET", f"/staff/members/?{query}", headers=staff_page))
        answers.append(nginx.https("GET", f"/admin/members/member/?{query}", headers=county_page))
    login = json.dumps(
        {"name": member.name, "id_number": id_number, "password": "wrong-password-1"}
    ).encode()
    answers.append(nginx.https("POST", "/api/auth/login/", headers=json_headers, body=login))
    answers.append(
        nginx.https("POST", f"/api/members/{member.pk}/reveal-id-number/", headers=staff_api)
    )
    # The staff page's 按号码查找 form (POST, with its CSRF token), as a browser sends it.
    status, headers, page = nginx.https("GET", "/staff/members/", headers=staff_page)
    assert status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    csrf_field = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urlencode({"csrfmiddlewaretoken": csrf_field.decode(), "full_q": id_number}).encode()
    form_headers = {
        "Cookie": f"{staff_page['Cookie']}; csrftoken={csrf_cookie}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://{SITE}/staff/members/",
    }
    answers.append(nginx.https("POST", "/staff/members/", headers=form_headers, body=form))
    assert member.name.encode() in answers[-1][2]
    # A line feed in the (percent-decoded) path must not forge a log line of its own.
    answers.append(nginx.https("GET", "/staff/%0A1.2.3.4%20forged", headers=staff_page))
    statuses = [status for status, _h, _b in answers]
    assert statuses == [200, 200, 200, 200] * 2 + [400, 200, 200, 404], statuses
    # The searches found the member (so the values really went through).
    assert [row["id"] for row in json.loads(answers[0][2])] == [member.pk]
    assert [row["id"] for row in json.loads(answers[4][2])] == [member.pk]
    assert id_number in json.loads(answers[-3][2])["id_number"]  # the reveal

    logs = {
        "nginx": (nginx.directory / "sanyuan.access.log").read_text(errors="replace"),
        "gunicorn": gunicorn.output(),
    }
    assert "/api/members/search/" in logs["nginx"]
    assert re.search(r'"GET /staff/members/ HTTP', logs["gunicorn"]), logs["gunicorn"][-2000:]
    assert not any(line.startswith("1.2.3.4 forged") for line in logs["gunicorn"].splitlines())
    assert "\\n1.2.3.4 forged" in logs["gunicorn"]
    for name, text in logs.items():
        for value in (id_number, phone, quote(id_number), id_number[:6] + " " + id_number[6:]):
            assert value not in text, f"{value} in {name}'s log"

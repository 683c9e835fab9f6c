"""The bad-input catalogue: every hostile or malformed shape gets a clear Chinese 400 (or is
neutralised where it is legitimate text) and changes nothing."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from members.models import AuditEvent, ChangeRequest, Member
from tests import factories
from tests.conftest import client_for
from tests.factories import login_staff, valid_id_number
from tests.forum import factories as ff

pytestmark = pytest.mark.django_db

GOOD = valid_id_number(birth="19880512")
ZWSP, ZWJ, RLO, LRM, RLM, BOM = "\u200b", "\u200d", "\u202e", "\u200e", "\u200f", "\ufeff"

MALFORMED_ID_NUMBERS = {
    "empty": "",
    "spaces only": "   ",
    "too short": GOOD[:17],
    "too long": GOOD + "1",
    "wrong check digit": GOOD[:17] + ("0" if GOOD[17] != "0" else "1"),
    "letters": "61042A198805121234",
    "x in the middle": GOOD[:10] + "X" + GOOD[11:],
    "no such province": "00" + GOOD[2:],
    "impossible date": valid_id_number(birth="19880230"),
    "future birth": valid_id_number(birth="20991231"),
    "inner space": GOOD[:6] + " " + GOOD[6:],
    "inner tab": GOOD[:6] + "\t" + GOOD[6:],
    "zero-width space inside": GOOD[:6] + ZWSP + GOOD[6:],
    "zero-width joiner inside": GOOD[:6] + ZWJ + GOOD[6:],
    "rtl mark inside": GOOD[:6] + RLM + GOOD[6:],
    "rtl override inside": GOOD[:6] + RLO + GOOD[6:],
    "arabic-indic digits": GOOD[:6] + "١٩٨٨" + GOOD[10:],
    "superscript digit": GOOD[:17].replace(GOOD[16], "²", 1) + GOOD[17],
    "dashes": GOOD[:6] + "-" + GOOD[6:14] + "-" + GOOD[14:],
    "sql": "610422' OR '1'='1",
    "like wildcard": "610422%",
    "underscores": "6104221988________",
    "html": "<script>alert(1)</script>",
    "nul byte": GOOD[:6] + "\x00" + GOOD[7:],
    "very long": "6" * 10_000,
    "emoji": GOOD[:17] + "😀",
}
NON_STRING_ID_NUMBERS = {"integer": int(GOOD[:17]), "list": [GOOD], "object": {"v": GOOD}}


@pytest.mark.parametrize("case", sorted(MALFORMED_ID_NUMBERS))
def test_staff_cannot_create_an_archive_with_a_malformed_id_number(world, case):
    before = Member.objects.count()
    response = client_for(world.county_staff).post(
        "/api/members/",
        {
            "name": "马六",
            "id_number": MALFORMED_ID_NUMBERS[case],
            "phone": "13800138000",
            "organization": world.branch_a1.pk,
        },
        format="json",
    )
    assert response.status_code == 400, (case, response.content)
    messages = response.json()["id_number"]
    assert messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages)
    assert Member.objects.count() == before


@pytest.mark.parametrize("case", sorted(NON_STRING_ID_NUMBERS))
def test_an_id_number_that_is_not_a_string_is_a_400(api, world, case):
    response = api.post(
        "/api/auth/activation-code/",
        {"name": "张三", "id_number": NON_STRING_ID_NUMBERS[case]},
        format="json",
    )
    assert response.status_code == 400
    assert "id_number" in response.json()


@pytest.mark.parametrize("case", sorted(MALFORMED_ID_NUMBERS))
def test_a_malformed_id_number_sends_no_code_and_logs_nobody_in(api, world, sms_outbox, case):
    raw = MALFORMED_ID_NUMBERS[case]
    code = api.post("/api/auth/activation-code/", {"name": "张三", "id_number": raw}, format="json")
    assert code.status_code == 400, (case, code.content)
    login = api.post(
        "/api/auth/login/",
        {"name": "张三", "id_number": raw, "password": factories.PASSWORD},
        format="json",
    )
    assert login.status_code in (400, 429)
    assert sms_outbox.messages() == []


def test_the_lenient_shapes_of_a_real_id_number_are_accepted(world):
    """Full-width digits, a lowercase x and surrounding spaces are the same number."""
    staff = client_for(world.county_staff)
    base = valid_id_number(birth="19900101")
    while not base.endswith("X"):
        base = valid_id_number(birth="19900101")
    fullwidth = base[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "x"
    response = staff.post(
        "/api/members/",
        {
            "name": "马六",
            "id_number": f" {fullwidth}{ZWSP} ",
            "phone": "13800138000",
            "organization": world.branch_a1.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Member.objects.get(pk=response.json()["id"]).id_number == base


BAD_NAMES = {
    "rtl override": f"张{RLO}三",
    "rtl mark": f"张三{RLM}丰",
    "ltr mark": f"张{LRM}三",
    "zero-width joiner": f"张{ZWJ}三",
    "zero-width space": f"张{ZWSP}三",
    "bom inside": f"张{BOM}三",
    "combining accent": "张\u0301三",
    "combining enclosing circle": "张\u20dd三",
    "emoji": "张三😀",
    "emoji zwj sequence": "张三👨\u200d👩\u200d👧",
    "latin": "Zhang San",
    "mixed script": "张San",
    "html": "<b>张三</b>",
    "sql": "张三'; DROP TABLE members_member; --",
    "like wildcard": "张%",
    "only a dot": "·",
    "leading dot": "·买买提",
    "double dot": "阿依古丽··买买提",
    "too long": "张" * 31,
    "one character": "张",
    "nul": "张\x00三",
}


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_unicode_tricks_in_names_get_a_clear_error_and_change_nothing(world, case):
    staff = client_for(world.staff_a)
    member = world.member_a
    response = staff.patch(f"/api/members/{member.pk}/", {"name": BAD_NAMES[case]}, format="json")
    assert response.status_code == 400, (case, response.content)
    assert list(response.json()) == ["name"]
    member.refresh_from_db()
    assert member.name == "张三"


def test_look_alike_dots_in_minority_names_are_normalised(world):
    staff = client_for(world.staff_a)
    for dot in ["•", "・", "．", "\u00b7", "\u2027"]:
        response = staff.patch(
            f"/api/members/{world.member_a.pk}/", {"name": f"阿依古丽{dot}买买提"}, format="json"
        )
        assert response.status_code == 200, dot
        assert response.json()["name"] == "阿依古丽·买买提"


# XSS ----------------------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>点我</a>",
    "{{ 7*7 }}{% debug %}",
]


def test_xss_in_archive_and_contact_text_is_shown_as_text_on_staff_pages(world):
    staff = client_for(world.staff_a)
    member = world.member_a
    payload = " ".join(XSS)
    assert (
        staff.patch(
            f"/api/members/{member.pk}/",
            {"employer": payload[:100], "destination_address": payload[:200]},
            format="json",
        ).status_code
        == 200
    )
    staff.post(
        f"/api/members/{member.pk}/contacts/",
        {"contacted_on": "2026-01-05", "channel": "phone", "note": payload},
        format="json",
    )
    page = login_staff(Client(), world.staff_a).get(f"/staff/members/{member.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "onerror=" not in html.replace("onerror=&quot;", "")
    assert "&lt;script&gt;" in html
    assert "49" not in html.split("{{ 7*7 }}")[0][-5:]  # templates are not evaluated


def test_xss_in_a_change_request_reason_is_text_for_the_reviewer(world):
    as_member = client_for(world.member_a.user)
    response = as_member.post(
        "/api/me/change-requests/",
        {"changes": {"employer": "新单位"}, "reason": XSS[0] + XSS[1]},
        format="json",
    )
    assert response.status_code == 201
    request = ChangeRequest.objects.get()
    page = login_staff(Client(), world.staff_a).get(f"/staff/change-requests/{request.pk}/")
    html = page.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_bidi_overrides_are_stripped_from_forum_titles_and_bodies(world):
    as_member = client_for(world.member_a.user)
    response = as_member.post(
        "/api/forum/threads/",
        {
            "board": "forum",
            "kind": "request",
            "title": f"请问{RLO}exe.jpg社保转移",
            "body": f"正文{RLO}txt.exe{ZWSP}内容",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    thread = response.json()
    assert RLO not in thread["title"] and thread["title"] == "请问exe.jpg社保转移"
    posts = as_member.get(f"/api/forum/threads/{thread['id']}/posts/").json()["results"]
    assert RLO not in json.dumps(posts, ensure_ascii=False)
    assert ZWSP not in json.dumps(posts, ensure_ascii=False)


# SQL-ish strings and LIKE wildcards -----------------------------------------------------------

SEARCHES = ["%", "_", "%%", "__", "%_%", "\\", "\\%", "' OR '1'='1", '" OR ""="', "1; DROP TABLE x"]


@pytest.mark.parametrize("q", SEARCHES)
def test_search_boxes_take_wildcards_and_sql_literally(world, q):
    staff = client_for(world.county_staff)
    members = staff.get("/api/members/", {"q": q})
    assert members.status_code == 200
    assert members.json()["count"] == 0, q
    articles = client_for(world.member_a.user).get("/api/articles/", {"q": q})
    assert articles.status_code == 200
    assert articles.json()["results"] == []
    forum = client_for(world.member_a.user).get("/api/forum/search/", {"q": q})
    assert forum.status_code in (200, 400)
    if forum.status_code == 200:
        assert forum.json()["results"] == []
    admin = login_staff(Client(), world.county_staff).get("/admin/members/member/", {"q": q})
    assert admin.status_code == 200
    assert world.member_a.id_number_masked not in admin.content.decode()


def test_a_name_search_still_finds_names(world):
    staff = client_for(world.county_staff)
    assert staff.get("/api/members/", {"q": "张"}).json()["count"] == 1


def test_sql_in_every_filter_is_just_a_value(world):
    staff = client_for(world.county_staff)
    for key in ["organization", "destination_province", "occupation", "skill", "status"]:
        response = staff.get("/api/members/", {key: "1' OR '1'='1"})
        assert response.status_code in (200, 400), key
        if response.status_code == 200:
            assert response.json()["count"] == 0, key


# Uploads --------------------------------------------------------------------------------------


def _post_evidence(world, upload):
    return client_for(world.member_a.user).post(
        "/api/me/change-requests/",
        {"changes": json.dumps({"employer": "新单位"}), "reason": "换了工作", "evidence": [upload]},
        format="multipart",
    )


POLYGLOTS = {
    "gif with script": (
        "照片.gif",
        b"GIF89a/*\x00\x00\x00\x00*/=1;alert(1)//<script>alert(1)</script>",
        "image/gif",
    ),
    "html named jpg": ("照片.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
    "svg with script": (
        "图.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>',
        "image/svg+xml",
    ),
    "zip named pdf": ("证明.pdf", None, "application/pdf"),
    "exe named pdf": ("证明.pdf", b"MZ\x90\x00" + b"\x00" * 200, "application/pdf"),
    "pdf header then html": (
        "证明.html",
        b"<html><body><script>alert(1)</script>%PDF-1.4</body></html>",
        "text/html",
    ),
    "truncated jpeg": ("照片.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    "empty": ("空.jpg", b"", "image/jpeg"),
}


def _zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "x" * 100)
    return out.getvalue()


@pytest.mark.parametrize("case", sorted(POLYGLOTS))
def test_polyglot_and_disguised_uploads_are_refused(world, media_root, case):
    name, data, content_type = POLYGLOTS[case]
    if data is None:
        data = _zip_bytes()
    response = _post_evidence(world, SimpleUploadedFile(name, data, content_type=content_type))
    assert response.status_code == 400, (case, response.content)
    assert "evidence" in response.json()
    assert not ChangeRequest.objects.exists()


def test_a_jpeg_with_a_script_appended_is_re_encoded_without_it(world, media_root):
    photo = ff.photo("证明.jpg").read() + b"<script>alert(1)</script><?php system($_GET[c]); ?>"
    response = _post_evidence(
        world, SimpleUploadedFile("证明.jpg", photo, content_type="image/jpeg")
    )
    assert response.status_code == 201, response.json()
    evidence = response.json()["evidence"][0]
    served = client_for(world.member_a.user).get(evidence["url"])
    body = b"".join(served.streaming_content) if served.streaming else served.content
    assert served.status_code == 200
    assert b"<script>" not in body and b"<?php" not in body
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Type"].startswith("image/")


def test_an_oversized_upload_is_a_clear_400(world, media_root, monkeypatch):
    monkeypatch.setattr("sanyuan.uploads.MAX_DOCUMENT_BYTES", 2000)
    pdf = b"%PDF-1.4\n" + b"0" * 5000 + b"\n%%EOF\n"
    response = _post_evidence(
        world, SimpleUploadedFile("证明.pdf", pdf, content_type="application/pdf")
    )
    assert response.status_code == 400
    assert "evidence" in response.json()
    assert not ChangeRequest.objects.exists()


def test_a_pixel_flood_image_is_refused(world, media_root):
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, format="PNG")  # tiny file, 400 million pixels
    response = _post_evidence(
        world, SimpleUploadedFile("大图.png", out.getvalue(), content_type="image/png")
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


def test_too_many_evidence_files_are_a_clear_400(world, media_root):
    files = [ff.photo(f"{i}.jpg") for i in range(6)]
    response = client_for(world.member_a.user).post(
        "/api/me/change-requests/",
        {"changes": json.dumps({"employer": "新单位"}), "reason": "换了工作", "evidence": files},
        format="multipart",
    )
    assert response.status_code == 400
    assert not ChangeRequest.objects.exists()


# Formula cells ---------------------------------------------------------------------------------

FORMULAS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", '=HYPERLINK("http://x","点我")', "\t=1+1"]


def test_formula_cells_are_neutralised_in_the_member_export(world):
    staff = client_for(world.staff_a)
    staff.patch(
        f"/api/members/{world.member_a.pk}/",
        {"employer": FORMULAS[4], "destination_address": "=cmd|' /C calc'!A0"},
        format="json",
    )
    response = login_staff(Client(), world.staff_a).get("/staff/members/export/")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [
        cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)
    ]
    risky = [v for v in values if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert risky == []
    assert any(v.startswith("'=HYPERLINK") for v in values)


def test_formula_cells_in_a_roster_import_are_refused_or_kept_as_text(world):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号码", "手机号码", "党组织代码", "工作单位"])
    sheet.append(["=1+1", valid_id_number(), "13800138000", world.branch_a1.code, "x"])
    sheet.append(["马六", valid_id_number(), "13800138001", world.branch_a1.code, FORMULAS[4]])
    out = io.BytesIO()
    book.save(out)
    client = login_staff(Client(), world.staff_a)
    response = client.post(
        "/staff/members/import/",
        {"file": SimpleUploadedFile("花名册.xlsx", out.getvalue())},
    )
    assert response.status_code in (200, 302, 400)
    assert not Member.objects.filter(name="=1+1").exists()
    assert not Member.objects.filter(employer__startswith="=").exists()


# Header tricks ---------------------------------------------------------------------------------


def test_a_forged_x_forwarded_for_does_not_change_the_audited_address(api, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    api.post(
        "/api/auth/login/",
        {"username": "staff_a", "password": "wrong-pass-1"},
        format="json",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.8.8",
    )
    event = AuditEvent.objects.get(action="login.failure")
    assert event.ip_address == "10.8.8.8"  # the address nginx saw, not the forged one


def test_a_garbage_x_forwarded_for_is_not_a_500(api, world, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for value in ["not-an-ip", "999.999.999.999", "", ",,,", "<script>", "1.2.3.4\x0b"]:
        response = api.post(
            "/api/auth/login/",
            {"username": "staff_a", "password": "wrong-pass-1"},
            format="json",
            HTTP_X_FORWARDED_FOR=value,
        )
        assert response.status_code in (400, 429), value


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Token \xff\xfe" + "a" * 62, 401),  # Latin-1 bytes that are not UTF-8
        ("Token " + "é" * 64, 401),
        ("Token " + "z" * 64, 401),  # right length, not hex
        ("Token", 401),
        ("Token a b", 401),
        ("Token \x00" + "0" * 63, 400),  # NUL bytes are refused before authentication
    ],
)
def test_a_malformed_token_header_is_a_clear_error(world, header, status):
    client = Client(raise_request_exception=False)
    response = client.get("/api/me/", HTTP_AUTHORIZATION=header)
    assert response.status_code == status, header
    detail = response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail  # in Chinese


NON_OBJECT_BODIES = {"list": [{"city": "440300"}], "number": 7, "string": "440300"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/temporary-branches/",
        "/api/hosting/",
        "/api/hosting/arrive/",
        "/api/hosting/999999/decline/",
    ],
)
@pytest.mark.parametrize("case", sorted(NON_OBJECT_BODIES))
def test_a_json_body_that_is_not_an_object_is_a_clear_400(world, path, case):
    """Found by the schema walk: these endpoints read `request.data.get` (a 500 for a list)."""
    response = client_for(world.staff_a).post(path, NON_OBJECT_BODIES[case], format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体应为JSON对象。"


# Phone + code login -------------------------------------------------------------------------

BAD_LOGIN_PHONES = {
    "empty": "",
    "short": "1381234567",
    "long": "138123456789",
    "letters": "138abcd5678",
    "landline": "02988886666",
    "zero-width inside": f"138{ZWSP}12345678",
    "rtl override inside": f"138{RLO}12345678",
    "sql": "13812345678'; --",
    "a list": ["13812345678"],
    "an object": {"phone": "13812345678"},
    "null": None,
}


@pytest.mark.parametrize("case", sorted(BAD_LOGIN_PHONES))
def test_a_bad_phone_asks_no_code_and_signs_nobody_in(api, world, sms_outbox, case):
    raw = BAD_LOGIN_PHONES[case]
    asked = api.post("/api/auth/login-code/", {"phone": raw}, format="json")
    assert asked.status_code == 400, (case, asked.content)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(asked.json()))
    verify = api.post(
        "/api/auth/login-code/verify/", {"phone": raw, "code": "123456"}, format="json"
    )
    assert verify.status_code == 400 and "token" not in verify.json()
    assert sms_outbox.messages() == []


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "12ab56", "１２３４５６", None, ["123456"]]
)
def test_a_bad_login_code_is_a_chinese_400(api, world, code):
    response = api.post(
        "/api/auth/login-code/verify/",
        {"phone": world.member_a.phone, "code": code},
        format="json",
    )
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(response.json()))

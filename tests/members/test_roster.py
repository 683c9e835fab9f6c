"""Roster import (dry run, skip bad rows, idempotent re-import) and Excel export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from openpyxl import Workbook, load_workbook

from members.identity import mask_id_number
from members.models import AuditEvent, Member, RosterImport, Skill
from members.services import imports
from sanyuan.errors import ServiceError
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HEADER = [
    "姓名",
    "身份证号码",
    "手机号码",
    "党组织代码",
    "入党时间",
    "流入省份",
    "流入城市",
    "职业",
    "技能",
    "月收入",
]


def xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig", header=HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def ids():
    return [factories.valid_id_number(birth="19880101", seq=n) for n in range(1, 9)]


@pytest.fixture
def welder(db):
    return Skill.objects.create(name="电焊")


def good_rows(ids, world):
    return [
        [
            "赵一",
            ids[0],
            "13900000101",
            "C-A-1",
            "2010-07-01",
            "广东省",
            "深圳市",
            "制造业工人",
            "电焊",
            "6000",
        ],
        ["钱二", ids[1], "13900000102", "C-A-2", "", "陕西", "西安市", "建筑施工", "", ""],
    ]


def upload(actor, data: bytes, name="花名册.xlsx") -> RosterImport:
    """Upload, then run the dry-run task as the commit would (Celery runs eagerly in tests)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        roster = imports.roster_upload(actor=actor, uploaded_file=SimpleUploadedFile(name, data))
    roster.refresh_from_db()
    return roster


def test_the_dry_run_lists_every_kind_of_bad_row_and_writes_nothing(world, ids, welder):
    existing_elsewhere = world.member_b  # in committee B: out of committee A's scope
    bad = [
        *good_rows(ids, world),
        [
            "孙三",
            ids[2][:-1] + ("0" if ids[2][-1] != "0" else "1"),
            "13900000103",
            "C-A-1",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        ["李四", ids[3], "13900000104", "C-A-1", "", "", "", "", "", ""],
        ["李四重", ids[3], "13900000105", "C-A-1", "", "", "", "", "", ""],
        ["周五", ids[4], "13900000106", "NO-SUCH", "", "", "", "", "", ""],
        ["吴六", ids[5], "13900000107", "C-B-1", "", "", "", "", "", ""],
        ["郑七", ids[6], "13900000108", "C-A-1", "2001-01-01", "", "", "", "", ""],
        ["王八", ids[7], "12345", "C-A-1", "", "火星", "", "宇航员", "御剑飞行", "很多"],
        ["王五", existing_elsewhere.id_number, "13900000110", "C-A-1", "", "", "", "", "", ""],
    ]
    before = Member.objects.count()
    roster = upload(world.staff_a, xlsx(bad))
    assert Member.objects.count() == before
    messages = {(e["row"], e["field"]): e["message"] for e in roster.errors_json}
    assert "校验位不正确" in messages[(4, "id_number")]
    assert "与第5行身份证号码重复" in messages[(6, "id_number")]
    assert "不存在或不在您的管理范围内" in messages[(7, "organization")]
    assert "不存在或不在您的管理范围内" in messages[(8, "organization")]  # committee B's branch
    assert "年满18周岁" in messages[(9, "joined_party_on")]
    assert "手机号码格式" in messages[(10, "phone")]
    assert "流入省份" in messages[(10, "destination")]
    assert "职业" in messages[(10, "occupation")]
    assert "技能" in messages[(10, "skills")]
    assert "月收入" in messages[(10, "monthly_income")]
    # An archive out of scope: that it exists and whom to ask, never where nor a masked copy.
    assert messages[(11, "id_number")] == "该身份证号码已有档案，请联系县委组织部。"
    # Messages never carry a full ID number; masked ones are fine.
    text = str(roster.errors_json)
    for full in [*ids, existing_elsewhere.id_number]:
        assert full not in text
    assert mask_id_number(existing_elsewhere.id_number) not in text
    assert mask_id_number(ids[3]) in text  # the file's own duplicate
    assert (roster.total_rows, roster.valid_rows, roster.created) == (10, 3, 3)


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    """Confirm an import and run the Celery task as the commit would (eager in tests)."""

    def run(actor, roster):
        with django_capture_on_commit_callbacks(execute=True):
            imports.roster_confirm(actor=actor, roster=roster)
        roster.refresh_from_db()
        return roster

    return run


def test_importing_the_valid_rows_skips_the_listed_ones_then_re_importing_changes_nothing(
    world, ids, welder, confirm
):
    data = xlsx(
        [*good_rows(ids, world), ["坏行", "123", "13900000199", "C-A-1", "", "", "", "", "", ""]]
    )
    roster = upload(world.staff_a, data)
    confirm(world.staff_a, roster)
    assert roster.status == "done" and (roster.created, roster.updated, roster.unchanged) == (
        2,
        0,
        0,
    )
    assert roster.content == ""  # the file is deleted after the import
    zhao = Member.objects.get(name="赵一")
    assert zhao.destination_province == "440000" and zhao.destination_city == "440300"
    assert zhao.occupation == "manufacturing" and list(zhao.skills.all()) == [welder]
    assert zhao.monthly_income == 6000 and str(zhao.joined_party_on) == "2010-07-01"
    assert zhao.history.count() == 1

    again = upload(world.staff_a, data)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    confirm(world.staff_a, again)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Member.objects.filter(name__in=["赵一", "钱二"]).count() == 2


def test_a_changed_row_updates_the_existing_archive(world, ids, welder, confirm):
    roster = upload(world.staff_a, xlsx(good_rows(ids, world)))
    confirm(world.staff_a, roster)
    rows = good_rows(ids, world)
    rows[0][2] = "13900000999"
    second = upload(world.staff_a, xlsx(rows))
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    confirm(world.staff_a, second)
    assert Member.objects.get(name="赵一").phone == "13900000999"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(world, ids, welder, encoding):
    roster = upload(
        world.staff_a, csv_bytes(good_rows(ids, world), encoding=encoding), name="roster.csv"
    )
    assert roster.errors_json == [] and roster.valid_rows == 2


def test_a_file_without_the_required_headers_is_refused(world):
    """The dry run runs in the background: a file it cannot read ends as 失败 with the reason
    in Chinese, its content deleted, and nothing checked or imported."""
    roster = upload(world.staff_a, xlsx([["x"]], header=["名字"]))
    assert roster.status == "failed" and "表头缺少" in roster.failure
    assert roster.content == "" and roster.valid_rows == 0
    roster = upload(world.staff_a, b"\x00\x01\x02binary", name="x.csv")
    assert roster.status == "failed" and roster.failure
    with pytest.raises(ServiceError, match="文件是空的"):
        upload(world.staff_a, b"  \n", name="x.csv")


def test_confirming_twice_or_discarding_after_import_is_409(world, ids, welder, confirm):
    roster = upload(world.staff_a, xlsx(good_rows(ids, world)))
    confirm(world.staff_a, roster)
    with pytest.raises(ServiceError):
        imports.roster_confirm(actor=world.staff_a, roster=roster)
    with pytest.raises(ServiceError):
        imports.roster_discard(actor=world.staff_a, roster=roster)


def test_the_staff_pages_walk_through_upload_check_and_import(
    client, world, ids, welder, django_capture_on_commit_callbacks
):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            "/staff/members/import/",
            {"file": SimpleUploadedFile("花名册.xlsx", xlsx(good_rows(ids, world)))},
        )
    assert response.status_code == 302
    # Until the background check has run, the page says it is checking and refreshes itself.
    page = client.get(response.url).content.decode()
    assert "正在逐行检查" in page and 'http-equiv="refresh"' in page
    for callback in callbacks:
        callback()
    page = client.get(response.url).content.decode()
    assert "导入 2 条有效行" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "import"})
    assert "导入完成" in client.get(response.url).content.decode()
    # Another committee's staff cannot open this roster.
    client.force_login(world.staff_b, backend="members.backends.StaffBackend")
    assert client.get(response.url).status_code == 404


def test_export_is_scoped_masked_formula_safe_and_logged(world):
    from members.services.archive import member_update

    member_update(
        actor=world.county_staff, member=world.member_a, employer='=HYPERLINK("http://evil")'
    )
    response = client_for(world.staff_a).get("/staff/members/export/")
    assert response.status_code in (302, 401, 403)  # pages use the session, not tokens
    from django.test import Client

    client = Client()
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    response = client.get("/staff/members/export/")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    names = {row[0] for row in rows[1:]}
    assert names == {"张三", "李四"}  # committee A only
    flat = str(rows)
    for member in (world.member_a, world.member_a2, world.member_b):
        assert member.id_number not in flat
    assert world.member_a.id_number_masked in flat
    employer = next(row for row in rows if row[0] == "张三")[15]
    assert employer.startswith("'=")
    event = AuditEvent.objects.get(action="member.export")
    assert event.actor == world.staff_a and event.detail["rows"] == 2


def test_the_check_counts_rows_with_problems_not_problems(client, world, ids):
    """Three bad rows with two problems each are three rows, listed once each."""
    bad = [
        ["坏一", ids[0], "123", "NOPE", "", "", "", "", "", ""],
        ["坏二", ids[1], "456", "NOPE", "", "", "", "", "", ""],
        ["坏三", ids[2], "789", "NOPE", "", "", "", "", "", ""],
    ]
    roster = upload(world.staff_a, xlsx(bad))
    assert len(roster.errors_json) == 6 and roster.error_rows == 3
    assert [row for row, _ in roster.errors_by_row()] == [2, 3, 4]
    assert AuditEvent.objects.get(action="roster.check").detail["errors"] == 3
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    page = client.get(f"/staff/members/import/{roster.pk}/").content.decode()
    assert "<dt>有问题的行</dt><dd>3</dd>" in page
    assert page.count("<td>第2行</td>") == 1

"""The audit log reads in Chinese: a label for every action any app records, details as
键：值 text, actors and objects by name (members.audit_text)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from appraisals.services.common import AUDIT_ACTIONS as APPRAISAL_ACTIONS
from forum.services.moderation import POST_ACTIONS, THREAD_ACTIONS
from members.audit_text import ACTION_LABELS, DETAIL_LABELS, HIDDEN_DETAILS, detail_text
from members.models import AuditEvent
from members.services.audit import audit_record
from tests.factories import login_staff

ROOT = Path(__file__).resolve().parents[2]
APPS = ("members", "learning", "activities", "forum", "sanyuan", "appraisals")
CALL = re.compile(r"(?:audit_record|login_audit)\((.*?)\n\s*\)", re.S)
LITERAL_ACTION = re.compile(r'action="([a-z_.]+)"')
DETAIL_KEYS = re.compile(r"detail=\{([^{}]*)\}", re.S)
KEY = re.compile(r'"([a-z_]+)":')


def sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def recorded_actions() -> set[str]:
    """Every action code the code can record: literals, and the f-strings' known values."""
    actions = {"login.success", "login.failure"}  # login_audit's conditional
    for _, text in sources():
        for call in CALL.findall(text):
            actions.update(LITERAL_ACTION.findall(call))
    actions.update(f"forum.thread.{action}" for action in THREAD_ACTIONS)
    actions.update(f"forum.post.{action}" for action in POST_ACTIONS)
    actions.update({"forum.report.resolved", "forum.report.dismissed"})
    actions.update(f"appraisal.{action}" for action in APPRAISAL_ACTIONS)
    return actions


def test_the_scan_finds_the_actions_of_every_app():
    actions = recorded_actions()
    assert {"member.view", "activity.attendance_export", "learning.study_export"} <= actions
    assert "activity.reply_by_staff" in actions and len(actions) > 35


def test_every_action_the_code_records_has_a_chinese_label():
    missing = sorted(recorded_actions() - set(ACTION_LABELS))
    assert not missing, f"add labels to members.audit_text.ACTION_LABELS: {missing}"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in ACTION_LABELS.values())


def test_every_detail_key_the_code_writes_has_a_chinese_label():
    keys = {"kind", "reason", "id_number", "username"}  # login_audit's
    for _, text in sources():
        for block in DETAIL_KEYS.findall(text):
            keys.update(KEY.findall(block))
    keys.update({"created", "updated", "unchanged"})  # the roster import's counts
    missing = sorted(keys - set(DETAIL_LABELS) - HIDDEN_DETAILS)
    assert not missing, f"add labels to members.audit_text.DETAIL_LABELS: {missing}"


@pytest.mark.django_db  # region names come from the region table
def test_details_read_as_chinese_key_value_text():
    assert (
        detail_text({"reason": "手机号已停用", "code_id": 3}) == "原因：手机号已停用；验证码编号：3"
    )
    assert detail_text({"fields": ["phone", "employer"]}) == "涉及字段：手机号码、工作单位"
    denied = detail_text({"status": 403, "method": "GET", "path": "/staff/", "view": "x:y"})
    assert denied == "状态码：403；请求方式：打开；地址：/staff/"
    login = detail_text({"kind": "staff", "username": "wang", "reason": "second_factor"})
    assert login == "账号类型：工作人员；账号：wang；原因：动态验证码错误"
    filters = detail_text({"filters": {"status": "away", "destination_province": "440000"}})
    assert filters == "筛选条件：流动状态=外出流动，流入省份=广东省"
    assert detail_text({"figure": "province"}, "stats.export") == "统计项：流入省份"


@pytest.mark.django_db
def test_organisation_details_name_the_kind_and_the_organisations(world):
    text = detail_text({"kind": "branch", "parent": world.committee_a.pk}, "organization.create")
    assert text == "组织类型：党支部；上级组织：城关街道党工委"
    moved = detail_text({"from": world.committee_a.pk, "to": None}, "organization.move")
    assert moved == "原上级组织：城关街道党工委；新上级组织：（空）"


@pytest.mark.django_db
def test_the_audit_page_shows_labels_names_and_readable_details(world):
    member_user = world.member_a.user
    audit_record(actor=member_user, action="login.success", target=world.member_a, ip="10.1.1.1")
    audit_record(
        actor=world.county_staff,
        action="member.change",
        target=world.member_a,
        detail={"fields": ["employer"]},
    )
    page = login_staff(Client(), world.county_staff).get("/staff/audit/").content.decode()
    assert "登录成功" in page and "修改档案" in page and "涉及字段：工作单位" in page
    assert f"流动党员档案 {world.member_a}" in page
    assert "张三" in page and member_user.username not in page
    assert "login.success" not in page.replace('value="login.success"', "")
    assert "members.member" not in page.replace('value="members.member"', "")
    assert "{&#x27;fields&#x27;" not in page and "{'fields'" not in page


@pytest.mark.django_db
def test_the_admin_audit_list_reads_in_chinese(world):
    audit_record(actor=world.county_staff, action="one_time_code.issue", detail={"reason": "换号"})
    client = login_staff(Client(), world.county_staff)
    page = client.get("/admin/members/auditevent/").content.decode()
    assert "签发激活验证码" in page and "原因：换号" in page
    assert "one_time_code.issue</" not in page and '{"reason"' not in page
    event = AuditEvent.objects.get(action="one_time_code.issue")
    change = client.get(f"/admin/members/auditevent/{event.pk}/change/").content.decode()
    assert "签发激活验证码" in change and "one_time_code" not in change

"""The staff 工作台's to-dos come from the providers each app lists in settings."""

import pytest
from django.test import Client

from members.models import Hosting
from members.services.changes import change_request_submit
from tests import factories
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


def my_provider(user):
    return [
        {"label": "测试待办", "count": 2, "url": "/staff/"},
        {"label": "没有事的待办", "count": 0, "url": "/staff/"},
    ]


def test_a_provider_listed_in_settings_adds_its_todos_and_empty_ones_are_left_out(world, settings):
    settings.STAFF_TODO_PROVIDERS = [*settings.STAFF_TODO_PROVIDERS, f"{__name__}.my_provider"]
    body = login_staff(Client(), world.staff_a).get("/staff/").content.decode()
    assert "测试待办" in body and "没有事的待办" not in body


def test_pending_reviews_are_counted_for_the_staff_in_scope_only(world):
    change_request_submit(member=world.member_a, changes={"employer": "比亚迪"}, reason="换了工作")
    in_scope = login_staff(Client(), world.staff_a).get("/staff/").content.decode()
    out_of_scope = login_staff(Client(), world.staff_b).get("/staff/").content.decode()
    assert "待审核的档案修改申请" in in_scope
    assert "待审核的档案修改申请" not in out_of_scope


def test_host_staff_see_arrivals_to_confirm_and_no_home_todos(world):
    host = factories.organization("深圳市流动党员服务中心", kind="host", parent=None)
    host_staff = factories.staff("host_staff", "committee", host)
    Hosting.objects.create(member=world.member_a, host_organization=host)
    body = login_staff(Client(), host_staff).get("/staff/").content.decode()
    assert "待确认报到的流动党员" in body
    assert "待审核的档案修改申请" not in body and "超过90天未联系" not in body


def test_a_member_opening_the_workbench_gets_a_chinese_403(world):
    client = Client()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    response = client.get("/staff/")
    assert response.status_code == 403 and "仅限党组织工作人员使用" in response.content.decode()

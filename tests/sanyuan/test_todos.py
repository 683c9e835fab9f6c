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


def urgent_provider(user):
    from datetime import timedelta

    from django.utils import timezone

    from sanyuan.todos import ATTENTION, ROUTINE, URGENT

    now = timezone.now()
    return [
        {"label": "常规事项", "count": 5, "url": "/staff/", "priority": ROUTINE},
        {"label": "新到的申请", "count": 1, "url": "/staff/", "priority": URGENT, "since": now},
        {"label": "需要联系的党员", "count": 9, "url": "/staff/", "priority": ATTENTION},
        {
            "label": "等了很久的申请",
            "count": 1,
            "url": "/staff/",
            "priority": URGENT,
            "since": now - timedelta(days=12),
        },
    ]


def test_the_most_urgent_todos_come_first_and_the_longest_waiting_among_them(world, settings):
    settings.STAFF_TODO_PROVIDERS = [f"{__name__}.urgent_provider"]
    body = login_staff(Client(), world.staff_a).get("/staff/").content.decode()
    order = [
        body.index(label)
        for label in ("等了很久的申请", "新到的申请", "需要联系的党员", "常规事项")
    ]
    assert order == sorted(order)
    assert "最早一件已等待12天" in body and "待回应" in body


def test_the_registry_and_forum_todos_say_how_long_the_oldest_has_waited(world):
    from datetime import timedelta

    from django.utils import timezone

    from members.models import ChangeRequest
    from sanyuan.todos import staff_todos

    request = change_request_submit(
        member=world.member_a, changes={"employer": "比亚迪"}, reason="换了工作"
    )
    ChangeRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=3, hours=1)
    )
    todos = {todo["label"]: todo for todo in staff_todos(world.staff_a)}
    review = todos["待审核的档案修改申请"]
    assert review["count"] == 1 and review["waited_days"] == 3 and review["priority"] == 1
    assert next(iter(todos)) == "待审核的档案修改申请"


def test_an_empty_workbench_says_there_is_nothing_to_do(world, settings):
    settings.STAFF_TODO_PROVIDERS = []
    body = login_staff(Client(), world.staff_b).get("/staff/").content.decode()
    assert "目前没有需要处理的事项" in body and "最紧急的在前" in body
    assert 'class="todo-list"' not in body

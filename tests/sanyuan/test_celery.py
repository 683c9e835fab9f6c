import uuid

import pytest

from sanyuan.celery import app
from sanyuan.tasks import ping_task


@pytest.mark.slow
def test_a_task_travels_through_the_real_redis_to_a_real_worker_and_back(celery_worker_process):
    token = uuid.uuid4().hex
    result = ping_task.delay(token)
    assert result.get(timeout=30) == f"pong:{token}"


def test_celery_is_configured_for_no_loss():
    conf = app.conf
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.broker_url.startswith("redis://")

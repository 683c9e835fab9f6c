"""The dashboard rollup runs once at a time: a run that starts while another still holds the
lock (in the broker's Redis) skips; a lock whose holder died expires."""

import pytest

from members.models import StatsRollup
from members.tasks import stats_rollup_task
from sanyuan.locks import PREFIX, single_flight
from sanyuan.redisconf import broker_client
from tests.ops.conftest import wait_for

pytestmark = pytest.mark.django_db

LOCK = "members.stats-rollup"


@pytest.fixture(autouse=True)
def _no_leftover_lock():
    broker_client().delete(PREFIX + LOCK)
    yield
    broker_client().delete(PREFIX + LOCK)


def run_rollup() -> dict:
    return stats_rollup_task.apply().get()


def test_a_rollup_started_while_another_runs_skips_and_changes_nothing(world, settings):
    settings.STATS_LIVE_MAX_MEMBERS = 0  # keep every subtree, so a run writes rows
    with single_flight(LOCK, timeout=60) as mine:
        assert mine
        assert run_rollup() == {"skipped": True}
        assert not StatsRollup.objects.exists()
        with single_flight(LOCK, timeout=60) as second:
            assert second is False
    done = run_rollup()
    assert done["rows"] > 0 and StatsRollup.objects.exists()
    assert broker_client().get(PREFIX + LOCK) is None  # released after the run


def test_the_lock_of_a_run_that_died_expires(world):
    broker_client().lock(PREFIX + LOCK, timeout=1).acquire()  # never released
    assert run_rollup() == {"skipped": True}
    assert wait_for(lambda: "skipped" not in run_rollup(), 10)


def test_without_redis_the_rollup_waits_for_its_next_turn(world, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert run_rollup() == {"skipped": True}

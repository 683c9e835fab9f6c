"""PostgreSQL restarted under a running gunicorn: requests fail cleanly (503, Chinese page or
JSON, within a bounded time), then succeed again without restarting anything. Uses a
throwaway cluster on a free port, never the shared server."""

import json
import time

import pytest

from tests import factories
from tests.ops.conftest import database_url, http_get

pytestmark = pytest.mark.slow
METRICS_TOKEN = "fault-test-token"


def test_a_database_restart_gives_503s_then_recovers_without_restarting_the_app(
    throwaway_postgres, start_gunicorn
):
    world = factories.build_world()
    token, _ = factories.token_for(world.member_a.user)
    throwaway_postgres.copy_database_from(database_url(), "sanyuan")
    app = start_gunicorn(
        DATABASE_URL=throwaway_postgres.url("sanyuan"), METRICS_TOKEN=METRICS_TOKEN
    )
    api = {"Authorization": f"Token {token}", "Accept": "application/json"}
    page = {"Accept": "text/html"}
    metrics = {"Authorization": f"Bearer {METRICS_TOKEN}"}

    def me():
        return http_get(app.url + "/api/me/", headers=api)

    status, _h, body = me()
    assert status == 200 and json.loads(body)["name"] == "张三"
    assert http_get(app.url + "/", headers=page)[0] == 200
    assert http_get(app.url + "/study/", headers=page)[0] == 200
    workers_before = app.process.pid

    throwaway_postgres.stop()
    for _ in range(4):  # both workers, with their persistent connections now dead
        started = time.monotonic()
        status, headers, body = me()
        elapsed = time.monotonic() - started
        print(f"database down: {status} in {elapsed * 1000:.0f} ms")
        assert elapsed < 10
        assert status == 503, body[:500]
        assert json.loads(body) == {
            "detail": "系统暂时无法访问数据库，请稍后再试。",
            "code": "service_unavailable",
        }
        assert headers["Retry-After"] == "30"
        status, _h, body = http_get(app.url + "/study/", headers=page)
        assert status == 503
        text = body.decode()
        assert "系统暂时无法访问" in text and "Traceback" not in text
    # The public home page lives on from the cache (its article lists are cached per audience).
    assert http_get(app.url + "/", headers=page)[0] == 200
    status, _h, body = http_get(app.url + "/healthz/")
    assert status == 503 and json.loads(body)["checks"]["database"] is False
    status, _h, body = http_get(app.url + "/metrics", headers=metrics)
    assert status == 200 and 'sanyuan_up{component="database"} 0.0' in body.decode()

    throwaway_postgres.start()
    for _ in range(6):  # every worker reconnects on its first request
        status, _h, body = me()
        assert status == 200, body[:500]
        assert http_get(app.url + "/", headers=page)[0] == 200
    assert http_get(app.url + "/healthz/")[0] == 200
    assert app.process.pid == workers_before and app.process.poll() is None

"""gunicorn for 同心三原 流动e家: `gunicorn -c gunicorn.conf.py` (deploy/systemd/sanyuan-web.service).

Every value below can be set from the environment (the unit's environment file), so that one
file serves small and large hosts. nginx sits in front (deploy/nginx/sanyuan.conf): it buffers
slow clients and sends the files, so plain synchronous workers are enough.
"""

import multiprocessing
import os
import tempfile


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


wsgi_app = "sanyuan.wsgi:application"
# 127.0.0.1 when nginx runs on the same host; the host's private address when nginx on
# another host balances several web hosts (then let only nginx reach this port).
bind = [part.strip() for part in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"
# A request still running after this many seconds is a hung worker: killed and replaced.
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Workers are replaced after this many requests (with jitter), which bounds slow leaks.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Only nginx may tell gunicorn the original scheme (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")  # "-": stdout, i.e. the journal
# The path without the query string (`%(U)s`, not the request line `%(r)s`): a search term
# or token in a query string must not end up in the logs.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(D)sus'


def _access_logger():
    """gunicorn's logger with control characters in the access log's values escaped: the
    path is percent-decoded, so `/a%0Aforged` would otherwise write a line of its own."""
    from gunicorn.glogging import Logger

    from sanyuan.logsafe import log_safe

    class SafeAccessLogger(Logger):
        def atoms(self, resp, req, environ, request_time):
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: log_safe(v) if isinstance(v, str) else v for k, v in atoms.items()}

    return SafeAccessLogger


logger_class = _access_logger()
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = "sanyuan-web"

# /metrics adds up the request counters of all workers through prometheus-client's
# multiprocess mode: a directory the workers write to, emptied when gunicorn starts
# (systemd: RuntimeDirectory=sanyuan, PROMETHEUS_MULTIPROC_DIR=/run/sanyuan/metrics).
metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="sanyuan-metrics-"
)
os.makedirs(metrics_dir, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir


def on_starting(server):
    for name in os.listdir(metrics_dir):
        if name.endswith(".db"):
            os.unlink(os.path.join(metrics_dir, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)

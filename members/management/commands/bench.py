"""The benchmark (issue 10): one run against gunicorn with PostgreSQL and Redis, on a scratch
database filled by `seed_scale`. Measures each endpoint's latency (p50/p95/p99), requests per
second, SQL queries per request, the floor (/healthz/) in the same run, mixed member traffic
with concurrent clients, and the memory of the gunicorn workers.

    DATABASE_URL=postgres://postgres@127.0.0.1/sanyuan_scale python manage.py bench

Ids are picked with raw SQL (this command lives in `sanyuan` and imports no app). Clients use
many distinct accounts (knox tokens made directly), so lockout and throttles never skew it.
"""

import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

TARGETS = {
    "member": {"median_x_floor": 6.0, "p95_ms": 25.0},
    "staff": {"p95_ms": 50.0},
    "id_search": {"p95_ms": 10.0},
    "fulltext": {"p95_ms": 150.0},
    "county_dashboard": {"p95_ms": 500.0},
    "committee_dashboard": {"p95_ms": 100.0},
    # Issue 26: the member mix at 16 clients against the floor's throughput in the same run.
    "mix": {"ratio_to_floor": 0.5, "p95_ms": 100.0},
    "soak": {"rss_growth": 1.05},
}


def sql(query, params=()):
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def percentile(values, q):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class Client:
    """One keep-alive HTTP connection."""

    def __init__(self, port):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method, path, headers=None, body=None):
        headers = {"Host": "localhost", "X-Forwarded-Proto": "https", **(headers or {})}
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                return response.status, elapsed, response.getheader("X-Query-Count"), data
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


class Command(BaseCommand):
    help = (
        "Benchmark the endpoints of issue 10 against gunicorn (scratch database from seed_scale)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests", type=int, default=200, help="sequential requests per endpoint"
        )
        parser.add_argument("--concurrency", type=int, default=16)
        parser.add_argument("--mixed-seconds", type=float, default=20.0)
        parser.add_argument(
            "--soak-seconds", type=float, default=0.0, help="memory run (600 for 10 minutes)"
        )
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--threads", type=int, default=2)
        parser.add_argument("--output", default="bench-results/bench.json")
        parser.add_argument(
            "--profile",
            type=int,
            default=0,
            metavar="N",
            help="profile the N slowest endpoints in-process with pyinstrument (pip install pyinstrument)",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench needs PostgreSQL (a scratch database filled by seed_scale).")
        members = sql("SELECT count(*) FROM members_member")[0][0]
        if members == 0:
            raise CommandError("No members: run seed_scale first.")
        self.opts = options
        self.port = self._free_port()
        self.stdout.write(f"database: {members:,} members; gunicorn on port {self.port}")
        self._refresh_rollups()
        fixtures = self._fixtures()
        server = self._start_gunicorn()
        try:
            results = self._run(fixtures)
            results["memory"] = self._memory(server, fixtures, options["soak_seconds"])
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        results["machine"] = {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "postgresql": sql("SHOW server_version")[0][0],
            "members": members,
            "orm_lookup_us": self._orm_lookup_us(),
        }
        if options["profile"]:
            results["profiles"] = self._profile(results["endpoints"], fixtures, options["profile"])
        self._report(results)

    # Set-up ---------------------------------------------------------------------------------

    @staticmethod
    def _orm_lookup_us() -> float:
        """How fast this host is: one ORM primary-key lookup, in µs (NOTES gives ~240 µs for
        this machine kind), so that runs on different hosts can be compared."""
        from django.contrib.auth import get_user_model

        model = get_user_model()
        pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
        for _ in range(50):
            model.objects.get(pk=pk)
        started = time.perf_counter()
        for _ in range(1000):
            model.objects.get(pk=pk)
        return round((time.perf_counter() - started) * 1000, 1)

    @staticmethod
    def _free_port():
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]

    def _refresh_rollups(self):
        import importlib

        started = time.perf_counter()
        result = importlib.import_module("members.services.stats").stats_rollup_refresh()
        self.stdout.write(
            f"dashboard rollup refreshed in {time.perf_counter() - started:.1f} s ({result['rows']:,} rows)"
        )

    def _tokens(self, user_ids):
        from knox.models import AuthToken

        model = AuthToken.objects.model
        tokens = []
        for user_id in user_ids:
            _, token = AuthToken.objects.create(
                user=model._meta.get_field("user").related_model(pk=user_id)
            )
            tokens.append(token)
        return tokens

    def _session(self, user_id) -> str:
        """A signed-in member's session cookie (the pages use sessions, the API tokens)."""
        from django.contrib.auth import (
            BACKEND_SESSION_KEY,
            HASH_SESSION_KEY,
            SESSION_KEY,
            get_user_model,
        )
        from django.contrib.sessions.backends.db import SessionStore

        user = get_user_model().objects.get(pk=user_id)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "members.backends.MemberBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    def _fixtures(self) -> dict:
        rng = random.Random(11)
        member_users = [
            row[0]
            for row in sql(
                "SELECT user_id FROM members_member WHERE user_id IS NOT NULL ORDER BY random() LIMIT 64"
            )
        ]
        county_staff = sql(
            "SELECT p.user_id FROM members_organizationuserobjectpermission p JOIN members_organization o "
            "ON o.id = p.content_object_id WHERE o.kind IN ('province', 'city', 'county') LIMIT 1"
        )[0][0]
        committee = sql(
            "SELECT p.user_id, o.id, o.path FROM members_organizationuserobjectpermission p JOIN members_organization o "
            "ON o.id = p.content_object_id WHERE o.kind = 'committee' ORDER BY o.id LIMIT 1"
        )[0]
        committee_staff, committee_id, committee_path = committee
        id_cipher = sql("SELECT id_number FROM members_member ORDER BY id LIMIT 1")[0][0]
        from sanyuan.crypto import decrypt

        name_fragment = sql(
            "SELECT substr(m.name, 1, 1) FROM members_member m JOIN members_organization o ON o.id = m.organization_id "
            "WHERE o.path LIKE %s LIMIT 1",
            [committee_path + "%"],
        )[0][0]
        article = sql(
            "SELECT id FROM learning_article WHERE status = 'published' AND audience = 'public' ORDER BY id DESC LIMIT 1"
        )
        big_thread = sql(
            "SELECT id FROM forum_thread WHERE board = 'forum' ORDER BY reply_count DESC LIMIT 1"
        )
        self.stdout.write("creating tokens for 64 members and 2 staff ...")
        tokens = self._tokens(member_users)
        session = self._session(member_users[0])
        staff_tokens = self._tokens([county_staff, committee_staff])
        return {
            "rng": rng,
            "member_tokens": tokens,
            "member_session": session,
            "county_token": staff_tokens[0],
            "committee_token": staff_tokens[1],
            "committee_id": committee_id,
            "id_number": decrypt(id_cipher),
            "name_fragment": name_fragment,
            "article_id": article[0][0] if article else None,
            "big_thread": big_thread[0][0] if big_thread else None,
            # A committee account: the county tier's second factor would answer 400.
            "login_user": sql(
                "SELECT u.username FROM members_user u "
                "JOIN members_organizationuserobjectpermission p ON p.user_id = u.id "
                "JOIN members_organization o ON o.id = p.content_object_id "
                "WHERE u.username LIKE 'scale_staff_%%' AND o.kind = 'committee' "
                "ORDER BY u.id LIMIT 1"
            )[0][0],
        }

    def _start_gunicorn(self):
        env = dict(os.environ)
        # Workers are not recycled during a run, so that memory growth would show.
        env.update(
            BENCH_QUERY_COUNT="1",
            DEBUG="0",
            SECURE_SSL_REDIRECT="0",
            LOG_LEVEL="WARNING",
            GUNICORN_MAX_REQUESTS="0",
            GUNICORN_ACCESS_LOG="/dev/null",
        )
        env.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
        static_root = Path(settings.BASE_DIR) / "var" / "bench-static"
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env={**env, "STATIC_ROOT": str(static_root)},
            cwd=settings.BASE_DIR,
            check=True,
        )
        env["STATIC_ROOT"] = str(static_root)
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "sanyuan.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.opts["workers"]),
            "--worker-class",
            "gthread",
            "--threads",
            str(self.opts["threads"]),
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ]
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, *_ = Client(self.port).request("GET", "/healthz/")
                if status == 200:
                    return process
            except OSError:
                pass
            time.sleep(0.3)
        process.kill()
        raise CommandError("gunicorn did not answer /healthz/ within 60 s")

    # Measurements ---------------------------------------------------------------------------

    def _endpoints(self, f) -> list[dict]:
        member = {"Authorization": f"Token {f['member_tokens'][0]}"}
        county = {"Authorization": f"Token {f['county_token']}"}
        committee = {"Authorization": f"Token {f['committee_token']}"}
        client = Client(self.port)
        forum_page_1000 = self._follow(client, "/api/forum/threads/?board=forum", member, 999)
        thread_first = f"/api/forum/threads/{f['big_thread']}/posts/" if f["big_thread"] else None
        thread_last = self._follow(client, thread_first, member, 10_000) if thread_first else None
        endpoints = [
            ("floor: /healthz/", "GET", "/healthz/", {}, "floor"),
            (
                "login (Argon2, outside targets)",
                "POST",
                "/api/auth/login/",
                {"Content-Type": "application/json"},
                "login",
            ),
            ("/api/me/", "GET", "/api/me/", member, "member"),
            ("home page (HTML, signed in)", "GET", "/", {"Cookie": f["member_session"]}, "member"),
            ("inbox /api/notices/", "GET", "/api/notices/", member, "member"),
            ("article list", "GET", "/api/articles/", member, "member"),
            ("article page", "GET", f"/api/articles/{f['article_id']}/", member, "member"),
            ("activity list", "GET", "/api/activities/", member, "member"),
            ("forum threads page 1", "GET", "/api/forum/threads/?board=forum", member, "member"),
            ("forum threads page 1,000", "GET", forum_page_1000, member, "member"),
            ("1,000-reply thread, first page", "GET", thread_first, member, "member"),
            ("1,000-reply thread, last page", "GET", thread_last, member, "member"),
            (
                "staff list, committee + filters",
                "GET",
                "/api/members/?" + urlencode({"organization": f["committee_id"], "status": "away"}),
                committee,
                "staff",
            ),
            (
                "staff list, county + filters",
                "GET",
                "/api/members/?" + urlencode({"destination_province": "440000", "status": "away"}),
                county,
                "staff",
            ),
            (
                "member search, name fragment",
                "GET",
                "/api/members/?" + urlencode({"q": f["name_fragment"]}),
                committee,
                "staff",
            ),
            (
                # In the body, never in a URL (issue 16): the search the site offers.
                "member search, full ID number (POST /api/members/search/)",
                "POST",
                "/api/members/search/",
                {**county, "Content-Type": "application/json"},
                "id_search",
            ),
            (
                "article search (Chinese full text)",
                "GET",
                "/api/articles/?" + urlencode({"q": "流动党员"}),
                member,
                "fulltext",
            ),
            (
                "change-request queue",
                "GET",
                "/api/change-requests/?status=pending",
                county,
                "staff",
            ),
            ("county dashboard", "GET", "/api/stats/overview/", county, "county_dashboard"),
            (
                "committee dashboard",
                "GET",
                "/api/stats/overview/",
                committee,
                "committee_dashboard",
            ),
        ]
        return [
            {"name": name, "method": method, "path": path, "headers": headers, "group": group}
            for name, method, path, headers, group in endpoints
            if path
        ]

    def _follow(self, client, path, headers, pages):
        current = path
        for _ in range(pages):
            status, _, _, body = client.request("GET", current, headers)
            if status != 200:
                break
            following = json.loads(body).get("next")
            if not following:
                break
            parts = urlsplit(following)
            current = parts.path + ("?" + parts.query if parts.query else "")
        return current

    def _measure(self, endpoint, count, f):
        client = Client(self.port)
        body = None
        if endpoint["group"] == "id_search":
            body = json.dumps({"q": f["id_number"]})
        if endpoint["group"] == "login":
            body = json.dumps({"username": f["login_user"], "password": "Scale@2026"})
            count = min(count, 20)
        for _ in range(3):
            client.request(endpoint["method"], endpoint["path"], endpoint["headers"], body)
        latencies, queries, errors = [], set(), 0
        started = time.perf_counter()
        for _ in range(count):
            status, elapsed, query_count, _ = client.request(
                endpoint["method"], endpoint["path"], endpoint["headers"], body
            )
            latencies.append(elapsed)
            if query_count is not None:
                queries.add(int(query_count))
            if status >= 400:
                errors += 1
        wall = time.perf_counter() - started
        return {
            "name": endpoint["name"],
            "group": endpoint["group"],
            "path": endpoint["path"],
            "p50_ms": round(statistics.median(latencies), 2),
            "p95_ms": round(percentile(latencies, 95), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "rps_single_client": round(count / wall, 1),
            "queries": sorted(queries),
            "errors": errors,
        }

    def _mixed(self, f, paths, seconds, concurrency, floor=False):
        stop = time.monotonic() + seconds
        latencies, errors, lock = [], [0], threading.Lock()

        def worker(index):
            client = Client(self.port)
            token = f["member_tokens"][index % len(f["member_tokens"])]
            headers = {"Authorization": f"Token {token}"}
            rng = random.Random(index)
            local, local_errors = [], 0
            while time.monotonic() < stop:
                path = "/healthz/" if floor else rng.choice(paths)
                status, elapsed, _, _ = client.request("GET", path, {} if floor else headers)
                local.append(elapsed)
                if status >= 400:
                    local_errors += 1
            with lock:
                latencies.extend(local)
                errors[0] += local_errors

        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        return {
            "requests": len(latencies),
            "rps": round(len(latencies) / wall, 1),
            "p50_ms": round(statistics.median(latencies), 2) if latencies else 0,
            "p95_ms": round(percentile(latencies, 95), 2),
            "p99_ms": round(percentile(latencies, 99), 2),
            "errors": errors[0],
        }

    def _run(self, f):
        endpoints = self.endpoints = self._endpoints(f)
        rows = []
        for endpoint in endpoints:
            rows.append(self._measure(endpoint, self.opts["requests"], f))
            self.stdout.write(
                f"  {rows[-1]['name']:<40} p50 {rows[-1]['p50_ms']:8.2f} ms  p95 {rows[-1]['p95_ms']:8.2f} ms"
            )
        member_paths = [e["path"] for e in endpoints if e["group"] == "member"]
        concurrency = self.opts["concurrency"]
        seconds = self.opts["mixed_seconds"]
        floor_mixed = self._mixed(f, member_paths, seconds / 2, concurrency, floor=True)
        mixed = self._mixed(f, member_paths, seconds, concurrency)
        mixed["ratio_to_floor_rps"] = (
            round(mixed["rps"] / floor_mixed["rps"], 3) if floor_mixed["rps"] else None
        )
        return {"endpoints": rows, "floor_concurrent": floor_mixed, "mixed_member_traffic": mixed}

    def _memory(self, server, f, soak_seconds):
        def worker_rss():
            children = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            total = {}
            for pid in children:
                try:
                    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                        if line.startswith("VmRSS:"):
                            total[pid] = int(line.split()[1]) // 1024
                except OSError:
                    pass
            return total

        before = worker_rss()
        soak = None
        if soak_seconds:
            # The load test (issue 11): the member mix held for soak_seconds; memory of the
            # same worker processes before and after.
            endpoints = [e["path"] for e in self.endpoints if e["group"] == "member"]
            segments, samples = 10, []
            parts = []
            for _ in range(segments):
                parts.append(
                    self._mixed(f, endpoints, soak_seconds / segments, self.opts["concurrency"])
                )
                samples.append(sum(worker_rss().values()))
            requests = sum(p["requests"] for p in parts)
            soak = {
                "requests": requests,
                "rps": round(requests / soak_seconds, 1),
                "p50_ms": round(statistics.median([p["p50_ms"] for p in parts]), 2),
                "p95_ms": max(p["p95_ms"] for p in parts),
                "p99_ms": max(p["p99_ms"] for p in parts),
                "errors": sum(p["errors"] for p in parts),
                "rss_total_mb_each_tenth": samples,
                # Target: the workers' memory at the end at most 1.05x its value after the
                # first tenth (the first minute of a 10-minute soak).
                "rss_growth": round(samples[-1] / samples[0], 3)
                if samples and samples[0]
                else None,
            }
            self.stdout.write(f"soak: {soak}")
        after = worker_rss()
        return {
            "soak_seconds": soak_seconds,
            "soak": soak,
            "rss_mb_before": before,
            "rss_mb_after": after,
        }

    # Profile --------------------------------------------------------------------------------

    def _profile(self, rows, f, count) -> list[dict]:
        """Where the time goes in the `count` slowest endpoints (by p50): each request run 20
        times in this process through Django's test client under pyinstrument; the text
        profile goes next to the JSON report."""
        try:
            from pyinstrument import Profiler
        except ImportError as exc:
            raise CommandError("--profile needs pyinstrument: pip install pyinstrument") from exc
        from django.test import Client as DjangoClient

        endpoints = {e["name"]: e for e in self.endpoints}
        slowest = sorted(
            (row for row in rows if row["group"] not in {"floor", "login"}),
            key=lambda row: row["p50_ms"],
            reverse=True,
        )[:count]
        directory = Path(self.opts["output"]).parent
        directory.mkdir(parents=True, exist_ok=True)
        profiles = []
        for row in slowest:
            endpoint = endpoints[row["name"]]
            client = DjangoClient(HTTP_HOST="localhost", secure=True)
            headers = dict(endpoint["headers"])
            if "Cookie" in headers:
                name, _, value = headers.pop("Cookie").partition("=")
                client.cookies[name] = value
            extra = {
                "HTTP_" + key.upper().replace("-", "_"): value for key, value in headers.items()
            }
            extra.pop("HTTP_CONTENT_TYPE", None)
            body = json.dumps({"q": f["id_number"]}) if endpoint["group"] == "id_search" else None

            def call(client=client, endpoint=endpoint, body=body, extra=extra):
                if endpoint["method"] == "POST":
                    return client.post(
                        endpoint["path"], body, content_type="application/json", **extra
                    )
                return client.get(endpoint["path"], **extra)

            call()  # warm imports and connections
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(20):
                response = call()
            profiler.stop()
            slug = "".join(ch if ch.isalnum() else "-" for ch in row["name"]).strip("-")
            path = directory / f"profile-{slug}.txt"
            path.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
            profiles.append(
                {"name": row["name"], "status": response.status_code, "file": str(path)}
            )
            self.stdout.write(f"profile of {row['name']}: {path}")
        return profiles

    # Report ---------------------------------------------------------------------------------

    def _report(self, results):
        rows = results["endpoints"]
        floor = next(row for row in rows if row["group"] == "floor")
        machine = results["machine"]
        lines = [
            f"Machine: {machine['cpus']} CPU cores, Python {machine['python']}, PostgreSQL "
            f"{machine['postgresql']}, {machine['members']:,} members; one ORM lookup "
            f"{machine['orm_lookup_us']} µs; gunicorn {self.opts['workers']} "
            f"workers × {self.opts['threads']} threads, {self.opts['requests']} sequential requests "
            "per endpoint.",
            "",
            "| endpoint | p50 ms | p95 ms | p99 ms | × floor p50 | req/s (1 client) | SQL queries | target | met |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for row in rows:
            ratio = row["p50_ms"] / floor["p50_ms"] if floor["p50_ms"] else 0
            target, met = self._verdict(row, ratio)
            row["x_floor"] = round(ratio, 2)
            row["target"], row["met"] = target, met
            lines.append(
                f"| {row['name']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} | {ratio:.1f} | "
                f"{row['rps_single_client']} | {','.join(map(str, row['queries']))} | {target} | {met} |"
            )
        mixed = results["mixed_member_traffic"]
        floor_c = results["floor_concurrent"]
        lines += [
            "",
            f"Mixed member traffic, {self.opts['concurrency']} clients: {mixed['rps']} req/s "
            f"(floor {floor_c['rps']} req/s, ratio {mixed['ratio_to_floor_rps']}), p50 {mixed['p50_ms']} ms, "
            f"p95 {mixed['p95_ms']} ms, p99 {mixed['p99_ms']} ms, errors {mixed['errors']} "
            f"(target: ≥ {TARGETS['mix']['ratio_to_floor']:g} of the floor's req/s, p95 ≤ "
            f"{TARGETS['mix']['p95_ms']:g} ms, no errors: {self._mix_verdict(mixed)}).",
            f"gunicorn worker RSS (MB) before: {results['memory']['rss_mb_before']}, after "
            f"{results['memory']['soak_seconds']:.0f} s: {results['memory']['rss_mb_after']}",
            *(
                [
                    f"Soak ({results['memory']['soak_seconds']:.0f} s, {self.opts['concurrency']} clients): "
                    f"{results['memory']['soak']['requests']} requests, {results['memory']['soak']['rps']} req/s, "
                    f"p50 {results['memory']['soak']['p50_ms']} ms, p95 {results['memory']['soak']['p95_ms']} ms, "
                    f"p99 {results['memory']['soak']['p99_ms']} ms, errors {results['memory']['soak']['errors']}; "
                    f"worker RSS end / first tenth {results['memory']['soak']['rss_growth']} "
                    f"(target ≤ {TARGETS['soak']['rss_growth']:g})."
                ]
                if results["memory"]["soak"]
                else []
            ),
        ]
        table = "\n".join(lines)
        self.stdout.write("\n" + table + "\n")
        output = Path(self.opts["output"])
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
        output.with_suffix(".md").write_text(table + "\n")
        self.stdout.write(f"written: {output} and {output.with_suffix('.md')}")

    @staticmethod
    def _mix_verdict(mixed) -> str:
        target = TARGETS["mix"]
        ok = (
            (mixed["ratio_to_floor_rps"] or 0) >= target["ratio_to_floor"]
            and mixed["p95_ms"] <= target["p95_ms"]
            and mixed["errors"] == 0
        )
        return "met" if ok else "NOT met"

    @staticmethod
    def _verdict(row, ratio):
        group = row["group"]
        if group == "member":
            ok = (
                ratio <= TARGETS["member"]["median_x_floor"]
                and row["p95_ms"] < TARGETS["member"]["p95_ms"]
            )
            return "p50 ≤ 6× floor, p95 < 25 ms", "yes" if ok else "NO"
        if group in TARGETS:
            limit = TARGETS[group]["p95_ms"]
            return f"p95 < {limit:g} ms", "yes" if row["p95_ms"] < limit else "NO"
        return "—", "—"

"""Throwaway servers from Debian's packages on free loopback ports, for tests that break them:
a Redis master with a replica watched by three sentinels, and pgbouncer in transaction mode in
front of the test database. Never the shared servers."""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import redis

from tests.conftest import free_port
from tests.ops.conftest import wait_for

MASTER_NAME = "sanyuan"


def _redis_server(directory: Path, port: int, *args: str) -> subprocess.Popen:
    directory.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(directory), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _answers(port: int) -> bool:
    try:
        return redis.Redis(port=port, socket_timeout=0.5, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


class SentinelCluster:
    """A master, one replica and three sentinels (quorum 2) that fail over after one second
    without an answer from the master."""

    def __init__(self):
        if shutil.which("redis-sentinel") is None:
            pytest.skip("redis-sentinel (Debian package) is not installed")
        self.root = Path(tempfile.mkdtemp(prefix="sanyuan-sentinel-"))
        self.master_port, self.replica_port = free_port(), free_port()
        self.sentinel_ports = [free_port() for _ in range(3)]
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self) -> None:
        self.processes["master"] = _redis_server(self.root / "master", self.master_port)
        assert wait_for(lambda: _answers(self.master_port), 10)
        self.processes["replica"] = _redis_server(
            self.root / "replica",
            self.replica_port,
            "--replicaof",
            "127.0.0.1",
            str(self.master_port),
        )
        for port in self.sentinel_ports:
            config = self.root / f"sentinel-{port}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1\ndaemonize no\ndir {self.root}\n"
                f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master_port} 2\n"
                f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                f"sentinel failover-timeout {MASTER_NAME} 4000\n"
                f"sentinel parallel-syncs {MASTER_NAME} 1\n"
            )
            self.processes[f"sentinel-{port}"] = subprocess.Popen(
                ["redis-sentinel", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        assert wait_for(self.ready, 30), "the sentinels never saw the replica and each other"

    def sentinel(self, port: int) -> redis.Redis:
        return redis.Redis(port=port, socket_timeout=1, socket_connect_timeout=1)

    def ready(self) -> bool:
        try:
            for port in self.sentinel_ports:
                client = self.sentinel(port)
                if len(client.sentinel_slaves(MASTER_NAME)) < 1:
                    return False
                if len(client.sentinel_sentinels(MASTER_NAME)) < 2:
                    return False
            info = redis.Redis(port=self.replica_port).info("replication")
            return info.get("master_link_status") == "up"
        except redis.RedisError:
            return False

    def master_port_now(self) -> int | None:
        try:
            host, port = self.sentinel(self.sentinel_ports[0]).sentinel_get_master_addr_by_name(
                MASTER_NAME
            )
            return int(port)
        except (redis.RedisError, TypeError):
            return None

    @property
    def addresses(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.sentinel_ports)

    def kill_master(self) -> None:
        master = self.processes.pop("master")
        master.kill()
        master.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.root, ignore_errors=True)


class PgBouncer:
    """pgbouncer in transaction mode on a free port, in front of the PostgreSQL at
    host:port (trust authentication, as the test server). It refuses to run as root, so a
    root test runs it as the postgres account."""

    def __init__(self, *, host: str, port: int, user: str, pool_size: int = 2):
        self.binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not os.path.exists(self.binary):
            pytest.skip("pgbouncer (Debian package) is not installed")
        self.port = free_port()
        self.user = user
        self.root = Path(tempfile.mkdtemp(prefix="sanyuan-pgbouncer-"))
        (self.root / "users.txt").write_text(f'"{user}" ""\n')
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"* = host={host} port={port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.root}/users.txt\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmin_pool_size = 0\n"
            f"logfile = {self.root}/pgbouncer.log\npidfile = {self.root}/pgbouncer.pid\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        self.process = None

    def start(self) -> None:
        command = [self.binary, str(self.root / "pgbouncer.ini")]
        if os.geteuid() == 0:
            import pwd

            account = pwd.getpwnam("postgres")
            for path in [self.root, *self.root.iterdir()]:
                os.chown(path, account.pw_uid, account.pw_gid)
            command.insert(1, "--user=postgres")
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        assert wait_for(self._listening, 15), self.log()

    def _listening(self) -> bool:
        import socket

        with socket.socket() as sock:
            return sock.connect_ex(("127.0.0.1", self.port)) == 0

    def log(self) -> str:
        path = self.root / "pgbouncer.log"
        return path.read_text(errors="replace") if path.exists() else "(no log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)

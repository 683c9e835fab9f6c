"""Backups of the database and the uploaded files, and restoring them (`manage.py backup`,
`manage.py restore`; README "Backup and restore").

A backup is a directory:

- `database.dump`: pg_dump's custom format, taken from an exported snapshot so that the row
  counts in the manifest describe exactly the dumped data;
- `files/<stored name>` and `files.tsv` (sha256, size, name per line): every file in the
  default storage (local MEDIA_ROOT or the S3 bucket);
- `manifest.json`: time, versions, applied migrations, row counts per table, and the
  fingerprints of the personal-data keys (never the keys: keep those in the secrets store,
  apart from the backups).

A restore refuses to start unless the configured keys have the backup's fingerprints and the
target database is empty, and afterwards compares every table's row count, every file's
checksum and a sample of decrypted values with the backup.
"""

import hashlib
import json
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import django
import psycopg2
from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

from .keys import encryption_fingerprints, hash_key_fingerprint, key_problems

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES_DIR = "files"
FILES_LIST = "files.tsv"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """Raised with an operator-facing message; nothing half-done is left unreported."""


@dataclass
class Database:
    """libpq connection settings of the default database, for psycopg2 and the pg_* tools."""

    params: dict

    @classmethod
    def default(cls) -> "Database":
        return cls(connection.get_connection_params())

    def env(self) -> dict:
        env = dict(os.environ)
        names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
        for key, var in names.items():
            if self.params.get(key):
                env[var] = str(self.params[key])
        if self.params.get("sslmode"):
            env["PGSSLMODE"] = self.params["sslmode"]
        return env

    @property
    def name(self) -> str:
        return self.params["dbname"]

    def connect(self):
        keep = {"host", "port", "user", "password", "dbname", "sslmode"}
        return psycopg2.connect(**{k: v for k, v in self.params.items() if k in keep and v})


def _run(command: list[str], env: dict) -> str:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from exc
    if result.returncode != 0:
        raise BackupError(f"{' '.join(command[:1])} failed:\n{result.stderr.strip()}")
    return result.stdout


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _table_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _versions(cursor) -> dict:
    cursor.execute("SHOW server_version")
    server = cursor.fetchone()[0]
    try:
        app_version = metadata.version("sanyuan-liudong-ejia")
    except metadata.PackageNotFoundError:
        app_version = "unknown"
    commit = ""
    if (settings.BASE_DIR / ".git").exists():
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True
        )
        commit = result.stdout.strip() if result.returncode == 0 else ""
    return {
        "app": app_version,
        "commit": commit,
        "django": django.get_version(),
        "python": platform.python_version(),
        "postgresql": server,
    }


def _migrations(cursor) -> dict[str, str]:
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    return dict(cursor.fetchall())


# -- files ---------------------------------------------------------------------------------


def storage_names(storage=None, path: str = ""):
    """Every stored file name under `path`, depth first."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(path)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{path}/{name}" if path else name
    for directory in sorted(directories):
        yield from storage_names(storage, f"{path}/{directory}" if path else directory)


def _referenced_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._default_manager.exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.name, flat=True)
                    .iterator()
                )
    return names


def _copy_files(directory: Path, report) -> dict:
    target = directory / FILES_DIR
    lines, total = [], 0
    for name in storage_names():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as source, open(destination, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        size = destination.stat().st_size
        total += size
        lines.append(f"{digest.hexdigest()}\t{size}\t{name}\n")
        if len(lines) % 1000 == 0:
            report(f"  {len(lines)} files")
    (directory / FILES_LIST).write_text("".join(lines), encoding="utf-8")
    copied = {line.rstrip("\n").split("\t", 2)[2] for line in lines}
    missing = sorted(_referenced_names() - copied)
    return {
        "storage": settings.FILE_STORAGE,
        "list": FILES_LIST,
        "count": len(lines),
        "bytes": total,
        "list_sha256": _sha256_file(directory / FILES_LIST),
        "missing_referenced": missing[:100],
        "missing_referenced_count": len(missing),
    }


# -- backup --------------------------------------------------------------------------------


def backup_create(directory: Path, *, report=lambda line: None) -> dict:
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} exists and is not empty.")
    directory.mkdir(parents=True, exist_ok=True)
    database = Database.default()
    snapshot_connection = database.connect()
    try:
        snapshot_connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _table_counts(cursor)
            versions = _versions(cursor)
            migrations = _migrations(cursor)
        report(f"Dumping database {database.name} ({sum(counts.values())} rows)")
        _run(
            [
                settings.BACKUP_PG_DUMP,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={directory / DUMP}",
                database.name,
            ],
            database.env(),
        )
    finally:
        snapshot_connection.close()
    versions["pg_dump"] = _run([settings.BACKUP_PG_DUMP, "--version"], database.env()).strip()
    report("Copying uploaded files")
    files = _copy_files(directory, report)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "versions": versions,
        "migrations": migrations,
        "keys": {"encryption": encryption_fingerprints(), "hash": hash_key_fingerprint()},
        "database": {
            "file": DUMP,
            "bytes": (directory / DUMP).stat().st_size,
            "sha256": _sha256_file(directory / DUMP),
            "tables": counts,
        },
        "files": files,
    }
    (directory / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return manifest


# -- restore -------------------------------------------------------------------------------


def manifest_load(directory: Path) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} not found: not a backup directory.")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    return manifest


def keys_check(manifest: dict) -> None:
    """The configured keys must be the backup's (by fingerprint): a restore with other keys
    would give unreadable data or, with another hash key, members no login finds."""
    wanted = manifest["keys"]
    have = encryption_fingerprints()
    missing = [fp for fp in wanted["encryption"] if fp not in have]
    problems = []
    if missing:
        problems.append(
            f"PII_ENCRYPTION_KEYS lacks the key(s) with fingerprint {', '.join(missing)} "
            f"(configured: {', '.join(have)})."
        )
    if wanted["hash"] != hash_key_fingerprint():
        problems.append(
            f"PII_HASH_KEY has fingerprint {hash_key_fingerprint()}, the backup was made "
            f"with {wanted['hash']}."
        )
    if problems:
        raise BackupError(
            "The configured personal-data keys are not the backup's; nothing was restored.\n"
            + "\n".join(problems)
            + "\nSet the backup's keys from the secrets store (compare with "
            "`python manage.py key_fingerprints`)."
        )


def _database_empty(database: Database) -> bool:
    conn = database.connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            return cursor.fetchone()[0] == 0
    finally:
        conn.close()


def _restore_files(directory: Path, report) -> int:
    restored = 0
    lines = (directory / FILES_LIST).read_text(encoding="utf-8").splitlines()
    for line in lines:
        sha256, _size, name = line.split("\t", 2)
        source = directory / FILES_DIR / name
        if _sha256_file(source) != sha256:
            raise BackupError(f"{source} does not match its checksum: the backup is damaged.")
        if default_storage.exists(name):
            continue  # restored by an earlier, interrupted run
        with open(source, "rb") as handle:
            saved = default_storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"The storage saved {name} as {saved}.")
        restored += 1
        if restored % 1000 == 0:
            report(f"  {restored} files")
    return restored


def restore_verify(manifest: dict) -> list[str]:
    """Differences between the restored data and the manifest; empty when all is there."""
    problems = []
    with connection.cursor() as cursor:
        counts = _table_counts(cursor)
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"{table}: {counts.get(table)} rows, the backup has {expected}.")
    present = set(storage_names())
    listed = (Path(manifest["_directory"]) / FILES_LIST).read_text(encoding="utf-8").splitlines()
    missing = [line.split("\t", 2)[2] for line in listed if line.split("\t", 2)[2] not in present]
    if missing:
        problems.append(f"{len(missing)} files missing from the storage, e.g. {missing[0]}.")
    problems += key_problems()
    return problems


def restore(directory: Path, *, skip_files: bool = False, report=lambda line: None) -> dict:
    directory = Path(directory)
    manifest = manifest_load(directory)
    manifest["_directory"] = str(directory)
    keys_check(manifest)
    dump = directory / manifest["database"]["file"]
    if _sha256_file(dump) != manifest["database"]["sha256"]:
        raise BackupError(f"{dump} does not match its checksum: the backup is damaged.")
    database = Database.default()
    if not _database_empty(database):
        raise BackupError(
            f"Database {database.name} is not empty; restore into a new, empty database "
            "(createdb) and point DATABASE_URL at it."
        )
    report(f"Restoring database {database.name}")
    _run(
        [
            settings.BACKUP_PG_RESTORE,
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            f"--dbname={database.name}",
            str(dump),
        ],
        database.env(),
    )
    connection.close()  # the schema changed under this connection
    if not skip_files:
        report("Restoring uploaded files")
        report(f"  {_restore_files(directory, report)} files written")
    problems = restore_verify(manifest)
    if skip_files:
        problems = [p for p in problems if "files missing" not in p]
    if problems:
        raise BackupError("The restored data differ from the backup:\n" + "\n".join(problems))
    return manifest

"""Re-encrypting personal data under a new key and rebuilding the keyed hashes under a new
PII_HASH_KEY (`manage.py rotate_pii_keys`; README "Rotating the personal-data keys").

Every table with an encrypted column (sanyuan.keys.encrypted_tables, history tables
included) is walked in primary-key order, in batches. A batch locks its rows (SELECT … FOR
UPDATE, so a concurrent edit waits instead of being overwritten), re-encrypts each value not
yet under the first key of PII_ENCRYPTION_KEYS, recomputes each keyed hash under
PII_HASH_KEY, writes only the rows that changed with one UPDATE (no model save: no history
rows, no `updated_at`), and records the last primary key in KeyRotationProgress in the same
transaction. Interrupted, it resumes from there; re-run after it finished, it changes nothing.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .crypto import decrypt, keyed_hash, reencrypt
from .keys import EncryptedTable, encrypted_tables, encryption_fingerprints, hash_key_fingerprint
from .models import KeyRotationProgress

logger = logging.getLogger(__name__)


@dataclass
class TableResult:
    table: str
    rows_reencrypted: int
    rows_rehashed: int
    last_pk: int
    resumed_from: int


def rotation_target() -> str:
    return f"enc:{encryption_fingerprints()[0]}/hash:{hash_key_fingerprint()}"


def _current_fernet() -> Fernet:
    return Fernet(settings.PII_ENCRYPTION_KEYS[0])


def _under_current_key(current: Fernet, token: str) -> bool:
    try:
        current.decrypt(token.encode())
        return True
    except InvalidToken:
        return False


def _rotate_row(table: EncryptedTable, current: Fernet, values: dict) -> tuple[dict, bool, bool]:
    """New values for one row (column -> value) and whether it was re-encrypted / rehashed."""
    new = dict(values)
    reencrypted = rehashed = False
    for column in table.encrypted:
        token = values[column]
        if token and not _under_current_key(current, token):
            new[column] = reencrypt(token)
            reencrypted = True
    for hash_column, (source, purpose) in table.hashes.items():
        token = values[source]
        expected = keyed_hash(decrypt(token), purpose=purpose) if token else values[hash_column]
        if expected != values[hash_column]:
            new[hash_column] = expected
            rehashed = True
    return new, reencrypted, rehashed


def _columns(table: EncryptedTable) -> list[str]:
    return table.encrypted + [c for c in table.hashes if c not in table.encrypted]


def _write(cursor, table: EncryptedTable, rows: list[tuple[int, dict]]) -> None:
    columns = _columns(table)
    placeholders = ", ".join("(" + ", ".join(["%s"] * (len(columns) + 1)) + ")" for _ in rows)
    params = [value for pk, new in rows for value in (pk, *[new[c] for c in columns])]
    assignments = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    names = ", ".join(f'"{c}"' for c in ["pk", *columns])
    cursor.execute(
        f'UPDATE "{table.table}" AS t SET {assignments} FROM (VALUES {placeholders}) '
        f'AS v({names}) WHERE t."{table.pk}" = v."pk"',
        params,
    )


def _batch(table: EncryptedTable, progress: KeyRotationProgress, size: int) -> int:
    """Process the next batch after progress.last_pk; returns the number of rows read."""
    columns = _columns(table)
    current = _current_fernet()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{table.pk}", {", ".join(chr(34) + c + chr(34) for c in columns)} '
            f'FROM "{table.table}" WHERE "{table.pk}" > %s ORDER BY "{table.pk}" '
            "LIMIT %s FOR UPDATE",
            [progress.last_pk, size],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        changed = []
        for pk, *values in rows:
            new, reencrypted, rehashed = _rotate_row(
                table, current, dict(zip(columns, values, strict=True))
            )
            if reencrypted or rehashed:
                changed.append((pk, new))
            progress.rows_reencrypted += reencrypted
            progress.rows_rehashed += rehashed
        if changed:
            _write(cursor, table, changed)
        progress.last_pk = rows[-1][0]
        progress.save(update_fields=["last_pk", "rows_reencrypted", "rows_rehashed", "updated_at"])
    return len(rows)


def rotate_table(
    table: EncryptedTable,
    *,
    target: str,
    batch_size: int = 1000,
    max_batches: int | None = None,
    report: Callable[[str], None] = lambda line: None,
) -> TableResult:
    progress, _ = KeyRotationProgress.objects.get_or_create(target=target, table=table.table)
    resumed_from = progress.last_pk
    if progress.finished_at is None:
        batches = 0
        while max_batches is None or batches < max_batches:
            if not _batch(table, progress, batch_size):
                progress.finished_at = timezone.now()
                progress.save(update_fields=["finished_at", "updated_at"])
                break
            batches += 1
            if batches % 50 == 0:
                report(f"  {table.table}: up to {table.pk} {progress.last_pk}")
    return TableResult(
        table.table,
        progress.rows_reencrypted,
        progress.rows_rehashed,
        progress.last_pk,
        resumed_from,
    )


def rotate_all(
    *, batch_size: int = 1000, max_batches: int | None = None, report=lambda line: None
) -> tuple[list[TableResult], bool]:
    """Walk every encrypted table towards the configured keys. `max_batches` (per table)
    stops early, as an interruption would; returns the results and whether all finished."""
    target = rotation_target()
    results = [
        rotate_table(
            table, target=target, batch_size=batch_size, max_batches=max_batches, report=report
        )
        for table in encrypted_tables()
    ]
    finished = not KeyRotationProgress.objects.filter(
        target=target, finished_at__isnull=True
    ).exists()
    return results, finished


def forget_progress() -> int:
    return KeyRotationProgress.objects.filter(target=rotation_target()).delete()[0]


@dataclass
class VerifyResult:
    table: str
    rows: int
    not_under_current_key: int
    stale_hashes: int


def verify_all(*, batch_size: int = 5000) -> list[VerifyResult]:
    """Read everything (no writes): values not under the first key and keyed hashes not
    made with PII_HASH_KEY. All zero means the old key can be removed."""
    current = _current_fernet()
    results = []
    for table in encrypted_tables():
        columns = _columns(table)
        result = VerifyResult(table.table, 0, 0, 0)
        last = 0
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f'SELECT "{table.pk}", {", ".join(chr(34) + c + chr(34) for c in columns)} '
                    f'FROM "{table.table}" WHERE "{table.pk}" > %s ORDER BY "{table.pk}" LIMIT %s',
                    [last, batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            for pk, *values in rows:
                _new, reencrypt_needed, rehash_needed = _rotate_row(
                    table, current, dict(zip(columns, values, strict=True))
                )
                result.not_under_current_key += reencrypt_needed
                result.stale_hashes += rehash_needed
                last = pk
            result.rows += len(rows)
        results.append(result)
    return results

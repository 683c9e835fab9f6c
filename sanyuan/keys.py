"""The personal-data keys as operations see them: public fingerprints, where the encrypted
columns and keyed hashes are, and whether the configured keys fit the data.

A fingerprint names a key without revealing it (a SHA-256 over a fixed label and the key,
shortened); backups record fingerprints, never keys, so that a restore can tell at once
whether it was given the right ones.
"""

import hashlib
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models

from .crypto import DecryptionError, EncryptedTextField, decrypt, fernet, keyed_hash

FINGERPRINT_LABEL = b"sanyuan personal-data key fingerprint\x00"


def key_fingerprint(key: str) -> str:
    return hashlib.sha256(FINGERPRINT_LABEL + key.encode()).hexdigest()[:16]


def encryption_fingerprints() -> list[str]:
    """Fingerprints of PII_ENCRYPTION_KEYS, the encrypting (first) key first."""
    return [key_fingerprint(key) for key in settings.PII_ENCRYPTION_KEYS]


def hash_key_fingerprint() -> str:
    return key_fingerprint(settings.PII_HASH_KEY)


@dataclass
class EncryptedTable:
    """One table holding encrypted columns, and the keyed hashes rebuilt from them."""

    model: type[models.Model]
    encrypted: list[str]  # column names
    # hash column -> (encrypted source column, keyed_hash purpose)
    hashes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self) -> str:
        return self.model._meta.pk.column


def _declared_hashes(model) -> dict[str, tuple[str, str]]:
    """Models declare `KEYED_HASHES = {hash field: (encrypted field, purpose)}`; their
    django-simple-history copies inherit the declaration of the model they copy."""
    declared = getattr(model, "KEYED_HASHES", None)
    if declared is None:
        declared = getattr(getattr(model, "instance_type", None), "KEYED_HASHES", None) or {}
    columns = {}
    for hash_name, (source_name, purpose) in declared.items():
        columns[model._meta.get_field(hash_name).column] = (
            model._meta.get_field(source_name).column,
            purpose,
        )
    return columns


def encrypted_tables() -> list[EncryptedTable]:
    """Every concrete model (history tables included) with an EncryptedTextField."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            f.column for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if columns:
            found.append(EncryptedTable(model, columns, _declared_hashes(model)))
    return found


def key_problems() -> list[str]:
    """Compare the configured keys with data in the database: the newest non-empty value of
    every encrypted column must decrypt, and the members' keyed hashes must be the hashes of
    their values under PII_HASH_KEY (first and last row, so that a hash-key rotation left
    half done shows). Empty lists mean the keys fit, or there is nothing to check yet."""
    try:
        fernet()
    except (ValueError, TypeError):
        return []  # a malformed key: the check sanyuan.E001 reports it
    problems = []
    try:
        with connection.cursor() as cursor:
            for table in encrypted_tables():
                problems += _table_problems(cursor, table)
    except DatabaseError:
        return []  # no tables yet (before migrate) or no database: nothing to compare
    return problems


def _table_problems(cursor, table: EncryptedTable) -> list[str]:
    problems = []
    for column in table.encrypted:
        cursor.execute(
            f'SELECT "{table.pk}", "{column}" FROM "{table.table}" '
            f'WHERE "{column}" <> \'\' ORDER BY "{table.pk}" DESC LIMIT 1'
        )
        row = cursor.fetchone()
        if row is None:
            continue
        try:
            decrypt(row[1])
        except DecryptionError:
            problems.append(
                f"{table.table}.{column} (row {row[0]}) cannot be decrypted with "
                "PII_ENCRYPTION_KEYS: wrong or missing key."
            )
    for hash_column, (source, purpose) in table.hashes.items():
        for order in ("ASC", "DESC"):
            cursor.execute(
                f'SELECT "{table.pk}", "{source}", "{hash_column}" FROM "{table.table}" '
                f'WHERE "{source}" <> \'\' ORDER BY "{table.pk}" {order} LIMIT 1'
            )
            row = cursor.fetchone()
            if row is None:
                continue
            try:
                expected = keyed_hash(decrypt(row[1]), purpose=purpose)
            except DecryptionError:
                continue  # reported above
            if expected != row[2]:
                problems.append(
                    f"{table.table}.{hash_column} (row {row[0]}) was not made with "
                    "PII_HASH_KEY: wrong key, or a hash-key rotation is not finished "
                    "(python manage.py rotate_pii_keys)."
                )
    return problems

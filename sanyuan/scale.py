"""Helpers for the province-scale data set (`seed_scale`): fast COPY into PostgreSQL.

Each app has a `scale.py` with `seed(ctx)`; `seed_scale` calls them in INSTALLED_APPS order.
"""

import csv
import io
import random
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

CHUNK_ROWS = 50_000


def _filler(table: str, columns: list[str]) -> tuple[list[str], tuple]:
    """Columns of the table's model that the caller left out, with their defaults, so that
    adding a field with a default to a model never breaks the seeding."""
    from django.apps import apps

    model = next(
        (m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table), None
    )
    if model is None:
        return [], ()
    extra, values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.column in columns or model_field.primary_key:
            continue
        if model_field.has_default():
            value = model_field.get_default()
            if isinstance(value, dict | list):
                import json

                value = json.dumps(value)
        elif model_field.null:
            value = None
        else:
            raise ValueError(
                f"{table}.{model_field.column} has no default: the seeding must give it"
            )
        extra.append(model_field.column)
        values.append(value)
    return extra, tuple(values)


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY an iterable of tuples into `table` (CSV, chunked). Returns the row count.
    None becomes NULL; booleans become t/f. Columns left out get the model's defaults."""
    extra, fill = _filler(table, columns)
    if extra:
        columns = [*columns, *extra]
        rows = (tuple(row) + fill for row in rows)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        pending = 0
        statement = (
            f'COPY "{table}" ({", ".join(chr(34) + c + chr(34) for c in columns)}) '
            "FROM STDIN WITH (FORMAT csv, NULL '\\N')"
        )
        for row in rows:
            writer.writerow(
                [
                    "\\N"
                    if value is None
                    else ("t" if value is True else "f" if value is False else value)
                    for value in row
                ]
            )
            pending += 1
            if pending >= CHUNK_ROWS:
                buffer.seek(0)
                raw.copy_expert(statement, buffer)
                count += pending
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                pending = 0
        if pending:
            buffer.seek(0)
            raw.copy_expert(statement, buffer)
            count += pending
    return count


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT MAX(id) FROM \"{table}\"), 1))"
        )


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')
        return cursor.fetchone()[0]


@dataclass
class ScaleContext:
    """What one app's seeding leaves for the next (ids, counts) and the shared settings."""

    rng: random.Random
    now: datetime
    sizes: dict
    password_hash: str
    data: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)

    def timed(self, label: str):
        context = self

        class Timer:
            def __enter__(self):
                self.started = time.perf_counter()

            def __exit__(self, *exc):
                context.timings.append((label, time.perf_counter() - self.started))

        return Timer()

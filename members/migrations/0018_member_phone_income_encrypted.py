"""Phones and incomes encrypted at rest (issue 16 item 5).

`phone` becomes a Fernet token with a keyed hash beside it (phone_hash, for exact search and
SMS replies; not unique: a family may share a number); `monthly_income` becomes a token with
its band beside it (income_band, what the dashboard counts). Existing rows of the archive
and of its history are converted in batches with raw SQL (no model code: the models may have
moved on), under the keys configured now. Reversible: backwards writes the clear values back
before the columns get their old types.
"""

import members.models.people
import sanyuan.crypto
from django.db import migrations

from members import choices
from sanyuan.crypto import decrypt, encrypt, keyed_hash

BATCH = 2000
TABLES = (("members_member", "id"), ("members_historicalmember", "history_id"))


def _is_token(value) -> bool:
    return isinstance(value, str) and value.startswith("gAAAAA")


def _forward_row(phone, income):
    # A row already converted (a re-run) is read back rather than encrypted twice.
    phone = decrypt(phone) if _is_token(phone) else (phone or "").strip()
    if _is_token(income):
        amount = int(decrypt(income))
    else:
        amount = None if income in (None, "") else int(income)
    return (
        encrypt(phone) if phone else "",
        keyed_hash(phone, purpose="phone") if phone else "",
        encrypt(str(amount)) if amount is not None else None,
        choices.income_band(amount),
    )


def _backward_row(phone, income):
    phone = decrypt(phone) if _is_token(phone) else (phone or "")
    income = decrypt(income) if _is_token(income) else income
    return (phone, "", None if income in (None, "") else str(int(income)), None)


def _convert(schema_editor, convert_row):
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ("phone", "phone_hash", "monthly_income", "income_band")
    for table, pk in TABLES:
        last = None
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(pk)}, phone, monthly_income FROM {quote(table)} "
                    + (f"WHERE {quote(pk)} > %s " if last is not None else "")
                    + f"ORDER BY {quote(pk)} LIMIT {BATCH}",
                    [last] if last is not None else [],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                values = [(key, *convert_row(phone, income)) for key, phone, income in rows]
                _write(cursor, connection, quote(table), quote(pk), columns, values)
    if connection.vendor == "postgresql":
        # The updated rows leave deferred foreign-key checks pending; the column changes that
        # follow (backwards) may not run while they are.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _write(cursor, connection, table, pk, columns, values):
    if connection.vendor == "postgresql":
        row = "(%s, %s, %s, %s, %s)"
        cursor.execute(
            f"UPDATE {table} AS t SET "
            + ", ".join(f"{c} = v.{c}" for c in columns)
            + f" FROM (VALUES {', '.join([row] * len(values))}) "
            f"AS v(pk, {', '.join(columns)}) WHERE t.{pk} = v.pk",
            [value for item in values for value in item],
        )
    else:
        cursor.executemany(
            f"UPDATE {table} SET " + ", ".join(f"{c} = %s" for c in columns) + f" WHERE {pk} = %s",
            [(*item[1:], item[0]) for item in values],
        )


def forwards(apps, schema_editor):
    _convert(schema_editor, _forward_row)


def backwards(apps, schema_editor):
    _convert(schema_editor, _backward_row)


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0017_notice_delivery_member_sms_opt_out'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalmember',
            name='income_band',
            field=members.models.people.IncomeBandField(blank=True, choices=[('below_3000', '3000元以下'), ('3000_5000', '3000–5000元'), ('5000_8000', '5000–8000元'), ('8000_12000', '8000–12000元'), ('12000_plus', '12000元以上')], db_index=True, editable=False, max_length=12, null=True, verbose_name='月收入区间'),
        ),
        migrations.AddField(
            model_name='historicalmember',
            name='phone_hash',
            field=sanyuan.crypto.KeyedHashField(blank=True, db_index=True, default='', editable=False, max_length=64, purpose='phone', source='phone', verbose_name='手机号码索引'),
        ),
        migrations.AddField(
            model_name='member',
            name='income_band',
            field=members.models.people.IncomeBandField(blank=True, choices=[('below_3000', '3000元以下'), ('3000_5000', '3000–5000元'), ('5000_8000', '5000–8000元'), ('8000_12000', '8000–12000元'), ('12000_plus', '12000元以上')], db_index=True, editable=False, max_length=12, null=True, verbose_name='月收入区间'),
        ),
        migrations.AddField(
            model_name='member',
            name='phone_hash',
            field=sanyuan.crypto.KeyedHashField(blank=True, db_index=True, default='', editable=False, max_length=64, purpose='phone', source='phone', verbose_name='手机号码索引'),
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='monthly_income',
            field=sanyuan.crypto.EncryptedIntegerField(blank=True, null=True, verbose_name='月收入（元）'),
        ),
        migrations.AlterField(
            model_name='historicalmember',
            name='phone',
            field=sanyuan.crypto.EncryptedCharField(max_length=11, verbose_name='手机号码'),
        ),
        migrations.AlterField(
            model_name='member',
            name='monthly_income',
            field=sanyuan.crypto.EncryptedIntegerField(blank=True, null=True, verbose_name='月收入（元）'),
        ),
        migrations.AlterField(
            model_name='member',
            name='phone',
            field=sanyuan.crypto.EncryptedCharField(max_length=11, verbose_name='手机号码'),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]

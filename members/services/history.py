"""The archive's history for rows written in bulk. django-simple-history records a change when
a row is saved; archives written by `bulk_create` or COPY (the demo, the province-scale
seeder) have no record at all, so the first change afterwards had nothing to compare with and
listed no fields ("建立档案" instead of what changed). These give such archives their first
record, with their skills, in two INSERT … SELECT statements (a million rows in seconds)."""

from django.db import connection, transaction

from members.models import Member

BASELINE_REASON = "建档"


def _tables():
    history = Member.history.model
    skills = history._meta.get_field("historicalmember_skills").related_model
    return history, skills


def last_history_id() -> int:
    history, _ = _tables()
    return history.objects.order_by("-history_id").values_list("history_id", flat=True).first() or 0


@transaction.atomic
def member_history_baseline(*, reason: str = BASELINE_REASON) -> int:
    """A first ("+") record for every archive without one, dated when the archive was
    created, by nobody (the system), carrying the archive's values and skills. Returns the
    number of archives given one. Archives that have a history are left alone."""
    history, _ = _tables()
    quote = connection.ops.quote_name
    columns = [field.attname for field in history.tracked_fields]
    before = last_history_id()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(history._meta.db_table)} "
            f"({', '.join(quote(c) for c in columns)}, history_date, history_type, "
            f"history_change_reason, history_user_id) "
            f"SELECT {', '.join('m.' + quote(c) for c in columns)}, m.created_at, '+', %s, NULL "
            f"FROM {quote(Member._meta.db_table)} m WHERE NOT EXISTS "
            f"(SELECT 1 FROM {quote(history._meta.db_table)} h WHERE h.id = m.id)",
            [reason],
        )
        created = cursor.rowcount
    _copy_skills(after=before)
    return created


def _copy_skills(*, after: int, member_ids=None) -> None:
    """The skills of each archive into its records with history_id > `after` that have none
    (optionally only for `member_ids`)."""
    history, skills = _tables()
    through = Member.skills.through._meta.db_table
    quote = connection.ops.quote_name
    params: list = [after]
    only = ""
    if member_ids is not None:
        ids = [int(pk) for pk in member_ids]
        if not ids:
            return
        only = f" AND h.id IN ({', '.join(['%s'] * len(ids))})"
        params += ids
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(skills._meta.db_table)} (id, member_id, skill_id, history_id) "
            f"SELECT t.id, t.member_id, t.skill_id, h.history_id "
            f"FROM {quote(through)} t JOIN {quote(history._meta.db_table)} h "
            f"ON h.id = t.member_id WHERE h.history_id > %s{only} AND NOT EXISTS "
            f"(SELECT 1 FROM {quote(skills._meta.db_table)} s WHERE s.history_id = h.history_id)",
            params,
        )


def member_history_add_skills(*, member_ids, after: int) -> None:
    """For archives just created in bulk with their first record (roster import): add the
    skills written after the record to it, so that the record shows the archive as created."""
    _copy_skills(after=after, member_ids=member_ids)

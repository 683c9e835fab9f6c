"""The audit log is append-only in the database (PostgreSQL): a trigger refuses UPDATE and
DELETE of `members_auditevent`. Two exceptions keep the product working:
- the retention purge (members.services.audit.audit_purge) sets the transaction-local flag
  `sanyuan.audit_purge` and may delete rows older than 180 days, never younger ones;
- deleting a user account sets `actor_id` to NULL (on_delete=SET_NULL) and changes nothing else.
SQLite (the first-look demo) has no such trigger.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION members_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF coalesce(current_setting('sanyuan.audit_purge', true), '') = 'on'
           AND OLD.created_at < now() - interval '180 days' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit events are append-only (DELETE refused)'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.actor_id IS NULL AND OLD.actor_id IS NOT NULL
       AND NEW.action = OLD.action AND NEW.target_type = OLD.target_type
       AND NEW.target_id = OLD.target_id
       AND NEW.ip_address IS NOT DISTINCT FROM OLD.ip_address
       AND NEW.detail = OLD.detail AND NEW.created_at = OLD.created_at
       AND NEW.id = OLD.id THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (UPDATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS members_auditevent_append_only ON members_auditevent;
CREATE TRIGGER members_auditevent_append_only
    BEFORE UPDATE OR DELETE ON members_auditevent
    FOR EACH ROW EXECUTE FUNCTION members_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS members_auditevent_append_only ON members_auditevent;
DROP FUNCTION IF EXISTS members_auditevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("members", "0009_delivery_dead_idx")]

    operations = [migrations.RunPython(forwards, backwards)]

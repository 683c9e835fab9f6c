"""Today's `Member.support_group` flag (set by staff) becomes a support-group membership, so
that the members already in the 后援团 stay in it; what they offer is theirs to fill in."""

from django.db import migrations
from django.utils import timezone


def carry_flag(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Membership = apps.get_model("hometown", "SupportGroupMembership")
    now = timezone.now()
    rows = Member.objects.filter(support_group=True, support_membership__isnull=True)
    batch = []
    for member_id in rows.values_list("pk", flat=True).iterator(chunk_size=5000):
        batch.append(Membership(member_id=member_id, offers=[], joined_at=now))
        if len(batch) >= 5000:
            Membership.objects.bulk_create(batch)
            batch = []
    Membership.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("hometown", "0001_initial"),
        ("members", "0015_member_mindset_latest"),
    ]

    operations = [migrations.RunPython(carry_flag, migrations.RunPython.noop)]

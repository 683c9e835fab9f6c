"""Archives written in bulk (demo, province-scale seeder, roster import) have a first history
record, so that their first change lists what changed instead of nothing."""

import pytest

from members.models import Member, Skill
from members.selectors.changes import member_history
from members.services.archive import member_update
from members.services.history import member_history_baseline
from tests import factories

pytestmark = pytest.mark.django_db


def without_history():
    return Member.objects.exclude(pk__in=Member.history.model.objects.values("id"))


def bulk_member(world, **values) -> Member:
    member = Member(organization=world.branch_a1, name="刘备", phone="13900001234", **values)
    member.set_id_number(factories.valid_id_number())
    Member.objects.bulk_create([member])  # no history, as the demo and COPY write rows
    return Member.objects.get(id_number_hash=member.id_number_hash)


def test_a_bulk_written_archive_gets_its_first_record_with_its_skills(world):
    member = bulk_member(world, employer="富士康")
    welder = Skill.objects.create(name="电焊")
    member.skills.through.objects.create(member_id=member.pk, skill_id=welder.pk)
    assert not member.history.exists()
    assert member_history_baseline() == 1  # the world's archives were saved with history
    assert not without_history().exists()
    first = member.history.get()
    assert first.history_type == "+" and first.history_change_reason == "建档"
    assert first.history_date == member.created_at and first.history_user is None
    assert [row.skill_id for row in first.skills.all()] == [welder.pk]
    assert member_history_baseline() == 0  # archives with a history are left alone


def test_the_first_change_of_a_seeded_archive_lists_only_what_changed(world):
    member = bulk_member(world, employer="富士康")
    welder = Skill.objects.create(name="电焊")
    member.skills.add(welder)  # written with the through model, like the demo
    member.history.all().delete()
    member_history_baseline()
    member_update(actor=world.staff_a, member=Member.objects.get(pk=member.pk), employer="比亚迪")
    entries = member_history(member=Member.objects.get(pk=member.pk), viewer="committee")
    assert entries[0]["changes"] == [
        {"field": "employer", "label": "工作单位", "old": "富士康", "new": "比亚迪"}
    ]
    assert entries[-1]["created"] is True


def test_the_demo_seeds_archives_with_history(db):
    import random

    from members import demo

    demo.seed(rng=random.Random(5), members=12)
    demo.finish(rng=random.Random(5))
    assert Member.objects.count() == 12
    assert not without_history().exists()


def test_the_province_scale_seeder_writes_the_first_records_too(db):
    from django.core.management import call_command

    call_command("seed_scale", "--scale", "0.0005", "--only", "members")
    assert Member.objects.count() == 500
    assert not without_history().exists()

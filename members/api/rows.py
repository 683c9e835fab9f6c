"""Rows of the staff archive list and search, written directly (issue 26).

`MemberListSerializer` describes these rows (the schema is generated from it) and builds
them field object by field object, which costs more than the query for a page of 20. This
writes the same dict (same keys, same order, same values: tests/members/test_list_rows.py
compares the two for every viewer) with the field policy applied per row.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework import serializers

from members import archive_fields

from .serializers import MemberListSerializer

FIELDS = tuple(MemberListSerializer.Meta.fields)
_date = serializers.DateField()
_datetime = serializers.DateTimeField()


def _when(field, value):
    return None if value is None else field.to_representation(value)


def _skills(member) -> tuple[list, list]:
    if hasattr(member, "skill_id_list"):
        return member.skill_id_list, member.skill_name_list
    skills = list(member.skills.all())
    return [skill.pk for skill in skills], [skill.name for skill in skills]


def member_list_rows(members, viewer) -> list[dict]:
    """`viewer` is a viewer name or a function of the row (permissions.row_viewer)."""
    cutoff = timezone.now() - timedelta(days=settings.CONTACT_OVERDUE_DAYS)
    rows = []
    for member in members:
        who = viewer(member) if callable(viewer) else viewer
        visible = archive_fields.visible_fields(who)
        skill_ids, skill_names = _skills(member)
        last = member.last_contacted_at
        values = {
            "id": member.pk,
            "name": member.name,
            "id_number": member.id_number_masked,
            "sex": member.sex,
            "birth_date": _when(_date, member.birth_date),
            "phone": member.phone,
            "party_standing": member.party_standing,
            "organization": member.organization_id,
            "organization_name": member.organization.name,
            "destination_province": member.destination_province,
            "destination_city": member.destination_city,
            "destination_name": archive_fields.destination_name(
                member.destination_province, member.destination_city, member.destination_district
            ),
            "occupation": member.occupation,
            "skills": skill_ids,
            "skill_names": skill_names,
            "status": member.status,
            "honours": list(member.honours),
            "support_group": member.support_group,
            "is_activated": member.is_activated,
            "last_contacted_at": _when(_datetime, last),
            "contact_overdue": (last is None and member.created_at < cutoff)
            or (last is not None and last < cutoff),
        }
        rows.append({key: values[key] for key in FIELDS if key in visible})
    return rows

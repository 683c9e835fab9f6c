"""The staff list's rows written directly (members/api/rows.py, issue 26) are exactly what
MemberListSerializer writes, for every viewer of the field policy."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from members.api.rows import member_list_rows
from members.api.serializers import MemberListSerializer
from members.models import Member, Skill

pytestmark = pytest.mark.django_db

VIEWERS = ["county", "committee", "host", "self", None]


def _rows(members, viewer):
    return json.loads(JSONRenderer().render(member_list_rows(members, viewer)))


def _serialized(members, viewer):
    data = MemberListSerializer(members, many=True, context={"viewer": viewer}).data
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def members(world):
    welder, cook = Skill.objects.create(name="电焊"), Skill.objects.create(name="厨师")
    Member.objects.filter(pk=world.member_a.pk).update(
        destination_province="440000",
        destination_city="440300",
        destination_district="440306",
        last_contacted_at=timezone.now() - timedelta(days=3),
        is_vanguard=True,
        support_group=True,
        occupation="construction",
    )
    Member.objects.filter(pk=world.member_a2.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    world.member_a.refresh_from_db()
    world.member_a.skills.set([welder, cook])
    rows = (
        Member.objects.filter(pk__in=[world.member_a.pk, world.member_a2.pk, world.member_b.pk])
        .select_related("organization")
        .prefetch_related("skills")
        .order_by("pk")
    )
    return list(rows)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_rows_equal_the_serializer(members, viewer):
    assert _rows(members, viewer) == _serialized(members, viewer)
    if viewer in ("county", "committee"):
        row = _rows(members, viewer)[0]
        assert row["skill_names"] and row["honours"] and row["last_contacted_at"]
        assert list(row) == [f for f in MemberListSerializer.Meta.fields if f in row]


def test_a_row_viewer_function_is_applied_per_row(members, world):
    from members.permissions import row_viewer

    viewer = row_viewer(world.staff_a)
    assert _rows(members, viewer) == _serialized(members, viewer)
    assert {row["id"] for row in _rows(members, viewer)} == {m.pk for m in members}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_rows_with_skills_in_the_same_query_equal_the_serializer(
    members, viewer, django_assert_num_queries
):
    from members.selectors import with_skills

    query = with_skills(
        Member.objects.filter(pk__in=[m.pk for m in members]).select_related("organization")
    ).order_by("pk")
    expected = _serialized(members, viewer)  # also loads the region names, kept per process
    with django_assert_num_queries(1):
        rows = _rows(list(query), viewer)
    assert rows == expected

"""Scope.reads is the twin of Scope.members_q for one loaded archive (the full-ID search
applies it to the rows its prepared hash lookup found): for every principal and every
archive of the world, hosted ones included, both give the same answer."""

import pytest
from django.contrib.auth.models import AnonymousUser

from members import permissions
from members.models import Member
from tests.tiers import ANON, NONE, PRINCIPALS, principal

pytestmark = pytest.mark.django_db


def test_reads_agrees_with_the_sql_scope_for_every_principal_and_archive(scoped_world):
    w = scoped_world
    archives = list(Member.objects.select_related("organization", "host_organization"))
    assert any(m.host_organization_id for m in archives), "the world hosts nobody"
    checked = 0
    for name in PRINCIPALS:
        if name == NONE:
            continue
        user = principal(w, name)
        scope = permissions.scope_of(user if name != ANON else AnonymousUser())
        visible = set(permissions.filter_members_visible_to(user).values_list("pk", flat=True))
        for member in archives:
            assert scope.reads(member) == (member.pk in visible), (name, member.name)
            checked += 1
        if name not in (ANON,):
            assert visible or name == "nobody", name
    assert checked >= 6 * len(archives)

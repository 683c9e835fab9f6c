"""members.permissions.scope, asked directly for every principal of tests.tiers: the tier, the
grants (user and group grants alike), the member behind an account and what it belongs to,
the questions every app asks (q, covers, covering, hosts, manages), and the reverse questions
(who holds a grant where)."""

import pytest
from guardian.shortcuts import assign_perm, remove_perm

from members.models import (
    Member,
    Organization,
    OrganizationGroupObjectPermission,
    TemporaryBranchMembership,
    User,
)
from members.permissions import (
    MANAGE,
    grants_changed,
    nearest_staffed_organization,
    path_ids,
    scope_forget,
    scope_of,
    staff_of,
    staffed_organization_ids,
    user_grants,
)
from tests import factories
from tests.tiers import (
    ANON,
    COMMITTEE,
    COUNTY,
    GROUP,
    HOME_STAFF_PRINCIPALS,
    HOST,
    MEMBER,
    NOBODY,
    NONE,
    PRINCIPALS,
    STAFF_PRINCIPALS,
    ask,
    extend_world,
    fresh_member,
    only,
    pks,
    principal,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    """The tier world, with member A also in a temporary branch of committee A."""
    w = extend_world(world)
    w.temp = factories.organization(
        "深圳临时党支部", Organization.Kind.TEMPORARY_BRANCH, w.committee_a
    )
    TemporaryBranchMembership.objects.create(member=w.member_a, branch=w.temp)
    w.member_a = fresh_member(w.member_a)
    return w


def scope(question):
    """A question about the scope of a user, for `ask`."""
    return lambda user: question(scope_of(user))


def test_path_ids_lists_the_ids_of_a_materialised_path_root_first():
    assert path_ids("/1/12/130/") == [1, 12, 130]
    assert path_ids("") == []


def test_host_staff_are_told_apart_by_their_grants_not_their_tier(w):
    assert ask(w, scope(lambda s: s.is_host_staff)) == only(HOST)
    assert ask(w, scope(lambda s: s.has_home_grants)) == only(COUNTY, COMMITTEE, GROUP)
    assert ask(w, scope(lambda s: s.tier_label)) == {
        COUNTY: "县委组织部",
        COMMITTEE: "基层党（工）委",
        GROUP: "基层党（工）委",
        HOST: "流入地党组织",
        MEMBER: "流动党员",
        ANON: "",
        NONE: "",
        NOBODY: "",
    }


def test_each_principal_has_its_tier(w):
    assert ask(w, scope(lambda s: s.tier)) == {
        COUNTY: "county",
        COMMITTEE: "committee",
        GROUP: "committee",  # a grant through a group is a grant
        HOST: "committee",  # host-organisation staff: the committee tier (GLOSSARY.md)
        MEMBER: "member",
        ANON: None,
        NONE: None,
        NOBODY: None,
    }


def test_the_tier_flags_follow_the_tier(w):
    assert ask(w, scope(lambda s: s.is_staff)) == only(*STAFF_PRINCIPALS)
    assert ask(w, scope(lambda s: s.is_county)) == only(COUNTY)
    assert ask(w, scope(lambda s: s.is_member)) == only(MEMBER)


def test_grants_are_the_outermost_organisations_granted_to_the_user_or_a_group(w):
    def ids(organizations):
        return [org.pk for org in organizations]

    expected = {
        COUNTY: [w.county.pk],
        COMMITTEE: [w.committee_a.pk],
        GROUP: [w.committee_a.pk],
        HOST: [w.host.pk],
    }
    expected = {name: expected.get(name, []) for name in PRINCIPALS}
    assert ask(w, scope(lambda s: ids(s.grants))) == expected
    assert ask(w, scope(lambda s: s.granted_ids)) == expected
    assert ask(w, scope(lambda s: ids(s.host_grants))) == only(HOST, yes=[w.host.pk], no=[])
    ancestors = ask(w, scope(lambda s: s.grant_ancestor_ids))
    assert ancestors == only(COMMITTEE, GROUP, yes=[w.county.pk], no=[])


def test_an_inner_grant_adds_nothing_to_an_outer_one(w):
    assign_perm(f"members.{MANAGE}", w.group, w.branch_a1)
    user = principal(w, GROUP)
    assert [org.pk for org in scope_of(user).grants] == [w.committee_a.pk]
    assert set(scope_of(user).granted_ids) == {w.committee_a.pk, w.branch_a1.pk}


def test_q_selects_the_rows_in_the_granted_subtrees(w):
    side_a = {w.member_a.pk, w.member_a2.pk}
    answers = ask(w, scope(lambda s: pks(Member.objects.filter(s.q(via="organization__")))))
    assert answers == {
        name: {COUNTY: side_a | {w.member_b.pk}, COMMITTEE: side_a, GROUP: side_a}.get(name, set())
        for name in PRINCIPALS
    }


@pytest.mark.parametrize(
    ("organization", "coverers"),
    [
        ("branch_a1", HOME_STAFF_PRINCIPALS),
        ("temp", HOME_STAFF_PRINCIPALS),
        ("committee_b", (COUNTY,)),
        ("county", (COUNTY,)),
        ("host", (HOST,)),
        (None, ()),
    ],
)
def test_covers_holds_for_the_staff_whose_grants_hold_the_organisation(w, organization, coverers):
    org = getattr(w, organization) if organization else None
    assert ask(w, scope(lambda s: s.covers(org))) == only(*coverers)


def test_covering_names_the_grants_over_an_organisation(w):
    answers = ask(w, scope(lambda s: [org.pk for org in s.covering(w.branch_a1)]))
    assert answers == {
        name: {COUNTY: [w.county.pk], COMMITTEE: [w.committee_a.pk], GROUP: [w.committee_a.pk]}.get(
            name, []
        )
        for name in PRINCIPALS
    }


def test_host_staff_host_the_member_and_home_staff_manage_it(w):
    assert ask(w, scope(lambda s: s.hosts(w.member_a))) == only(HOST)
    assert ask(w, scope(lambda s: pks(Member.objects.filter(s.hosted_q())))) == only(
        HOST, yes={w.member_a.pk}, no=set()
    )
    assert ask(w, scope(lambda s: s.manages(w.member_a))) == only(*HOME_STAFF_PRINCIPALS)
    assert ask(w, scope(lambda s: s.manages(w.member_b))) == only(COUNTY)
    assert ask(w, scope(lambda s: s.hosts(w.member_b))) == only()


def test_members_q_is_the_home_scope_and_the_hosted_members_or_the_own_archive(w):
    side_a = {w.member_a.pk, w.member_a2.pk}
    answers = ask(w, scope(lambda s: pks(Member.objects.filter(s.members_q()))))
    expected = {
        COUNTY: side_a | {w.member_b.pk},
        COMMITTEE: side_a,
        GROUP: side_a,
        HOST: {w.member_a.pk},
        MEMBER: {w.member_a.pk},
    }
    assert answers == {name: expected.get(name, set()) for name in PRINCIPALS}


def test_the_member_behind_an_account_and_what_it_belongs_to(w):
    assert ask(w, scope(lambda s: getattr(s.member, "pk", None))) == only(
        MEMBER, yes=w.member_a.pk, no=None
    )
    home = [w.county.pk, w.committee_a.pk, w.branch_a1.pk]
    assert ask(w, scope(lambda s: s.organization_ids)) == only(MEMBER, yes=home, no=[])
    assert ask(w, scope(lambda s: s.host_organization_ids)) == only(MEMBER, yes=[w.host.pk], no=[])
    assert ask(w, scope(lambda s: s.temporary_branch_ids)) == only(MEMBER, yes=[w.temp.pk], no=[])
    assert ask(w, scope(lambda s: s.skill_ids)) == only(MEMBER, yes=[w.skill.pk], no=[])


def test_the_scope_is_computed_once_per_user_object_until_forgotten(w):
    for name in PRINCIPALS:
        user = principal(w, name)
        first = scope_of(user)
        if user is None:
            assert scope_of(None).tier is None
            continue
        assert scope_of(user) is first
        scope_forget(user)
        assert scope_of(user) is not first


def test_a_group_grant_taken_away_ends_the_scope_at_once(w):
    assert scope_of(principal(w, GROUP)).tier == "committee"
    remove_perm(f"members.{MANAGE}", w.group, w.committee_a)  # the signal drops cached grants
    assert scope_of(principal(w, GROUP)).tier is None
    assert scope_of(principal(w, COMMITTEE)).tier == "committee"


def test_leaving_the_group_ends_the_scope_at_once(w):
    w.group_staff.groups.remove(w.group)
    assert scope_of(principal(w, GROUP)).tier is None


def test_grants_changed_drops_every_cached_grant_list(w):
    assert scope_of(principal(w, GROUP)).is_staff
    # A change the signals do not see (a bulk update): the cache keeps the old grants ...
    OrganizationGroupObjectPermission.objects.filter(group=w.group).update(
        content_object=w.committee_b
    )
    assert scope_of(principal(w, GROUP)).grants[0].pk == w.committee_a.pk
    grants_changed()  # ... until grants_changed drops them
    assert scope_of(principal(w, GROUP)).grants[0].pk == w.committee_b.pk


# The reverse questions ---------------------------------------------------------------------


def test_staffed_organisations_are_those_with_a_user_or_a_group_grant(w):
    staffed = {w.county.pk, w.committee_a.pk, w.committee_b.pk, w.host.pk}
    assert staffed_organization_ids() == staffed
    assert staffed_organization_ids([w.branch_a1.pk, w.committee_a.pk]) == {w.committee_a.pk}
    remove_perm(f"members.{MANAGE}", w.staff_a, w.committee_a)  # still staffed: the group
    assert w.committee_a.pk in staffed_organization_ids()


def test_the_staff_of_an_organisation_hold_a_grant_on_it_directly_or_through_a_group(w):
    assert pks(staff_of(w.committee_a)) == {w.staff_a.pk, w.group_staff.pk}
    assert pks(staff_of(w.branch_a1)) == set()
    inherited = {w.county_staff.pk, w.staff_a.pk, w.group_staff.pk}
    assert pks(staff_of(w.branch_a1, inherited=True)) == inherited
    assert pks(staff_of(w.host)) == {w.host_staff.pk}
    User.objects.filter(pk=w.group_staff.pk).update(is_active=False)
    assert pks(staff_of(w.committee_a)) == {w.staff_a.pk}


def test_the_nearest_staffed_organisation_is_found_upwards(w):
    assert nearest_staffed_organization(w.branch_a1) == w.committee_a
    assert nearest_staffed_organization(w.temp) == w.committee_a
    assert nearest_staffed_organization(w.branch_b1) == w.committee_b
    assert nearest_staffed_organization(w.county) == w.county
    lone = factories.organization("无人值守的流入地党委", Organization.Kind.HOST, None)
    assert nearest_staffed_organization(lone) is None


def test_user_grants_are_the_users_own_grants_never_the_groups(w):
    # Asked by add_staff about an account (never about the AnonymousUser of a request).
    answers = ask(
        w,
        lambda user: [org.pk for org in user_grants(user)],
        principals=[COUNTY, COMMITTEE, GROUP, HOST, MEMBER, NONE, NOBODY],
    )
    assert answers == {
        COUNTY: [w.county.pk],
        COMMITTEE: [w.committee_a.pk],
        GROUP: [],  # add_staff replaces these; a group's grants are the group's
        HOST: [w.host.pk],
        MEMBER: [],
        NONE: [],
        NOBODY: [],
    }

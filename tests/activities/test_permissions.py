"""Who sees which activity: every tier, in and out of scope and audience."""

import pytest

from activities import permissions
from activities.models import Activity, ActivityMaterial
from members.models import Organization, TemporaryBranchMembership
from tests import factories
from tests.activities import factories as af
from tests.conftest import client_for
from tests.tiers import ask, extend_world, only, outcome, principal, untested_functions

pytestmark = pytest.mark.django_db
A = Activity.Audience
S = Activity.Status


def visible_ids(user):
    return set(permissions.filter_activities_visible_to(user).values_list("pk", flat=True))


@pytest.fixture
def acts(aw):
    w = aw
    return {
        "a1_org": af.activity(w.branch_a1),  # 东关 branch only
        "a2_org": af.activity(w.branch_a2),
        "b1_org": af.activity(w.branch_b1),
        "committee_a_subtree": af.activity(w.committee_a, audience=A.SUBTREE),
        "committee_a_org_only": af.activity(w.committee_a, audience=A.ORGANIZATION),
        "county_subtree": af.activity(w.county, audience=A.SUBTREE),
        "temp": af.activity(w.temp),
        "hosted": af.activity(w.host_branch),
        "hosted_top": af.activity(w.host),
        "a1_planned": af.activity(w.branch_a1, status=S.PLANNED),
        "a1_cancelled_after_publish": af.activity(w.branch_a1, status=S.CANCELLED),
        "a1_cancelled_draft": af.activity(w.branch_a1, status=S.CANCELLED, published_at=None),
        "a1_held": af.past(w.branch_a1),
    }


def names(acts, ids):
    return {name for name, a in acts.items() if a.pk in ids}


def test_a_member_sees_their_branch_their_ancestors_subtree_activities_only(aw, acts):
    seen = names(acts, visible_ids(aw.member_a.user))
    assert seen == {
        "a1_org",
        "committee_a_subtree",
        "county_subtree",
        "a1_cancelled_after_publish",
        "a1_held",
    }


def test_a_member_never_sees_another_branchs_activity(aw, acts):
    assert acts["a2_org"].pk not in visible_ids(aw.member_a.user)
    assert acts["b1_org"].pk not in visible_ids(aw.member_a.user)
    # An "organisation only" activity of the committee is not for the branches below it.
    assert acts["committee_a_org_only"].pk not in visible_ids(aw.member_a.user)


def test_drafts_stay_with_staff(aw, acts):
    for user in (aw.member_a.user, aw.member_a1b.user):
        ids = visible_ids(user)
        assert acts["a1_planned"].pk not in ids
        assert acts["a1_cancelled_draft"].pk not in ids
    assert acts["a1_planned"].pk in visible_ids(aw.staff_a)


def test_temporary_branch_members_see_its_activities_and_others_do_not(aw, acts):
    seen_b = names(acts, visible_ids(aw.member_b.user))
    assert seen_b == {"b1_org", "county_subtree", "temp"}
    assert acts["temp"].pk not in visible_ids(aw.member_a.user)


def test_a_member_who_left_the_temporary_branch_no_longer_sees_it(aw, acts):
    from django.utils import timezone

    from members.models import TemporaryBranchMembership

    TemporaryBranchMembership.objects.filter(member=aw.member_b).update(left_at=timezone.now())
    user = type(aw.member_b.user).objects.get(pk=aw.member_b.user.pk)
    assert acts["temp"].pk not in visible_ids(user)


def test_hosted_members_see_their_host_organisations_activities(aw, acts):
    seen = names(acts, visible_ids(aw.member_hosted.user))
    assert seen == {"a2_org", "committee_a_subtree", "county_subtree", "hosted", "hosted_top"}
    assert acts["hosted"].pk not in visible_ids(aw.member_a.user)


def test_committee_staff_see_their_subtree_only(aw, acts):
    seen = names(acts, visible_ids(aw.staff_a))
    assert seen == {
        "a1_org",
        "a2_org",
        "committee_a_subtree",
        "committee_a_org_only",
        "temp",
        "a1_planned",
        "a1_cancelled_after_publish",
        "a1_cancelled_draft",
        "a1_held",
    }
    assert names(acts, visible_ids(aw.staff_b)) == {"b1_org"}


def test_county_staff_see_the_county_and_host_staff_their_host_tree(aw, acts):
    county = names(acts, visible_ids(aw.county_staff))
    assert county == set(acts) - {"hosted", "hosted_top"}
    assert names(acts, visible_ids(aw.host_staff)) == {"hosted", "hosted_top"}


def test_anonymous_and_tierless_users_see_nothing(aw, acts):
    from django.contrib.auth.models import AnonymousUser

    from members.models import User

    assert visible_ids(AnonymousUser()) == set()
    nobody = User.objects.create_user(username="nobody", password="x-long-password-1")
    assert visible_ids(nobody) == set()
    assert client_for(nobody).get("/api/activities/").status_code == 403
    assert client_for(None).get("/api/activities/").status_code == 401


@pytest.mark.parametrize(
    ("who", "activity", "status"),
    [
        ("member_a", "a1_org", 200),
        ("member_a", "b1_org", 404),
        ("member_a", "a1_planned", 404),
        ("member_a", "temp", 404),
        ("member_b", "temp", 200),
        ("member_hosted", "hosted", 200),
        ("staff_a", "a1_org", 200),
        ("staff_a", "b1_org", 404),
        ("staff_b", "a1_org", 404),
        ("county_staff", "b1_org", 200),
        ("county_staff", "hosted", 404),
        ("host_staff", "hosted", 200),
    ],
)
def test_the_detail_api_is_404_outside_scope_or_audience(aw, acts, who, activity, status):
    user = getattr(aw, who)
    user = getattr(user, "user", user)
    response = client_for(user).get(f"/api/activities/{acts[activity].pk}/")
    assert response.status_code == status
    if status == 404:
        assert acts[activity].title not in response.content.decode()


# Every function of activities.permissions, asked directly for every principal of tests.tiers
# (county, committee A directly and through a group, host staff hosting member A, member A,
# anonymous, no user, an account without a tier): one row of the table per test.


@pytest.fixture
def tw(world):
    """The tier world plus activities of branch A1 (published and planned), of committee A's
    subtree, of branch B1, of the host organisation and of a temporary branch of committee A
    that member A belongs to; a material and a reply on some of them."""
    w = extend_world(world)
    w.temp = factories.organization(
        "深圳临时党支部", Organization.Kind.TEMPORARY_BRANCH, w.committee_a
    )
    TemporaryBranchMembership.objects.create(member=w.member_a, branch=w.temp)
    w.acts = {
        "a1": af.activity(w.branch_a1),
        "a_subtree": af.activity(w.committee_a, audience=A.SUBTREE),
        "a1_planned": af.activity(w.branch_a1, status=S.PLANNED),
        "b1": af.activity(w.branch_b1),
        "hosted": af.activity(w.host),
        "temp": af.activity(w.temp),
    }
    w.materials = {
        name: ActivityMaterial.objects.create(
            activity=w.acts[name], kind=ActivityMaterial.Kind.STUDY_MATERIAL, title=name
        )
        for name in ("a1", "b1", "hosted")
    }
    w.replies = {
        "a1": af.reply(w.acts["a1"], w.member_a),
        "b1": af.reply(w.acts["b1"], w.member_b),
        "hosted": af.reply(w.acts["hosted"], w.member_a),
    }
    return w


def named(objects: dict, rows) -> set[str]:
    ids = {row.pk for row in rows}
    return {name for name, obj in objects.items() if obj.pk in ids}


HOME_STAFF = ("county", "committee", "committee_group")
COUNTY_TREE = {"a1", "a_subtree", "a1_planned", "b1", "temp"}


def test_every_principal_sees_the_activities_of_its_scope_or_audience(tw):
    answers = ask(tw, lambda user: named(tw.acts, permissions.filter_activities_visible_to(user)))
    expected = only(no=set())
    expected.update(
        county=COUNTY_TREE,
        committee=COUNTY_TREE - {"b1"},
        committee_group=COUNTY_TREE - {"b1"},
        host={"hosted"},
        member={"a1", "a_subtree", "temp", "hosted"},  # published, home, branch and host
    )
    assert answers == expected


def test_members_see_published_held_and_published_then_cancelled_activities(tw):
    shown = named(tw.acts, Activity.objects.filter(permissions.visible_to_members_q()))
    assert shown == set(tw.acts) - {"a1_planned"}


def test_the_audience_of_a_member_is_their_branch_ancestors_temporary_branch_and_host(tw):
    """Asked about the user's own archive (as the filters above ask it)."""
    user = principal(tw, "member")
    audience = Activity.objects.filter(permissions.member_audience_q(user, tw.member_a))
    assert named(tw.acts, audience) == {"a1", "a_subtree", "a1_planned", "temp", "hosted"}


def test_materials_follow_their_activity(tw):
    answers = ask(
        tw, lambda user: named(tw.materials, permissions.filter_materials_visible_to(user))
    )
    expected = only(no=set())
    expected.update(
        county={"a1", "b1"},
        committee={"a1"},
        committee_group={"a1"},
        host={"hosted"},
        member={"a1", "hosted"},
    )
    assert answers == expected


def test_replies_are_read_by_the_staff_of_the_activity_and_by_the_member_who_replied(tw):
    answers = ask(
        tw, lambda user: named(tw.replies, permissions.filter_attendances_visible_to(user))
    )
    expected = only(no=set())
    expected.update(
        county={"a1", "b1"},
        committee={"a1"},
        committee_group={"a1"},
        host={"hosted"},
        member={"a1", "hosted"},
    )
    assert answers == expected


@pytest.mark.parametrize(
    ("activity", "viewers", "managers", "repliers"),
    [
        ("a1", (*HOME_STAFF, "member"), HOME_STAFF, ("member",)),
        ("a1_planned", HOME_STAFF, HOME_STAFF, ()),
        ("b1", ("county",), ("county",), ()),
        ("hosted", ("host", "member"), ("host",), ("member",)),
    ],
)
def test_who_views_manages_and_replies_to_an_activity(tw, activity, viewers, managers, repliers):
    act = tw.acts[activity]
    assert ask(tw, lambda user: permissions.can_view_activity(user, act)) == only(*viewers)
    assert ask(tw, lambda user: permissions.can_manage_activity(user, act)) == only(*managers)
    assert ask(
        tw, lambda user: outcome(lambda: permissions.check_manage_activity_permission(user, act))
    ) == only(*managers, yes="ok", no=404)
    assert ask(tw, lambda user: permissions.can_reply_to_activity(user, act)) == only(*repliers)
    assert ask(
        tw, lambda user: outcome(lambda: permissions.check_reply_to_activity_permission(user, act))
    ) == only(*repliers, yes="ok", no=404)


@pytest.mark.parametrize(
    ("activity", "recorders"),
    [("a1", HOME_STAFF), ("a1_planned", HOME_STAFF), ("b1", ("county",)), ("hosted", ("host",))],
)
def test_staff_who_manage_an_activity_record_replies_only_for_invitees_without_an_account(
    tw, activity, recorders
):
    act = tw.acts[activity]
    without_account = factories.MemberFactory(organization=act.organization)
    assert ask(
        tw, lambda user: permissions.can_record_reply_for(user, act, without_account)
    ) == only(*recorders)
    # A member with an account replies for themselves: nobody records it for them.
    assert ask(tw, lambda user: permissions.can_record_reply_for(user, act, tw.member_a)) == only()


@pytest.mark.parametrize(
    ("organization", "organizers"),
    [("branch_a1", HOME_STAFF), ("temp", HOME_STAFF), ("host", ("host",)), (None, ())],
)
def test_staff_organise_activities_for_the_organisations_of_their_scope(
    tw, organization, organizers
):
    org = getattr(tw, organization) if organization else None
    assert ask(tw, lambda user: permissions.can_organize_for(user, org)) == only(*organizers)


def test_every_function_of_activities_permissions_has_a_row_here():
    assert not untested_functions(permissions, __file__)

"""Who sees which activity: every tier, in and out of scope and audience."""

import pytest

from activities import permissions
from activities.models import Activity
from tests.activities import factories as af
from tests.conftest import client_for

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

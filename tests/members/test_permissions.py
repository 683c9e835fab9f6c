"""Every public function of members.permissions, called directly for every principal: county,
committee A (directly and through a group grant), host staff hosting member A, member A,
anonymous, no user at all and a signed-in account without a tier (tests.tiers). Each test is
one row of the permission table: what each principal gets. The scope itself (members.
permissions.scope) is in test_permissions_scope.py."""

import pytest
from django.utils import timezone

from members import permissions
from members.models import (
    ChangeRequest,
    ContactLog,
    Hosting,
    Notice,
    OneTimeCode,
    Organization,
    RosterImport,
    TemporaryBranchMembership,
)
from members.services.accounts import one_time_code_issue
from members.services.changes import change_request_submit
from members.services.contacts import contact_log_create
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.tiers import (
    COMMITTEE,
    COUNTY,
    GROUP,
    HOME_STAFF_PRINCIPALS,
    HOST,
    MEMBER,
    PRINCIPALS,
    STAFF_PRINCIPALS,
    ask,
    extend_world,
    fresh_member,
    only,
    outcome,
    pks,
    untested_functions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    """The tier world (tests.tiers) plus one object of each kind the permissions filter: a
    temporary branch of committee A with member A in it, change requests, contact logs (home
    and host), issued codes, roster uploads and notices of both sides."""
    w = extend_world(world)
    w.temp = factories.organization(
        "深圳临时党支部", Organization.Kind.TEMPORARY_BRANCH, w.committee_a
    )
    TemporaryBranchMembership.objects.create(member=w.member_a, branch=w.temp)
    w.cr_a, w.cr_b = (
        change_request_submit(member=m, changes={"employer": "新单位"}, reason="换了工作")
        for m in (w.member_a, w.member_b)
    )
    contact = {"contacted_on": timezone.localdate(), "channel": "phone"}
    w.host_contact = contact_log_create(staff=w.host_staff, member=w.member_a, **contact)
    w.home_contact = contact_log_create(staff=w.staff_a, member=w.member_a, **contact)
    for staff, member in ((w.staff_a, w.member_a2), (w.staff_b, w.member_b)):
        one_time_code_issue(staff=staff, member=member, reason="手机号停用", ip=None)
    w.roster_a = RosterImport.objects.create(uploaded_by=w.staff_a, file_name="甲.xlsx")
    w.roster_b = RosterImport.objects.create(uploaded_by=w.staff_b, file_name="乙.xlsx")
    publish = {"kind": Notice.Kind.SYSTEM}
    w.notice_members_a = notice_publish(
        audience=Audience.subtree(w.committee_a), title="甲", **publish
    )
    w.notice_members_b = notice_publish(
        audience=Audience.subtree(w.committee_b), title="乙", **publish
    )
    w.notice_staff_a = notice_publish(
        audience=Audience.staff(w.committee_a), title="甲员", **publish
    )
    w.notice_hosting = Notice.objects.get(kind=Notice.Kind.HOSTING, audience_organization=w.host)
    w.notice_review_a = Notice.objects.get(  # "a change request to review", to committee A
        kind=Notice.Kind.CHANGE_REQUEST, audience_organization=w.committee_a
    )
    w.member_a = fresh_member(w.member_a)
    return w


def table(**rows) -> dict:
    """A row of answers given by principal name (committee_group as `committee_group`)."""
    assert set(rows) == set(PRINCIPALS), set(PRINCIPALS) ^ set(rows)
    return rows


# Tiers -------------------------------------------------------------------------------------


def test_is_staff_holds_for_the_staff_tiers_only(w):
    assert ask(w, permissions.is_staff) == only(*STAFF_PRINCIPALS)


def test_is_county_holds_for_the_county_tier_only(w):
    assert ask(w, permissions.is_county) == only(COUNTY)


def test_is_member_holds_for_the_member_only(w):
    assert ask(w, permissions.is_member) == only(MEMBER)


def test_member_of_is_the_archive_behind_a_member_account_only(w):
    answers = ask(w, lambda user: getattr(permissions.member_of(user), "pk", None))
    assert answers == only(MEMBER, yes=w.member_a.pk, no=None)


def test_check_signed_in_refuses_only_those_without_a_tier(w):
    answers = ask(w, lambda user: outcome(lambda: permissions.check_signed_in(user)))
    assert answers == only(*STAFF_PRINCIPALS, MEMBER, yes="ok", no=403)


def test_check_staff_refuses_everyone_but_staff_with_403(w):
    answers = ask(w, lambda user: outcome(lambda: permissions.check_staff(user)))
    assert answers == only(*STAFF_PRINCIPALS, yes="ok", no=403)


def test_check_member_refuses_everyone_but_the_member_with_403(w):
    answers = ask(w, lambda user: outcome(lambda: permissions.check_member(user)))
    assert answers == only(MEMBER, yes="ok", no=403)


def test_the_second_factor_is_required_of_the_tiers_the_setting_names(w, settings):
    settings.STAFF_OTP_REQUIRED_TIERS = ["county"]
    assert ask(w, permissions.tier_requires_second_factor) == only(COUNTY)
    settings.STAFF_OTP_REQUIRED_TIERS = ["county", "committee"]  # host staff are committee
    assert ask(w, permissions.tier_requires_second_factor) == only(COUNTY, COMMITTEE, GROUP, HOST)


def test_has_tier_holds_for_staff_and_members(w):
    assert ask(w, permissions.has_tier) == only(*STAFF_PRINCIPALS, MEMBER)


def test_an_archive_is_moved_by_a_transfer_by_the_sending_or_the_receiving_staff(w):
    """Home staff of the member, or staff whose scope covers the destination branch."""
    assert ask(w, lambda u: permissions.can_apply_transfer(u, w.member_a)) == only(
        COUNTY, COMMITTEE, GROUP
    )
    # Side b's member coming to a branch of committee A: the receiving side's staff apply it.
    into_a = ask(w, lambda u: permissions.can_apply_transfer(u, w.member_b, w.branch_a2))
    assert into_a == only(COUNTY, COMMITTEE, GROUP)
    elsewhere = ask(w, lambda u: permissions.can_apply_transfer(u, w.member_b))
    assert elsewhere == only(COUNTY)


@pytest.mark.parametrize(
    "question",
    [
        permissions.can_manage_skills,
        permissions.can_read_audit_log,
        permissions.can_manage_outbox,
        permissions.can_manage_login_throttles,
    ],
)
def test_the_county_alone_manages_skills_reads_the_audit_log_and_the_outbox(w, question):
    assert ask(w, question) == only(COUNTY)


# Organisations ---------------------------------------------------------------------------


def test_each_principal_sees_the_organisations_of_its_grants(w):
    side_a = {w.committee_a.pk, w.branch_a1.pk, w.branch_a2.pk, w.temp.pk}
    county = side_a | {w.county.pk, w.committee_b.pk, w.branch_b1.pk}
    answers = ask(w, lambda user: pks(permissions.filter_organizations_visible_to(user)))
    nothing = set()
    assert answers == table(
        county=county,
        committee=side_a,
        committee_group=side_a,
        host={w.host.pk},
        member=nothing,
        anonymous=nothing,
        none=nothing,
        nobody=nothing,
    )


@pytest.mark.parametrize(
    ("organization", "managers"),
    [
        ("branch_a1", HOME_STAFF_PRINCIPALS),
        ("branch_b1", (COUNTY,)),
        ("host", (HOST,)),  # the host organisation is outside the county's tree
        (None, ()),
    ],
)
def test_organisations_are_managed_by_the_staff_whose_grants_cover_them(w, organization, managers):
    org = getattr(w, organization) if organization else None
    assert ask(w, lambda user: permissions.can_manage_organization(user, org)) == only(*managers)
    checked = ask(
        w, lambda user: outcome(lambda: permissions.check_manage_organization_permission(user, org))
    )
    assert checked == only(*managers, yes="ok", no=404)


@pytest.mark.parametrize(
    ("parent", "placers"),
    [("committee_a", HOME_STAFF_PRINCIPALS), ("host", (HOST,)), (None, (COUNTY,))],
)
def test_an_organisation_is_placed_under_a_parent_in_scope_and_a_new_root_by_the_county(
    w, parent, placers
):
    org = getattr(w, parent) if parent else None
    answers = ask(w, lambda user: permissions.can_place_organization(user, parent=org))
    assert answers == only(*placers)


# Members ---------------------------------------------------------------------------------


def test_each_principal_reads_the_archives_of_its_scope(w):
    side_a = {w.member_a.pk, w.member_a2.pk}
    answers = ask(w, lambda user: pks(permissions.filter_members_visible_to(user)))
    assert answers == table(
        county=side_a | {w.member_b.pk},
        committee=side_a,
        committee_group=side_a,
        host={w.member_a.pk},  # the member their organisation hosts
        member={w.member_a.pk},  # their own
        anonymous=set(),
        none=set(),
        nobody=set(),
    )


def test_only_home_staff_keep_archives(w):
    side_a = {w.member_a.pk, w.member_a2.pk}
    answers = ask(w, lambda user: pks(permissions.filter_members_managed_by(user)))
    assert answers == table(
        county=side_a | {w.member_b.pk},
        committee=side_a,
        committee_group=side_a,
        host=set(),
        member=set(),
        anonymous=set(),
        none=set(),
        nobody=set(),
    )


@pytest.mark.parametrize(
    ("member", "keepers", "liaisons"),
    [
        ("member_a", HOME_STAFF_PRINCIPALS, (*HOME_STAFF_PRINCIPALS, HOST)),
        ("member_b", (COUNTY,), (COUNTY,)),
    ],
)
def test_home_staff_keep_an_archive_and_host_staff_also_keep_in_touch(w, member, keepers, liaisons):
    m = getattr(w, member)
    assert ask(w, lambda user: permissions.can_manage_member(user, m)) == only(*keepers)
    assert ask(
        w, lambda user: outcome(lambda: permissions.check_manage_member_permission(user, m))
    ) == only(*keepers, yes="ok", no=404)
    assert ask(w, lambda user: permissions.can_liaise_member(user, m)) == only(*liaisons)
    assert ask(
        w, lambda user: outcome(lambda: permissions.check_liaise_member_permission(user, m))
    ) == only(*liaisons, yes="ok", no=404)
    assert ask(w, lambda user: permissions.can_assess_mindset(user, m)) == only(*keepers)


@pytest.mark.parametrize(
    ("organization", "creators"),
    [("branch_a1", HOME_STAFF_PRINCIPALS), ("branch_b1", (COUNTY,)), ("host", ()), (None, ())],
)
def test_archives_are_created_by_home_staff_in_scope_never_in_a_host_organisation(
    w, organization, creators
):
    org = getattr(w, organization) if organization else None
    answers = ask(w, lambda user: permissions.can_create_member_in(user, org))
    assert answers == only(*creators)


def test_each_principal_reads_the_hosted_member_through_its_own_column_of_the_field_policy(w):
    viewers = table(
        county="county",
        committee="committee",
        committee_group="committee",
        host="host",
        member="self",
        anonymous=None,
        none=None,
        nobody=None,
    )
    assert ask(w, lambda user: permissions.archive_viewer(user, w.member_a)) == viewers
    # Lists ask the same per row, without a query.
    assert ask(w, lambda user: permissions.row_viewer(user)(w.member_a)) == viewers
    outside = ask(w, lambda user: permissions.archive_viewer(user, w.member_b))
    assert outside == only(COUNTY, yes="county", no=None)


def test_exports_are_read_through_the_viewers_of_the_users_grants(w):
    assert ask(w, permissions.export_viewers) == table(
        county={"county"},
        committee={"committee"},
        committee_group={"committee"},
        host={"host"},
        member=set(),
        anonymous=set(),
        none=set(),
        nobody=set(),
    )


def test_host_staff_read_only_the_contacts_their_organisation_wrote(w):
    every = set(ContactLog.objects.filter(member=w.member_a).values_list("pk", flat=True))
    answers = ask(w, lambda user: pks(ContactLog.objects.filter(permissions.contact_logs_q(user))))
    assert answers == table(
        county=set(ContactLog.objects.values_list("pk", flat=True)),
        committee=every,
        committee_group=every,
        host={w.host_contact.pk},
        member=set(),
        anonymous=set(),
        none=set(),
        nobody=set(),
    )


def test_staff_contact_a_member_in_the_name_of_their_outermost_covering_grant(w):
    def speaking_for(member):
        return lambda user: getattr(permissions.contact_organization(user, member), "pk", None)

    assert ask(w, speaking_for(w.member_a)) == table(
        county=w.county.pk,
        committee=w.committee_a.pk,
        committee_group=w.committee_a.pk,
        host=w.host.pk,
        member=None,
        anonymous=None,
        none=None,
        nobody=None,
    )
    assert ask(w, speaking_for(w.member_b)) == only(COUNTY, yes=w.county.pk, no=None)


# Change requests and the records around the archive ----------------------------------------


def test_change_requests_are_reviewed_by_home_staff_only(w):
    answers = ask(w, lambda user: pks(permissions.filter_change_requests_visible_to(user)))
    assert answers == table(
        county={w.cr_a.pk, w.cr_b.pk},
        committee={w.cr_a.pk},
        committee_group={w.cr_a.pk},
        host=set(),
        member=set(),  # members read their own through change_request_list_for_member
        anonymous=set(),
        none=set(),
        nobody=set(),
    )
    assert ask(w, lambda user: permissions.can_review_change_request(user, w.cr_a)) == only(
        *HOME_STAFF_PRINCIPALS
    )
    assert ask(
        w,
        lambda user: outcome(
            lambda: permissions.check_review_change_request_permission(user, w.cr_b)
        ),
    ) == only(COUNTY, yes="ok", no=404)
    assert ChangeRequest.objects.count() == 2


def test_issued_codes_are_read_by_the_members_home_staff(w):
    code_a = OneTimeCode.objects.get(member=w.member_a2).pk
    code_b = OneTimeCode.objects.get(member=w.member_b).pk
    answers = ask(
        w,
        lambda user: pks(
            permissions.filter_one_time_codes_visible_to(user, OneTimeCode.objects.all())
        ),
    )
    nothing = set()
    assert answers == table(
        county={code_a, code_b},
        committee={code_a},
        committee_group={code_a},
        host=nothing,
        member=nothing,
        anonymous=nothing,
        none=nothing,
        nobody=nothing,
    )


def test_roster_uploads_are_read_by_the_county_and_by_their_uploader(w):
    answers = ask(
        w,
        lambda user: pks(permissions.filter_rosters_visible_to(user, RosterImport.objects.all())),
    )
    nothing = set()
    assert answers == table(
        county={w.roster_a.pk, w.roster_b.pk},
        committee={w.roster_a.pk},
        committee_group=nothing,  # per uploader, not per scope
        host=nothing,
        member=nothing,
        anonymous=nothing,
        none=nothing,
        nobody=nothing,
    )


def test_sent_notices_are_managed_by_the_county_and_by_staff_of_their_organisation(w):
    answers = ask(
        w, lambda user: pks(permissions.filter_notices_manageable_by(user, Notice.objects.all()))
    )
    side_a = {w.notice_members_a.pk, w.notice_staff_a.pk, w.notice_review_a.pk}
    nothing = set()
    assert answers == table(
        county=set(Notice.objects.values_list("pk", flat=True)),
        committee=side_a,
        committee_group=side_a,
        host={w.notice_hosting.pk},
        member=nothing,
        anonymous=nothing,
        none=nothing,
        nobody=nothing,
    )


# Temporary branches and hosting -----------------------------------------------------------


def test_temporary_branches_are_formed_and_managed_by_home_staff_in_scope(w):
    form = ask(w, lambda user: permissions.can_form_temporary_branch(user, parent=w.committee_a))
    assert form == only(*HOME_STAFF_PRINCIPALS)
    assert ask(w, lambda user: permissions.can_form_temporary_branch(user, parent=None)) == only()
    manage = ask(w, lambda user: permissions.can_manage_temporary_branch(user, w.temp))
    assert manage == only(*HOME_STAFF_PRINCIPALS)
    not_temporary = ask(w, lambda user: permissions.can_manage_temporary_branch(user, w.branch_a1))
    assert not_temporary == only()
    checked = ask(
        w,
        lambda user: outcome(
            lambda: permissions.check_manage_temporary_branch_permission(user, w.temp)
        ),
    )
    assert checked == only(*HOME_STAFF_PRINCIPALS, yes="ok", no=404)


def test_only_the_host_organisations_staff_act_for_it(w):
    assert ask(w, lambda user: permissions.can_act_for_host(user, w.host)) == only(HOST)
    assert ask(w, lambda user: permissions.can_act_for_host(user, w.committee_a)) == only()
    assert ask(w, lambda user: permissions.can_act_for_host(user, None)) == only()
    checked = ask(
        w, lambda user: outcome(lambda: permissions.check_act_for_host_permission(user, w.host))
    )
    assert checked == only(HOST, yes="ok", no=404)
    grant = ask(w, lambda user: getattr(permissions.host_grant(user, str(w.host.pk)), "pk", None))
    assert grant == only(HOST, yes=w.host.pk, no=None)
    arrivals = ask(
        w, lambda user: pks(permissions.filter_hostings_visible_to(user, Hosting.objects.all()))
    )
    assert arrivals == only(HOST, yes={w.hosting.pk}, no=set())


# Notices -----------------------------------------------------------------------------------


def test_broadcasts_reach_members_by_home_and_staff_by_their_grants(w):
    def reached(user):
        condition = permissions.broadcast_notices_q(user)
        return None if condition is None else pks(Notice.objects.filter(condition))

    assert ask(w, reached) == table(
        county=set(),  # notices to "the staff of an organisation" reach its own grantees
        committee={w.notice_staff_a.pk, w.notice_review_a.pk},
        committee_group={w.notice_staff_a.pk, w.notice_review_a.pk},
        host={w.notice_hosting.pk},
        member={w.notice_members_a.pk},
        anonymous=None,
        none=None,
        nobody=None,
    )


@pytest.mark.parametrize(
    ("notice", "readers"),
    [
        ("notice_members_a", (MEMBER,)),
        ("notice_staff_a", (COMMITTEE, GROUP)),
        ("notice_hosting", (HOST,)),
        ("notice_members_b", ()),
    ],
)
def test_a_notice_is_opened_by_its_audience_only(w, notice, readers):
    found = getattr(w, notice)
    assert ask(w, lambda user: permissions.can_view_notice(user, found)) == only(*readers)


def test_every_function_of_members_permissions_has_a_row_here():
    assert not untested_functions(permissions, __file__)

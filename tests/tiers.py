"""The principals of the tier matrix beyond those of `world` (tests.factories.build_world):
host-organisation staff, committee staff whose grant comes through a group, an account with no
tier; and sentinel values in the sensitive fields, to search every answer for.

Built the way the product builds them: the host staff's member arrives through the hosting
handshake (home staff record the departure, host staff accept), the group grant with
guardian's `assign_perm` on the group, the sentinels through `member_update`, so that they also
land in the archive's history.
"""

from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from guardian.shortcuts import assign_perm

from members.models import Member, Organization, Skill, User
from members.permissions import MANAGE
from members.services.archive import member_update
from members.services.contacts import contact_log_create
from members.services.hosting import hosting_accept, hosting_request
from tests import factories

# Sensitive values (DESIGN.md, "Who uses it"): host staff must never meet them.
SENTINEL_INCOME = 97531  # income band 12000_plus
SENTINEL_INCOME_BAND = "12000_plus"
SENTINEL_INCOME_BAND_LABEL = "12000元以上"
SENTINEL_FAMILY = "SENTINEL-家庭"
SENTINEL_MINDSET = "SENTINEL-思想"
SENTINEL_CONTACT = "SENTINEL-联系"  # a home staff's contact note (with a mindset assessment)
SENTINELS = (str(SENTINEL_INCOME), SENTINEL_FAMILY, SENTINEL_MINDSET, SENTINEL_CONTACT)
# JSON keys of sensitive fields: absent from every answer to host staff.
SENSITIVE_KEYS = ("monthly_income", "income_band", "family_situation", "mindset_note", "mindset")
DESTINATION_PROVINCE, DESTINATION_CITY = "440000", "440300"  # 广东省深圳市

# The principals, by the name the matrix uses. `anonymous` is the AnonymousUser of a request,
# `none` no user at all (code outside a request), `nobody` a signed-in account without a tier.
COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NONE, NOBODY = (
    "county",
    "committee",
    "committee_group",
    "host",
    "member",
    "anonymous",
    "none",
    "nobody",
)
PRINCIPALS = (COUNTY, COMMITTEE, GROUP, HOST, MEMBER, ANON, NONE, NOBODY)
STAFF_PRINCIPALS = (COUNTY, COMMITTEE, GROUP, HOST)
HOME_STAFF_PRINCIPALS = (COUNTY, COMMITTEE, GROUP)  # staff of side a's home organisations


def add_host_staff(w) -> None:
    """A host organisation (流入地, its own root) with staff whose only grant is on it, hosting
    side a's member `w.member_a` (departure recorded by committee A, accepted by the host)."""
    w.host = factories.organization(
        "深圳市宝安区流动党员服务中心党委", Organization.Kind.HOST, None, code="HOST-SZ"
    )
    w.host_staff = factories.staff("host_staff", "committee", w.host)
    w.hosting = hosting_request(staff=w.staff_a, member=w.member_a, host=w.host)
    hosting_accept(staff=w.host_staff, hosting_id=w.hosting.pk)
    w.member_a.refresh_from_db()


def add_group_staff(w) -> None:
    """Staff of committee A whose grant is held by a group they belong to (no grant of their
    own)."""
    w.group = Group.objects.create(name="城关街道党工委工作人员")
    assign_perm(f"members.{MANAGE}", w.group, w.committee_a)
    w.group_staff = User.objects.create_user(
        username="group_staff", password=factories.PASSWORD, is_staff=True
    )
    w.group_staff.groups.add(w.group)


def add_nobody(w) -> None:
    """A signed-in account with no grant and no archive."""
    w.nobody = User.objects.create_user(username="nobody", password=factories.PASSWORD)


def add_sentinels(w, members) -> None:
    """Sentinel values in the sensitive fields of `members` (through the service, so that the
    history holds them too), and a home staff's contact with a mindset assessment."""
    for member in members:
        member_update(
            actor=w.county_staff,
            member=member,
            monthly_income=SENTINEL_INCOME,
            family_situation=SENTINEL_FAMILY,
            mindset_note=SENTINEL_MINDSET,
        )
        contact_log_create(
            staff=w.county_staff,
            member=member,
            contacted_on=timezone.localdate(),
            channel="visit",
            note=SENTINEL_CONTACT,
            mindset="concerning",
        )
        member.refresh_from_db()


def add_whereabouts(w, members) -> None:
    """A destination and a skill on `members`, so that the list filters find someone."""
    w.skill = Skill.objects.get_or_create(name="电工", defaults={"category": "技术"})[0]
    for member in members:
        member_update(
            actor=w.county_staff,
            member=member,
            destination_province=DESTINATION_PROVINCE,
            destination_city=DESTINATION_CITY,
            skills=[w.skill.pk],
        )
        member.refresh_from_db()


def extend_world(w):
    """`world` plus every principal of the matrix, and the sentinels, a destination and a
    skill on both sides' members."""
    add_host_staff(w)
    add_group_staff(w)
    add_nobody(w)
    add_whereabouts(w, [w.member_a, w.member_b])
    add_sentinels(w, [w.member_a, w.member_b])
    return w


def principal(w, name: str):
    """The user object of a principal, loaded afresh (its scope is computed on first use)."""
    if name == ANON:
        return AnonymousUser()
    if name == NONE:
        return None
    user = {
        COUNTY: w.county_staff,
        COMMITTEE: w.staff_a,
        GROUP: w.group_staff,
        HOST: w.host_staff,
        MEMBER: w.member_a.user,
        NOBODY: w.nobody,
    }[name]
    return User.objects.get(pk=user.pk)


def ask(w, question, principals=PRINCIPALS) -> dict:
    """{principal: question(user)} for every principal: one row of a permission table."""
    return {name: question(principal(w, name)) for name in principals}


def only(*names, yes=True, no=False, principals=PRINCIPALS) -> dict:
    """The expected row where `names` answer `yes` and every other principal `no`."""
    return {name: (yes if name in names else no) for name in principals}


def outcome(check) -> object:
    """What a `check_*` call did: "ok", 404 (Http404) or 403 (PermissionDenied)."""
    try:
        check()
    except Http404:
        return 404
    except PermissionDenied:
        return 403
    return "ok"


def pks(rows) -> set:
    """The primary keys of a queryset or list (None for None)."""
    return None if rows is None else {row.pk for row in rows}


def fresh_member(member: Member) -> Member:
    """The member as permissions read it: with its home and host organisations."""
    return Member.objects.select_related("organization", "host_organization").get(pk=member.pk)


def untested_functions(module, test_file: str) -> list[str]:
    """The public functions defined in `module` that `test_file` never names as
    `permissions.<name>`: a new permission function needs its row in the table."""
    with open(test_file, encoding="utf-8") as handle:
        text = handle.read()
    return [
        name
        for name, value in vars(module).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == module.__name__
        and f"permissions.{name}" not in text
    ]

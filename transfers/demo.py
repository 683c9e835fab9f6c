"""Demo data: a few organisational relationship transfers in different states, taken through
the services by the demo staff accounts (so that history, audit and notices are real):
inside the county requested and accepted; out of the county prepared, with a letter out,
expired (one reissued, one waiting for staff), and received; one member registered into the
county. The demo
county's members left home long ago, so the candidate list is full of them already."""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from members.demo import ACTIVE_MEMBER, PENDING_MEMBER
from members.identity import id_number_check_digit
from members.models import Member, Organization, User
from sanyuan.crypto import keyed_hash

from . import services
from .models import IntroductionLetter, Transfer

COUNTY_ADMIN, COMMITTEE_ADMIN, OTHER_ADMIN = "county_admin", "chengguan_admin", "lingqian_admin"
DESTINATIONS = [
    "中共深圳市宝安区委组织部",
    "中共广州市天河区委组织部",
    "中共西安市雁塔区委组织部",
    "中共苏州市吴中区委组织部",
]


def _month_before(day) -> str:
    return f"{day.replace(day=1) - timedelta(days=1):%Y-%m}"


def _members(committee_code: str, count: int, rng: random.Random) -> list[Member]:
    """Members of a committee's branches who are away and have no transfer (one query); never
    the two people the README walks through (王建军 stays away in Shenzhen)."""
    committee = Organization.objects.get(code=committee_code)
    named = [keyed_hash(p.id_number, purpose="id_number") for p in (ACTIVE_MEMBER, PENDING_MEMBER)]
    rows = list(
        Member.objects.exclude(id_number_hash__in=named)
        .filter(
            organization__path__startswith=committee.path,
            organization__kind=Organization.Kind.BRANCH,
            status="away",
            transfers__isnull=True,
        )
        .select_related("organization")
        .order_by("pk")[: count * 4]
    )
    rng.shuffle(rows)
    return rows[:count]


def _letter_number(year: int, n: int) -> str:
    return f"SX{year}-61042200{n:02d}"


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if Transfer.objects.exists():
        return ["组织关系转接：已有数据，未重复生成"]
    staff = {
        u.username: u
        for u in User.objects.filter(username__in=[COUNTY_ADMIN, COMMITTEE_ADMIN, OTHER_ADMIN])
    }
    if len(staff) < 3:
        return ["组织关系转接：缺少演示工作人员账号，未生成"]
    county, committee = staff[COUNTY_ADMIN], staff[COMMITTEE_ADMIN]
    people = _members("610422-01", 8, rng)
    if len(people) < 8:
        return ["组织关系转接：演示党员不足，未生成"]
    today = timezone.localdate()
    year = today.year
    other_branch = (
        Organization.objects.filter(code__startswith="610422-07", kind=Organization.Kind.BRANCH)
        .order_by("code")
        .first()
    )
    # Inside the county: one waiting for approval, one accepted.
    services.transfer_request(
        actor=committee,
        member=people[0],
        to_organization=other_branch,
        reason="已在陵前镇购房定居，就近参加组织生活",
    )
    accepted = services.transfer_request(
        actor=committee,
        member=people[1],
        to_organization=other_branch,
        reason="返乡创业，定居陵前镇",
    )
    services.transfer_approve(actor=committee, transfer=accepted, comment="同意")
    services.transfer_accept(actor=staff[OTHER_ADMIN], transfer=accepted)
    # Out of the county, in each state.
    outs = []
    for index, member in enumerate(people[2:7]):
        outs.append(
            services.transfer_prepare(
                actor=committee,
                member=member,
                to_name=DESTINATIONS[index % len(DESTINATIONS)],
                reason="在流入地工作生活已满一年，地点固定，按规定转移组织关系",
            )
        )
    for index, transfer in enumerate(outs[1:], start=1):
        services.letter_issue(
            actor=county,
            transfer=transfer,
            number=_letter_number(year, index),
            validity_days=30,
            dues_paid_until=_month_before(today),
        )
    # outs[2]: past its validity, then reissued; outs[3]: the receipt came back; outs[4]:
    # past its validity, waiting for staff (the dashboard's overdue receipts).
    for late in (outs[2], outs[4]):
        IntroductionLetter.objects.filter(transfer=late).update(
            issued_on=today - timedelta(days=45), expires_on=today - timedelta(days=15)
        )
    services.letters_expire(today=today)
    services.letter_issue(
        actor=county,
        transfer=outs[2],
        number=_letter_number(year, 9),
        validity_days=30,
        dues_paid_until=_month_before(today),
    )
    services.receipt_record(
        actor=committee, transfer=outs[3], reported_on=today, from_name="中共苏州市吴中区委组织部"
    )
    # A member arriving from elsewhere.
    services.incoming_register(
        actor=committee,
        organization=people[7].organization,
        name="郑晓燕",
        id_number="61011319900315002" + id_number_check_digit("61011319900315002"),
        phone="13700000006",
        party_standing="full",
        letter_number=f"SXYT{year}-0088",
        from_name="中共西安市雁塔区委组织部",
        letter_issued_on=today - timedelta(days=5),
        validity_days=30,
        dues_paid_until=_month_before(today),
        reason="回乡定居",
    )
    counts = dict(Transfer.objects.values_list("status").annotate(n=Count("pk")))
    return ["、".join(f"{Transfer.Status(key).label} {n} 件" for key, n in sorted(counts.items()))]

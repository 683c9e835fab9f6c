"""Demo data: two rounds of 民主评议党员 taken through the services by the demo staff and
members (so that audit and notices are real): the demo member's branch in its ballot, with
self-assessments and a few ballots cast; another branch of 城关街道 whose ballot is closed,
with a paper tally, ratings recorded and one `unqualified` rating waiting for approval."""

import random
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from members.demo import ACTIVE_MEMBER
from members.identity import normalize_id_number
from members.models import Member, Organization, User
from sanyuan.crypto import keyed_hash

from . import services
from .models import Appraisal, Rating

COUNTY_ADMIN, COMMITTEE_ADMIN = "county_admin", "chengguan_admin"
TEXTS = [
    "一年来在外务工，坚持通过流动e家参加线上学习和组织生活，按时交纳党费；不足是参加集中学习的次数少。",
    "认真学习党的理论，在工地上带头遵守安全规定，帮助同乡工友解决实际困难；今后要加强理论学习。",
    "能够按时参加支部主题党日，及时向支部汇报思想和工作情况；对党的创新理论学得还不够深。",
]


def _dates(today) -> dict:
    return {
        "self_assessment_ends_on": today + timedelta(days=5),
        "ballot_starts_on": today,
        "ballot_ends_on": today + timedelta(days=7),
        "decision_ends_on": today + timedelta(days=30),
    }


def _full_ballot(appraisal, voter, rng) -> list[dict]:
    others = appraisal.participants.exclude(member_id=voter.pk).values_list("member_id", flat=True)
    ratings = [Rating.EXCELLENT, Rating.QUALIFIED, Rating.QUALIFIED, Rating.BASICALLY_QUALIFIED]
    return [{"member": pk, "rating": rng.choice(ratings)} for pk in others]


def _branch_of_demo_member() -> Organization | None:
    active = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    member = Member.objects.filter(id_number_hash=active).select_related("organization").first()
    if member is None or member.organization.kind not in Appraisal.ORGANIZATION_KINDS:
        return None
    return member.organization


def seed(*, rng: random.Random, members: int) -> list[str]:
    if Appraisal.objects.exists():
        return ["民主评议党员：已有数据，未重复生成"]
    staff = {
        u.username: u for u in User.objects.filter(username__in=[COUNTY_ADMIN, COMMITTEE_ADMIN])
    }
    if len(staff) < 2:
        return ["民主评议党员：缺少演示工作人员账号，未生成"]
    committee = Organization.objects.filter(code="610422-01").first()
    first = _branch_of_demo_member()
    if committee is None or first is None:
        return ["民主评议党员：演示党组织不足，未生成"]
    today = timezone.localdate()
    year = today.year
    open_round = services.appraisal_open(
        actor=staff[COMMITTEE_ADMIN], organization=first, year=year, **_dates(today)
    )
    with_accounts = list(
        Member.objects.filter(appraisals__appraisal=open_round, user__isnull=False)
        .select_related("user")
        .order_by("pk")
    )
    for index, member in enumerate(with_accounts[:3]):
        services.self_assessment_save(
            actor=member.user, appraisal=open_round, text=TEXTS[index % len(TEXTS)]
        )
    active = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    for member in [m for m in with_accounts if m.id_number_hash != active][:2]:
        if member.party_standing == "full":
            services.ballot_cast(
                actor=member.user,
                appraisal=open_round,
                ratings=_full_ballot(open_round, member, rng),
            )
    lines = [f"{first.name}：民主测评进行中"]
    second = (
        Organization.objects.filter(
            path__startswith=committee.path, kind=Organization.Kind.BRANCH, dissolved_at=None
        )
        .exclude(pk=first.pk)
        .annotate(n=Count("members"))
        .filter(n__gte=3)
        .order_by("code")
        .first()
    )
    if second is None:
        return lines
    decided = services.appraisal_open(
        actor=staff[COMMITTEE_ADMIN], organization=second, year=year, **_dates(today)
    )
    services.ballot_close(actor=staff[COMMITTEE_ADMIN], appraisal=decided)
    participants = list(
        Member.objects.filter(appraisals__appraisal=decided)
        .order_by("pk")
        .only("pk", "party_standing")
    )
    ballots = sum(1 for m in participants if m.party_standing == "full")
    counts = []
    for member in participants:
        excellent = rng.randint(0, ballots // 3)
        counts += [
            {"member": member.pk, "rating": "excellent", "count": excellent},
            {"member": member.pk, "rating": "qualified", "count": ballots - excellent},
        ]
    services.paper_tally_record(
        actor=staff[COMMITTEE_ADMIN], appraisal=decided, paper_ballots=ballots, counts=counts
    )
    for member in participants[:-1]:
        services.rating_record(
            actor=staff[COMMITTEE_ADMIN],
            appraisal=decided,
            member=member,
            final_rating=rng.choice([Rating.EXCELLENT, Rating.QUALIFIED, Rating.QUALIFIED]),
            reason="支部委员会根据民主测评结果和平时表现研究确定",
        )
    services.rating_record(
        actor=staff[COMMITTEE_ADMIN],
        appraisal=decided,
        member=participants[-1],
        final_rating=Rating.UNQUALIFIED,
        reason="全年未参加组织生活、未交纳党费，经谈话仍无改正",
    )
    lines.append(f"{second.name}：组织评定中（1人“不合格”待县委组织部审批）")
    return lines

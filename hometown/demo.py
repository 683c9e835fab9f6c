"""Demo data for hometown ties: the support group from the members the registry marks (each
with what they offer), contributions over two years (most confirmed, some waiting, one
declined), a campaign for last year and this year, last year's 回馈标兵 named and published
through the services, and family support cases in every state (asked for by members,
being helped, quiet for over 30 days, closed)."""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Member, User

from . import services
from .models import (
    Campaign,
    Contribution,
    SupportCase,
    SupportCaseStep,
    SupportGroupMembership,
)

COUNTY_ADMIN = "county_admin"
HOME_ADMINS = ("chengguan_admin", "lingqian_admin")
NEEDS = {
    "illness": ["父亲脑梗住院，母亲一人照顾吃力", "妻子手术后需人照看，孩子无人接送"],
    "elderly_care": ["七旬老母独居，行动不便，冬季取暖困难", "父母年迈多病，需定期送医拿药"],
    "schooling": ["孩子在县城上初中，住宿费用有困难", "留守儿童学习跟不上，需要课后辅导"],
    "farm_work": ["家里5亩小麦麦收缺劳力", "果园采摘季人手不够，老人干不动"],
    "housing": ["老房屋顶漏雨，需要修缮", "院墙倒塌，存在安全隐患"],
}
STEPS = [
    "村党支部书记上门走访，了解家中情况",
    "联系镇卫生院家庭医生签约，定期上门随访",
    "组织党员志愿者帮助收割，已完成一半",
    "协调学校减免住宿费，落实助学金",
    "已申报农村危房改造项目，等待审批",
]
OUTCOMES = ["问题已解决，家属表示满意", "已落实帮扶措施，转入日常关怀", "党员本人返乡后自行解决"]
CONTRIBUTIONS = [
    ("relocation", "在三原县工业园区设立分厂", (3_000_000, 12_000_000), None),
    ("investment", "回乡投资建设苹果冷库", (500_000, 3_000_000), None),
    ("jobs", "为家乡劳动力提供电焊、装配岗位", None, (3, 30)),
    ("donation", "捐资助学，资助村里困难学生", (2_000, 50_000), None),
    ("project", "牵线引进农产品电商项目", None, None),
]


def _staff() -> dict:
    return {u.username: u for u in User.objects.filter(username__in=[COUNTY_ADMIN, *HOME_ADMINS])}


def _memberships(rng: random.Random) -> list[SupportGroupMembership]:
    now = timezone.now()
    offers = SupportGroupMembership.Offer.values
    rows = [
        SupportGroupMembership(
            member_id=member_id,
            offers=sorted(rng.sample(offers, rng.choice((1, 1, 2, 3))), key=offers.index),
            publicity_consent=rng.random() < 0.6,
            consent_recorded_at=now,
            joined_at=now - timedelta(days=rng.randint(20, 700)),
        )
        for member_id in Member.objects.filter(support_group=True)
        .exclude(support_membership__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]
    return SupportGroupMembership.objects.bulk_create(rows)


def _contributions(rng, memberships, staff, today: date) -> list[Contribution]:
    decider = staff.get(HOME_ADMINS[0]) or staff[COUNTY_ADMIN]
    rows = []
    for membership in memberships:
        if rng.random() > 0.45:
            continue
        member = membership.member
        for _ in range(rng.choice((1, 1, 2))):
            kind, title, amount, jobs = rng.choice(CONTRIBUTIONS)
            happened = today - timedelta(days=rng.randint(5, 500))
            roll = rng.random()
            status = "confirmed" if roll < 0.7 else "recorded" if roll < 0.93 else "declined"
            rows.append(
                Contribution(
                    member=member,
                    kind=kind,
                    title=title,
                    amount=rng.randrange(*amount, 1000) if amount else None,
                    jobs=rng.randint(*jobs) if jobs else None,
                    happened_on=happened,
                    description="",
                    status=status,
                    recorded_by=member.user or decider,
                    decided_by=decider if status != "recorded" else None,
                    decided_at=timezone.now() if status != "recorded" else None,
                    decline_reason="未提供相关凭证，请补充后重新登记"
                    if status == "declined"
                    else "",
                )
            )
    return Contribution.objects.bulk_create(rows)


def _campaigns(staff, today: date) -> list[str]:
    county = staff[COUNTY_ADMIN]
    rules = (
        "一、评选对象：本县外出流动党员。\n"
        "二、评选条件：当年有经党组织确认的企业回迁、资金回流、提供就业岗位、捐资捐物或引进项目。\n"
        "三、评选程序：党员登记、党组织确认、县委组织部评定并公开宣传（须经本人同意）。"
    )
    lines = []
    for year in (today.year - 1, today.year):
        services.campaign_publish(
            actor=county, year=year, title=f"{year}年“回馈家乡·助力振兴”行动", rules=rules
        )
    last = Campaign.objects.get(year=today.year - 1)
    named = 0
    for contribution in (
        Contribution.objects.filter(
            campaign=last,
            status="confirmed",
            member__support_membership__publicity_consent=True,
            member__support_membership__left_at__isnull=True,
        )
        .select_related("member__organization")
        .order_by("-amount", "pk")
    ):
        if named >= 2 or last.pacesetters.filter(member=contribution.member).exists():
            continue
        services.pacesetter_name(
            actor=county,
            campaign=last,
            member=contribution.member,
            citation=(
                f"{contribution.member.name}同志在外务工不忘家乡，{contribution.title}，"
                "带动乡亲增收致富，是流动党员回馈家乡的榜样。"
            ),
        )
        named += 1
    lines.append(f"回馈家乡年度活动 2 个，{last.year}年回馈标兵 {named} 名")
    return lines


def _cases(rng: random.Random, staff, members: list[Member]) -> int:
    now = timezone.now()
    home = staff.get(HOME_ADMINS[0]) or staff[COUNTY_ADMIN]
    plan = ["requested"] * 4 + ["open"] * 8 + ["stale"] * 3 + ["closed"] * 6
    made = 0
    for member, state in zip(members, plan, strict=False):
        kind = rng.choice(list(NEEDS))
        age = {"requested": (1, 9), "open": (5, 60), "stale": (45, 120), "closed": (30, 300)}
        created = now - timedelta(days=rng.randint(*age[state]))
        asked = state == "requested" or (member.user_id and rng.random() < 0.4)
        case = SupportCase.objects.create(
            member=member,
            kind=kind,
            need=rng.choice(NEEDS[kind]),
            helper=""
            if state == "requested"
            else rng.choice(["村党支部书记", "镇民政办", "包村干部"]),
            status={"stale": "open"}.get(state, state),
            asked_by_member=bool(asked),
            opened_by=None if state == "requested" else home,
            last_step_at=created,
        )
        steps = [("asked" if asked else "opened", "", created, member.user if asked else home)]
        if state != "requested":
            if asked:
                steps.append(("accepted", "", created + timedelta(days=1), home))
            quiet = 35 if state == "stale" else 3
            last = max(created + timedelta(days=2), now - timedelta(days=quiet + rng.randint(0, 8)))
            steps.append(("progress", rng.choice(STEPS), last, home))
            if state == "closed":
                steps.append(("closed", rng.choice(OUTCOMES), last + timedelta(days=1), home))
        for step_kind, note, when, actor in steps:
            step = SupportCaseStep.objects.create(case=case, kind=step_kind, note=note, actor=actor)
            SupportCaseStep.objects.filter(pk=step.pk).update(created_at=when)
        last_at = steps[-1][2]
        SupportCase.objects.filter(pk=case.pk).update(
            created_at=created,
            last_step_at=last_at,
            closed_at=last_at if state == "closed" else None,
            outcome=steps[-1][1] if state == "closed" else "",
        )
        made += 1
    return made


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if SupportCase.objects.exists() or Campaign.objects.exists():
        return ["家乡情：已有数据，未重复生成"]
    staff = _staff()
    if COUNTY_ADMIN not in staff:
        return ["家乡情：缺少演示工作人员账号，未生成"]
    today = timezone.localdate()
    memberships = _memberships(rng)
    memberships = list(
        SupportGroupMembership.objects.filter(pk__in=[m.pk for m in memberships]).select_related(
            "member__user"
        )
    )
    contributions = _contributions(rng, memberships, staff, today)
    lines = [f"后援团成员 {len(memberships)} 名，回馈家乡贡献 {len(contributions)} 条"]
    lines += _campaigns(staff, today)
    pool = list(Member.objects.filter(status="away").select_related("user").order_by("pk"))
    rng.shuffle(pool)
    lines.append(f"家庭困难帮扶 {_cases(rng, staff, pool[:21])} 件")
    return lines

"""Demo data for the registry: Sanyuan County's organisation tree and its mobile members.

`seed_demo` calls `seed(rng=…, members=…)` of every app's `demo` module in INSTALLED_APPS
order; each returns facts worth printing. Deterministic for a given seed.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError

from .demo_data import (
    COMMITTEES,
    DESTINATIONS,
    EMPLOYERS,
    FAMILY,
    GIVEN,
    MINDSETS,
    SKILLS,
    SURNAMES,
)
from .identity import id_number_check_digit, normalize_id_number
from .models import Member, Organization, User
from .services import organizations
from .services.accounts import staff_account_upsert

DEMO_PASSWORD = "Sanyuan@2026"
COUNTY_CODE = "610422"


@dataclass(frozen=True)
class DemoPerson:
    name: str
    id_number: str
    phone: str
    activated: bool


# Two fixed members so that the README and the banner can name them.
ACTIVE_MEMBER = DemoPerson("王建军", "61042219850315001X", "13800000001", activated=True)
PENDING_MEMBER = DemoPerson("李秀兰", "610422197806220025", "13800000002", activated=False)
# 王建军 works in Shenzhen (Bao'an) and has reported to the host organisation there: his
# archive says so, whatever the random draw gave the others.
ACTIVE_MEMBER_ARCHIVE = {
    "status": "away",
    "destination_province": "440000",
    "destination_city": "440300",
    "destination_district": "440306",
    "destination_address": "宝安区福永街道工业园区宿舍",
    "employer": "比亚迪股份有限公司",
}
# Share of the other members who activated their archive (the rest get notices by SMS).
ACTIVATED_SHARE = 0.65
STAFF = [
    ("county_admin", "county", COUNTY_CODE),
    ("shenzhen_host", "committee", "HOST-440300"),
    ("chengguan_admin", "committee", "610422-01"),
    ("lingqian_admin", "committee", "610422-07"),
]
# How the staff accounts are named to others (contact logs, the audit log, the admin).
STAFF_NAMES = {
    "county_admin": "县委组织部 王敏",
    "shenzhen_host": "深圳服务中心 陈晓东",
    "chengguan_admin": "城关街道 刘芳",
    "lingqian_admin": "陵前镇 赵刚",
}


def demo_id_number(rng: random.Random, region: str = COUNTY_CODE) -> str:
    year = rng.randint(1958, 2003)
    month = rng.randint(1, 12)
    day = rng.randint(1, 28)
    seq = rng.randint(0, 999)
    first17 = f"{region}{year:04d}{month:02d}{day:02d}{seq:03d}"
    return first17 + id_number_check_digit(first17)


def demo_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _organization(code, name, kind, parent):
    existing = Organization.objects.filter(code=code).first()
    if existing is not None:
        return existing
    return organizations.organization_create(code=code, name=name, kind=kind, parent=parent)


def seed_organizations() -> tuple[Organization, list[Organization]]:
    kind = Organization.Kind
    province = _organization("61", "陕西省", kind.PROVINCE, None)
    city = _organization("6104", "咸阳市", kind.CITY, province)
    county = _organization(COUNTY_CODE, "中共三原县委组织部", kind.COUNTY, city)
    branches = []
    for index, (committee_name, villages) in enumerate(COMMITTEES, start=1):
        committee = _organization(
            f"{COUNTY_CODE}-{index:02d}", committee_name, kind.COMMITTEE, county
        )
        prefix = committee_name.removesuffix("党工委").removesuffix("党委")
        general = _organization(
            f"{committee.code}-00", f"{prefix}机关党总支", kind.GENERAL_BRANCH, committee
        )
        branches.append(
            _organization(f"{general.code}-01", f"{prefix}流动党员党支部", kind.BRANCH, general)
        )
        for number, village in enumerate(villages, start=1):
            branches.append(
                _organization(
                    f"{committee.code}-{number:02d}", f"{village}党支部", kind.BRANCH, committee
                )
            )
    _organization("HOST-440300", "深圳市流动党员服务中心党委", kind.HOST, None)
    return county, branches


def _existing_hashes() -> set[str]:
    return set(Member.objects.values_list("id_number_hash", flat=True))


def _destination(rng: random.Random, cities: dict) -> tuple[str, str, str]:
    codes, weights = zip(*DESTINATIONS, strict=True)
    city = rng.choices(codes, weights=weights)[0]
    districts = cities.get(city, [])
    return city[:2] + "0000", city, rng.choice(districts) if districts else ""


def _archive_fields(rng: random.Random, birth, cities: dict, skills: list) -> dict:
    from datetime import date, timedelta

    from django.utils import timezone

    from . import choices

    today = timezone.localdate()
    eighteen = date(birth.year + 18, birth.month, min(birth.day, 28))
    joined = eighteen + timedelta(days=rng.randint(200, max(201, (today - eighteen).days - 30)))
    left = max(joined, eighteen) + timedelta(
        days=rng.randint(0, max(1, (today - max(joined, eighteen)).days))
    )
    province, city, district = _destination(rng, cities)
    occupation = rng.choice(choices.Occupation.values)
    return {
        "ethnicity": rng.choices(["汉族", "回族", "满族", "蒙古族"], weights=[96, 2, 1, 1])[0],
        "education": rng.choices(choices.Education.values, weights=[2, 12, 18, 15, 25, 28])[0],
        "party_standing": rng.choices(["full", "probationary"], weights=[92, 8])[0],
        "joined_party_on": min(joined, today),
        "left_home_on": min(left, today),
        "destination_province": province,
        "destination_city": city,
        "destination_district": district,
        "destination_address": rng.choice(
            ["工业园区宿舍", "城中村出租屋", "项目部工地宿舍", "单位公寓", "自购住房"]
        ),
        "occupation": occupation,
        "employer": rng.choice(EMPLOYERS),
        "monthly_income": rng.choice(
            [2800, 3500, 4200, 5000, 5800, 6500, 7200, 8500, 10000, 13000, 18000]
        ),
        "family_situation": rng.choice(FAMILY),
        "mindset_note": rng.choice(MINDSETS),
        "status": rng.choices(["away", "returned", "transferred_out"], weights=[86, 11, 3])[0],
        "is_vanguard": rng.random() < 0.04,
        "is_giving_back_pacesetter": rng.random() < 0.02,
        "support_group": rng.random() < 0.18,
    }


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    _county, branches = seed_organizations()
    for username, tier, code in STAFF:
        staff_account_upsert(
            username=username,
            password=DEMO_PASSWORD,
            tier=tier,
            organization=Organization.objects.get(code=code),
        )
        User.objects.filter(username=username).update(first_name=STAFF_NAMES[username])

    from .models import Region, Skill

    skills = [
        Skill.objects.get_or_create(name=name, defaults={"category": category})[0]
        for name, category in SKILLS
    ]
    cities: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(level="district").values_list("code", "parent_id"):
        cities.setdefault(parent, []).append(code)
    seen = _existing_hashes()
    batch = []
    chosen_skills = []
    fixed = [ACTIVE_MEMBER, PENDING_MEMBER]
    index = -1
    while len(batch) < members and index < members * 3:
        index += 1
        if index < len(fixed):
            person = fixed[index]
            name, id_number, phone = (
                person.name,
                normalize_id_number(person.id_number),
                person.phone,
            )
            organization = branches[1]
        else:
            name, id_number = demo_name(rng), demo_id_number(rng)
            phone = f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
            organization = rng.choice(branches)
        digest = keyed_hash(id_number, purpose="id_number")
        if digest in seen:
            continue
        seen.add(digest)
        member = Member(name=name, phone=phone, organization=organization)
        member.set_id_number(id_number)
        fields = _archive_fields(rng, member.birth_date, cities, skills)
        if name == ACTIVE_MEMBER.name and index == 0:
            fields.update(ACTIVE_MEMBER_ARCHIVE)
        for field, value in fields.items():
            setattr(member, field, value)
        batch.append(member)
        chosen_skills.append(rng.sample(skills, k=rng.choice((0, 1, 1, 2, 3))))
    Member.objects.bulk_create(batch, batch_size=500)
    created = dict(
        Member.objects.filter(id_number_hash__in=[m.id_number_hash for m in batch]).values_list(
            "id_number_hash", "pk"
        )
    )
    Member.skills.through.objects.bulk_create(
        [
            Member.skills.through(member_id=created[member.id_number_hash], skill_id=skill.pk)
            for member, picked in zip(batch, chosen_skills, strict=True)
            for skill in picked
        ],
        ignore_conflicts=True,
    )
    ids = [created[m.id_number_hash] for m in batch]
    _backdate_archives(rng, ids)
    _seed_contacts(rng, ids)
    _activate(rng, ids)
    return [
        f"党组织 {Organization.objects.count()} 个，流动党员档案 {Member.objects.count()} 份，技能 {len(skills)} 项",
    ]


def _activate(rng: random.Random, member_ids: list[int]) -> int:
    """Accounts for 王建军 and about two thirds of the others (not 李秀兰, who the README says
    still has to activate), created after their archive, with the demo password (one hash for
    all) and a last login within the past months."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    pending = keyed_hash(normalize_id_number(PENDING_MEMBER.id_number), purpose="id_number")
    active = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    members = list(
        Member.objects.filter(pk__in=member_ids, user__isnull=True)
        .exclude(id_number_hash=pending)
        .order_by("pk")
    )
    chosen = [m for m in members if m.id_number_hash == active or rng.random() < ACTIVATED_SHARE]
    now = timezone.now()
    password = make_password(DEMO_PASSWORD)
    users = []
    for member in chosen:
        activated = member.created_at + (now - member.created_at) * rng.uniform(0.05, 0.9)
        member.activated_at = member.privacy_accepted_at = activated
        member.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
        days = 1 if member.id_number_hash == active else int(rng.triangular(0, 150, 10))
        last_login = max(activated, now - timedelta(days=days, hours=rng.randint(0, 23)))
        users.append(
            User(
                username=f"{User.MEMBER_USERNAME_PREFIX}{member.pk}",
                password=password,
                date_joined=activated,
                last_login=last_login,
            )
        )
    User.objects.bulk_create(users, batch_size=500)
    by_name = dict(
        User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk")
    )
    for member, user in zip(chosen, users, strict=True):
        member.user_id = by_name[user.username]
    Member.objects.bulk_update(
        chosen,
        ["user", "activated_at", "privacy_accepted_at", "privacy_notice_version"],
        batch_size=500,
    )
    return len(chosen)


def _backdate_archives(rng: random.Random, member_ids: list[int]) -> None:
    """Archives were built over the past years (the registry started in 2019)."""
    from datetime import timedelta

    from django.db.models import Case, DateTimeField, Value, When
    from django.utils import timezone

    now = timezone.now()
    for start in range(0, len(member_ids), 500):
        chunk = member_ids[start : start + 500]
        Member.objects.filter(pk__in=chunk).update(
            created_at=Case(
                *[
                    When(pk=pk, then=Value(now - timedelta(days=rng.randint(120, 2400))))
                    for pk in chunk
                ],
                output_field=DateTimeField(),
            )
        )


def _seed_contacts(rng: random.Random, member_ids: list[int]) -> None:
    """Contact logs for about two thirds of the members, some long ago (overdue)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import ContactLog
    from .services.archive import contacted_at

    staff = User.objects.filter(username=STAFF[0][0]).first()
    today = timezone.localdate()
    # 思想状况 as staff record it: mostly positive or stable, some needing care, a few to
    # watch closely, and contacts without an assessment.
    mindsets = ["positive"] * 7 + ["stable"] * 9 + ["needs_care"] * 3 + ["concerning", ""]
    logs, last, assessed = [], {}, {}
    for member_id in member_ids:
        if rng.random() < 0.12:
            continue
        days = [int(rng.triangular(1, 160, 15)) for _ in range(rng.choice((1, 1, 2, 3)))]
        if rng.random() < 0.6:  # an older contact, so that the quarterly trend has a history
            days.append(rng.randint(180, 700))
        for day in (today - timedelta(days=n) for n in days):
            mindset = rng.choice(mindsets)
            logs.append(
                ContactLog(
                    member_id=member_id,
                    staff=staff,
                    contacted_on=day,
                    channel=rng.choice(ContactLog.Channel.values),
                    mindset=mindset,
                    note=rng.choice(
                        [
                            "电话了解近况，工作稳定。",
                            "微信联系，提醒参加线上主题党日。",
                            "春节返乡时走访。",
                        ]
                    ),
                )
            )
            last[member_id] = max(last.get(member_id, day), day)
            if mindset and day >= assessed.get(member_id, (day, ""))[0]:
                assessed[member_id] = (day, mindset)
    ContactLog.objects.bulk_create(logs, batch_size=1000)
    for member_id, day in last.items():
        Member.objects.filter(pk=member_id).update(last_contacted_at=contacted_at(day))
    for member_id, (day, mindset) in assessed.items():
        Member.objects.filter(pk=member_id).update(mindset=mindset, mindset_assessed_on=day)


def finish(*, rng: random.Random) -> list[str]:
    """After every app seeded: hosting records for the members hosted in Shenzhen (the
    activities demo hosts some), two arrivals waiting for the host, the lost-contact scan."""
    from .models import Hosting, Member
    from .services.alerts import lost_contact_scan

    host = Organization.objects.get(code="HOST-440300")
    host_staff = User.objects.get(username="shenzhen_host")
    hosted = list(Member.objects.filter(host_organization=host).exclude(hostings__isnull=False))
    Hosting.objects.bulk_create(
        [
            Hosting(
                member=m,
                host_organization=host,
                status=Hosting.Status.ACCEPTED,
                requested_by=host_staff,
                decided_by=host_staff,
            )
            for m in hosted
        ]
    )
    waiting = list(
        Member.objects.filter(
            destination_city="440300", host_organization__isnull=True, status="away"
        )
        .exclude(hostings__isnull=False)
        .order_by("pk")[:2]
    )
    county_admin = User.objects.get(username=STAFF[0][0])
    Hosting.objects.bulk_create(
        [Hosting(member=m, host_organization=host, requested_by=county_admin) for m in waiting]
    )
    counts = lost_contact_scan()
    proposals = _living_branches()
    from .services.history import member_history_baseline

    baselines = member_history_baseline()
    requests = _seed_change_requests(rng)
    return [
        f"流入地报到 {len(hosted)} 人已报到、{len(waiting)} 人待确认；失联风险 {counts['flagged']} 人",
        f"档案建档记录 {baselines} 份；待审核的修改申请 {requests} 条（见 工作台）",
        f"临时党支部成员变动待确认：拟加入 {proposals['join']} 人、拟移出 {proposals['leave']} 人",
    ]


# Temporary branches other apps' demos formed, by code → the city they gather in.
DEMO_BRANCH_CITIES = {"610422-T-SZ": "440300"}


def _living_branches() -> dict:
    """The demo's temporary branches keep their city as their rule; the sync then proposes
    the members who live there but are not in them, and those who moved away."""
    from .models import TemporaryBranchRule
    from .services.branches import temporary_branch_sync

    for code, city in DEMO_BRANCH_CITIES.items():
        branch = Organization.objects.filter(code=code, temporary_rule__isnull=True).first()
        if branch is not None:
            Organization.objects.filter(pk=branch.pk).update(region_code=city)
            TemporaryBranchRule.objects.create(branch=branch, destination_city=city)
    return temporary_branch_sync()


# What members ask to change (待审核 on the 工作台 of their committee).
CHANGE_REQUESTS = [
    ({"employer": "顺丰速运有限公司"}, "换了工作，现在在顺丰做快递分拣。"),
    ({"phone": "13912345678"}, "原手机号已停用，换了新号码。"),
    ({"occupation": "transport", "employer": "美团配送"}, "从工地转行做外卖配送。"),
    ({"destination_address": "雁塔区电子城街道单位公寓"}, "单位换了宿舍。"),
    ({"education": "college"}, "参加成人教育取得大专学历。"),
]


def _seed_change_requests(rng: random.Random) -> int:
    """A few pending change requests from members with an account, spread over committees,
    submitted through the service (the committee staff are notified)."""
    from .models import ChangeRequest
    from .services.changes import change_request_submit

    if ChangeRequest.objects.exists():
        return 0
    active = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    askers = list(
        Member.objects.filter(user__isnull=False, status="away")
        .exclude(id_number_hash=active)
        .order_by("pk")[:200]
    )
    count = 0
    for (changes, reason), member in zip(
        CHANGE_REQUESTS, rng.sample(askers, min(len(askers), len(CHANGE_REQUESTS))), strict=False
    ):
        try:
            change_request_submit(member=member, changes=changes, reason=reason)
        except ServiceError:  # a member may already hold that value
            continue
        count += 1
    return count

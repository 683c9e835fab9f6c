"""Demo data for the registry: Sanyuan County's organisation tree and its mobile members.

`seed_demo` calls `seed(rng=…, members=…)` of every app's `demo` module in INSTALLED_APPS
order; each returns facts worth printing. Deterministic for a given seed.
"""

import random
from dataclasses import dataclass

from django.db import transaction

from sanyuan.crypto import keyed_hash

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
STAFF = [
    ("county_admin", "county", COUNTY_CODE),
    ("shenzhen_host", "committee", "HOST-440300"),
    ("chengguan_admin", "committee", "610422-01"),
    ("lingqian_admin", "committee", "610422-07"),
]

COMMITTEES = [
    ("城关街道党工委", ["东关社区", "西关社区", "北城社区", "南郊村", "盐店街社区"]),
    ("陂西镇党委", ["陂西村", "苏家村", "唐家村", "南卜村"]),
    ("独李镇党委", ["独李村", "前进村", "汉堤村", "韩家村"]),
    ("大程镇党委", ["大程村", "西阳村", "清河村", "中村"]),
    ("西阳镇党委", ["西阳村", "天井村", "长坳村", "新庄村"]),
    ("鲁桥镇党委", ["鲁桥村", "东里村", "清峪村", "寇家村"]),
    ("陵前镇党委", ["陵前村", "徐木村", "柴家村", "杜村"]),
    ("新兴镇党委", ["新兴村", "北城村", "楼底村", "五星村"]),
    ("嵯峨镇党委", ["嵯峨村", "天井岸村", "坡头村", "峪口村"]),
    ("渠岸镇党委", ["渠岸村", "岳家村", "东渠岸村", "西渠岸村"]),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = "建军国强伟华明丽芳秀兰英杰磊洋勇艳娜静敏涛斌超鹏飞刚平辉霞红玲军峰波亮宁梅兵永林海燕春雪晓东文博志宏卫民新生德福安"


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


SKILLS = [
    ("电焊", "建筑与制造"),
    ("电工", "建筑与制造"),
    ("钢筋工", "建筑与制造"),
    ("木工", "建筑与制造"),
    ("数控机床", "建筑与制造"),
    ("叉车驾驶", "交通运输"),
    ("货车驾驶", "交通运输"),
    ("网约车驾驶", "交通运输"),
    ("厨师", "生活服务"),
    ("面点", "生活服务"),
    ("家政服务", "生活服务"),
    ("育婴", "生活服务"),
    ("养老护理", "生活服务"),
    ("美容美发", "生活服务"),
    ("电子商务", "商贸与网络"),
    ("直播带货", "商贸与网络"),
    ("仓储物流", "商贸与网络"),
    ("果树种植", "农业"),
    ("设施蔬菜", "农业"),
    ("畜禽养殖", "农业"),
    ("家电维修", "维修"),
    ("汽车维修", "维修"),
    ("财务会计", "专业技术"),
    ("工程管理", "专业技术"),
]

# Where Sanyuan's members go, with weights: Xi'an first, then the coastal manufacturing cities.
DESTINATIONS = [
    ("610100", 30),
    ("440300", 9),
    ("440100", 6),
    ("441900", 5),
    ("320500", 5),
    ("330100", 4),
    ("330200", 3),
    ("310100", 5),
    ("110100", 4),
    ("120100", 2),
    ("370200", 2),
    ("420100", 2),
    ("510100", 2),
    ("500100", 2),
    ("650100", 3),
    ("640100", 2),
    ("620100", 2),
    ("410100", 2),
    ("140100", 1),
    ("350200", 1),
    ("460100", 1),
]
EMPLOYERS = [
    "中建三局第一建设工程有限公司",
    "比亚迪股份有限公司",
    "富士康科技集团",
    "顺丰速运有限公司",
    "陕西建工集团股份有限公司",
    "京东物流",
    "美团配送",
    "海底捞餐饮股份有限公司",
    "个体经营",
    "西安高新区某物业公司",
    "苏州工业园区某电子厂",
    "宁波某模具厂",
    "新疆生产建设兵团某农场",
]
FAMILY = [
    "父母在家务农，身体尚可。",
    "孩子在县城上小学，由爷爷奶奶照看。",
    "家中有果园十亩，农忙时需要帮手。",
    "母亲患慢性病，需长期服药。",
    "爱人在家照顾老人和孩子。",
    "家中新建房屋，生活稳定。",
    "",
]
MINDSETS = [
    "思想稳定，积极参加线上学习。",
    "工作较忙，按时交纳党费。",
    "关心家乡发展，愿意回乡创业。",
    "",
]


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
        for field, value in _archive_fields(rng, member.birth_date, cities, skills).items():
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
    _backdate_archives(rng, [created[m.id_number_hash] for m in batch])
    _seed_contacts(rng, [created[m.id_number_hash] for m in batch])

    active = Member.objects.get(
        id_number_hash=keyed_hash(ACTIVE_MEMBER.id_number, purpose="id_number")
    )
    if active.user_id is None:
        from django.conf import settings
        from django.utils import timezone

        user = User.objects.create_user(
            username=f"{User.MEMBER_USERNAME_PREFIX}{active.pk}", password=DEMO_PASSWORD
        )
        now = timezone.now()
        Member.objects.filter(pk=active.pk).update(
            user=user,
            activated_at=now,
            privacy_notice_version=settings.PRIVACY_NOTICE_VERSION,
            privacy_accepted_at=now,
        )
    return [
        f"党组织 {Organization.objects.count()} 个，流动党员档案 {Member.objects.count()} 份，技能 {len(skills)} 项",
    ]


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
    logs, last = [], {}
    for member_id in member_ids:
        if rng.random() < 0.12:
            continue
        for _ in range(rng.choice((1, 1, 2, 3))):
            day = today - timedelta(days=int(rng.triangular(1, 160, 15)))
            logs.append(
                ContactLog(
                    member_id=member_id,
                    staff=staff,
                    contacted_on=day,
                    channel=rng.choice(ContactLog.Channel.values),
                    mindset=rng.choice(ContactLog.Mindset.values[:3]),
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
    ContactLog.objects.bulk_create(logs, batch_size=1000)
    for member_id, day in last.items():
        Member.objects.filter(pk=member_id).update(last_contacted_at=contacted_at(day))


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
    return [
        f"流入地报到 {len(hosted)} 人已报到、{len(waiting)} 人待确认；失联风险 {counts['flagged']} 人"
    ]

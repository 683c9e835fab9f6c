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

    seen = _existing_hashes()
    batch = []
    fixed = [ACTIVE_MEMBER, PENDING_MEMBER]
    for index in range(members):
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
        batch.append(member)
    Member.objects.bulk_create(batch, batch_size=500)

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
        f"党组织 {Organization.objects.count()} 个，流动党员档案 {Member.objects.count()} 份",
    ]

"""The dashboard's dimensions (四清楚: number, whereabouts, mindset, occupation — and more).

Two views of one rule: `classify(row)` puts a member in one key per dimension (for counting,
live or in the rollup), `dimension_q(dimension, key)` selects the members of a key (for the
drill-down list). A test checks that the two agree for every member and dimension.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from django.db.models import Count, Q
from django.utils import timezone

from . import choices
from .models import Member

AGE_BANDS = [
    ("under_30", "30岁以下", 0, 30),
    ("30_39", "30–39岁", 30, 40),
    ("40_49", "40–49岁", 40, 50),
    ("50_59", "50–59岁", 50, 60),
    ("60_plus", "60岁及以上", 60, 200),
]
CONTACT_KEYS = [
    ("within_30", "30天内联系过"),
    ("within_90", "31–90天内联系过"),
    ("over_90", "超过90天未联系"),
    ("never", "从未联系"),
]
YES_NO_LABELS = {"yes": "是", "no": "否"}
# 思想状况: the latest assessment (choices.Mindset) or never assessed.
MINDSET_KEYS = [*choices.Mindset.choices, ("never", "从未评估")]

# The columns a member row needs for classify(); read with values_list in this order.
COLUMNS = [
    "organization_id",
    "status",
    "destination_province",
    "destination_city",
    "occupation",
    "income_band",  # monthly_income is encrypted: its band is the column counted
    "birth_date",
    "party_standing",
    "sex",
    "education",
    "last_contacted_at",
    "last_studied_at",
    "last_attended_at",
    "last_posted_at",
    "user_id",
    "support_group",
    "is_vanguard",
    "is_giving_back_pacesetter",
    "lost_contact_since",
    "mindset",
    "mindset_assessed_on",
]

CATEGORICAL = {
    "status": "status",
    "province": "destination_province",
    "city": "destination_city",
    "occupation": "occupation",
    "party_standing": "party_standing",
    "sex": "sex",
    "education": "education",
}
FLAGS = {
    "activated": Q(user__isnull=False),
    "support_group": Q(support_group=True),
    "vanguard": Q(is_vanguard=True),
    "pacesetter": Q(is_giving_back_pacesetter=True),
    "lost_contact": Q(lost_contact_since__isnull=False),
}
DIMENSIONS = [
    "total",
    "status",
    "province",
    "city",
    "occupation",
    "income",
    "age",
    "party_standing",
    "sex",
    "education",
    "contact",
    "studied_month",
    "attended_quarter",
    "posted_quarter",
    "activated",
    "support_group",
    "vanguard",
    "pacesetter",
    "lost_contact",
    "mindset",
    "mindset_stale",
]


@dataclass(frozen=True)
class Moments:
    now: datetime
    today: date
    month_start: datetime
    quarter_start: datetime
    days_30: datetime
    days_90: datetime
    # An assessment older than the contact threshold (CONTACT_OVERDUE_DAYS) is stale.
    mindset_stale_before: date

    @classmethod
    def at(cls, now=None) -> "Moments":
        from django.conf import settings

        now = now or timezone.now()
        local = timezone.localtime(now)
        month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        quarter_start = month_start.replace(month=((month_start.month - 1) // 3) * 3 + 1)
        return cls(
            now,
            local.date(),
            month_start,
            quarter_start,
            now - timedelta(days=30),
            now - timedelta(days=90),
            local.date() - timedelta(days=settings.CONTACT_OVERDUE_DAYS),
        )


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def income_key(band: str | None) -> str:
    return band or "unknown"


@lru_cache(maxsize=4)
def _age_bounds(today: date) -> tuple[tuple[str, date, date], ...]:
    """(key, born after, born on or before) per band: computed once per day, not per row."""
    return tuple(
        (key, _years_before(today, high), _years_before(today, low))
        for key, _label, low, high in AGE_BANDS
    )


def age_key(birth: date, today: date) -> str:
    for key, after, until in _age_bounds(today):
        if after < birth <= until:
            return key
    return "unknown"


def contact_key(last, m: Moments) -> str:
    if last is None:
        return "never"
    if last >= m.days_30:
        return "within_30"
    if last >= m.days_90:
        return "within_90"
    return "over_90"


def classify(row: tuple, m: Moments) -> dict:
    """A member row (COLUMNS order) → {dimension: key}."""
    (
        _org,
        status,
        province,
        city,
        occupation,
        income,
        birth,
        standing,
        sex,
        education,
        contacted,
        studied,
        attended,
        posted,
        user_id,
        support,
        vanguard,
        pacesetter,
        lost,
        mindset,
        assessed_on,
    ) = row
    return {
        "total": "all",
        "status": status,
        "province": province or "",
        "city": city or "",
        "occupation": occupation or "",
        "income": income_key(income),
        "age": age_key(birth, m.today),
        "party_standing": standing,
        "sex": sex,
        "education": education or "",
        "contact": contact_key(contacted, m),
        "studied_month": "yes" if studied and studied >= m.month_start else "no",
        "attended_quarter": "yes" if attended and attended >= m.quarter_start else "no",
        "posted_quarter": "yes" if posted and posted >= m.days_90 else "no",
        "activated": "yes" if user_id else "no",
        "support_group": "yes" if support else "no",
        "vanguard": "yes" if vanguard else "no",
        "pacesetter": "yes" if pacesetter else "no",
        "lost_contact": "yes" if lost else "no",
        "mindset": mindset or "never",
        "mindset_stale": "yes" if assessed_on and assessed_on < m.mindset_stale_before else "no",
    }


def dimension_q(dimension: str, key: str, m: Moments) -> Q | None:
    """The members whose key in `dimension` is `key`; None for an unknown dimension."""
    if dimension == "total":
        return Q()
    if dimension == "skill":
        return Q(skills__name=key)
    if dimension in CATEGORICAL:
        return Q(**{CATEGORICAL[dimension]: key})
    if dimension in FLAGS:
        return FLAGS[dimension] if key == "yes" else ~FLAGS[dimension]
    if dimension == "income":
        if key == "unknown":
            return Q(income_band__isnull=True)
        return Q(income_band=key) if key in {k for k, *_ in choices.INCOME_BANDS} else None
    if dimension == "age":
        for band, _label, low, high in AGE_BANDS:
            if band == key:
                return Q(
                    birth_date__gt=_years_before(m.today, high),
                    birth_date__lte=_years_before(m.today, low),
                )
        return None
    if dimension == "mindset":
        if key == "never":
            return Q(mindset="")
        return Q(mindset=key) if key in choices.Mindset.values else None
    if dimension == "mindset_stale":
        stale = Q(mindset_assessed_on__lt=m.mindset_stale_before)
        return stale if key == "yes" else ~stale
    if dimension == "contact":
        return {
            "within_30": Q(last_contacted_at__gte=m.days_30),
            "within_90": Q(last_contacted_at__gte=m.days_90, last_contacted_at__lt=m.days_30),
            "over_90": Q(last_contacted_at__lt=m.days_90),
            "never": Q(last_contacted_at__isnull=True),
        }.get(key)
    moment = {
        "studied_month": ("last_studied_at", m.month_start),
        "attended_quarter": ("last_attended_at", m.quarter_start),
        "posted_quarter": ("last_posted_at", m.days_90),
    }.get(dimension)
    if moment is not None:
        field, since = moment
        recent = Q(**{f"{field}__gte": since})
        return recent if key == "yes" else ~recent
    return None


def key_label(dimension: str, key: str, region_names: dict) -> str:
    if dimension in ("province", "city"):
        return region_names.get(key, "未填") if key else "未填"
    if dimension in (
        "studied_month",
        "attended_quarter",
        "posted_quarter",
        "activated",
        "support_group",
        "vanguard",
        "pacesetter",
        "lost_contact",
        "mindset_stale",
    ):
        return YES_NO_LABELS.get(key, key)
    table = {
        "status": dict(choices.MemberStatus.choices),
        "occupation": {**dict(choices.Occupation.choices), "": "未填"},
        "income": {**{k: label for k, label, *_ in choices.INCOME_BANDS}, "unknown": "未填"},
        "age": {**{k: label for k, label, *_ in AGE_BANDS}, "unknown": "未知"},
        "party_standing": dict(choices.PartyStanding.choices),
        "sex": {"male": "男", "female": "女"},
        "education": {**dict(choices.Education.choices), "": "未填"},
        "contact": dict(CONTACT_KEYS),
        "mindset": dict(MINDSET_KEYS),
    }.get(dimension, {})
    return table.get(key, key)


DIMENSION_TITLES = {
    "total": "党员总数",
    "status": "流动状态",
    "province": "流入省份",
    "city": "流入城市",
    "occupation": "职业",
    "skill": "技能",
    "income": "月收入",
    "age": "年龄",
    "party_standing": "党员类别",
    "sex": "性别",
    "education": "学历",
    "contact": "联系情况",
    "studied_month": "本月参加学习",
    "attended_quarter": "本季度参加组织活动",
    "posted_quarter": "近90天在论坛发言",
    "activated": "已激活账号",
    "support_group": "后援团",
    "vanguard": "先锋党员",
    "pacesetter": "回馈标兵",
    "lost_contact": "失联风险",
    "mindset": "思想状况",
    "mindset_stale": "思想状况评估已过期",
}


def count_rows(rows, moments: Moments) -> Counter:
    # Counter.update over an iterable counts in C: one pass, no per-pair Python addition.
    counts: Counter = Counter()
    counts.update(pair for row in rows for pair in classify(row, moments).items())
    return counts


def count_skills(member_qs) -> Counter:
    through = Member.skills.through
    rows = (
        through.objects.filter(member_id__in=member_qs.values("pk"))
        .values_list("skill__name")
        .annotate(n=Count("pk"))
    )
    return Counter({("skill", name): n for name, n in rows})

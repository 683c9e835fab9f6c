"""Fixed lists of the archive. Wire values are lowercase English; labels are what staff see."""

from django.db import models

# The 56 ethnic groups of China (GB 3304), in the standard order.
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 "
    "哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 "
    "塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 "
    "鄂伦春族 赫哲族 门巴族 珞巴族 基诺族"
).split()
ETHNICITY_CHOICES = [(name, name) for name in ETHNICITIES]


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", "研究生"
    BACHELOR = "bachelor", "大学本科"
    COLLEGE = "college", "大学专科"
    VOCATIONAL = "vocational", "中专/中技"
    HIGH_SCHOOL = "high_school", "高中"
    JUNIOR_HIGH = "junior_high", "初中及以下"


class Mindset(models.TextChoices):
    """思想状况 (四清楚之"思想"): the assessment staff record with a contact."""

    POSITIVE = "positive", "积极向上"
    STABLE = "stable", "稳定"
    NEEDS_CARE = "needs_care", "需要关心"
    CONCERNING = "concerning", "需重点关注"


class PartyStanding(models.TextChoices):
    FULL = "full", "正式党员"
    PROBATIONARY = "probationary", "预备党员"


class MemberStatus(models.TextChoices):
    AWAY = "away", "外出流动"
    RETURNED = "returned", "已返乡"
    # Set and cleared only by organisational relationship transfers (the `transfers` app,
    # through members.services.archive.member_transfer_apply): the introduction letter is out,
    # the receipt (回执) not yet back.
    TRANSFERRING_OUT = "transferring_out", "转出中"
    TRANSFERRED_OUT = "transferred_out", "已转出"


class Occupation(models.TextChoices):
    CONSTRUCTION = "construction", "建筑施工"
    MANUFACTURING = "manufacturing", "制造业工人"
    TRANSPORT = "transport", "交通运输/物流"
    RETAIL = "retail", "批发零售"
    CATERING = "catering", "住宿餐饮"
    DOMESTIC = "domestic", "家政服务"
    SELF_EMPLOYED = "self_employed", "个体经营"
    ENTREPRENEUR = "entrepreneur", "企业经营者"
    PROFESSIONAL = "professional", "专业技术人员"
    OFFICE = "office", "企业职员"
    AGRICULTURE = "agriculture", "农业"
    STUDENT = "student", "在读学生"
    OTHER = "other", "其他"


class Honour(models.TextChoices):
    VANGUARD = "vanguard", "先锋党员"
    GIVING_BACK_PACESETTER = "giving_back_pacesetter", "回馈标兵"


# Monthly income bands for reports (yuan); the amount itself is stored.
INCOME_BANDS = [
    ("below_3000", "3000元以下", 0, 3000),
    ("3000_5000", "3000–5000元", 3000, 5000),
    ("5000_8000", "5000–8000元", 5000, 8000),
    ("8000_12000", "8000–12000元", 8000, 12000),
    ("12000_plus", "12000元以上", 12000, None),
]


def income_band(amount: int | None) -> str | None:
    if amount is None:
        return None
    for key, _label, low, high in INCOME_BANDS:
        if amount >= low and (high is None or amount < high):
            return key
    return None

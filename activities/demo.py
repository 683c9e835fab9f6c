"""Demo data: a realistic year of 三会一课, 主题党日 and 主题教育 for the demo branches.

For every branch of the demo county, from twelve months back to two months ahead: a branch
committee meeting (支委会) and a party group meeting (党小组会) every month, a theme party day
(主题党日) on the 10th, a general meeting (支部党员大会) and a party lecture (党课) every
quarter. Most branches keep the cadence; a few skip meetings, so the cadence report has
branches to highlight. Past activities are held, with minutes and attendance (in person and
online, excuses with reasons); upcoming ones are published, with notices and first replies.
A temporary branch of members working in Shenzhen and the Shenzhen host organisation hold
their own online theme days; committees run 主题教育 sessions for their whole subtree.
Rows are written in bulk (the services' rules are respected by construction); the notices of
upcoming activities go through the notice service. Deterministic for a given seed and day.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from members.models import Member, Notice, Organization, TemporaryBranchMembership, User
from members.services import organizations
from members.services.archive import member_engagement_touch
from members.services.notices import notice_publish

from .audience import notice_audience
from .models import Activity, ActivityMaterial, Attendance
from .services.texts import activity_link, when_text

K = Activity.Kind
S = Activity.Status
A = Activity.Audience
AS = Attendance.Status
P = Attendance.Participation

THEME_DAYS = [
    "“学习贯彻党的二十届四中全会精神”主题党日",
    "“重温入党誓词·牢记初心使命”主题党日",
    "“离乡不离党·流动不失联”主题党日",
    "“我为家乡发展献一策”主题党日",
    "“清廉家风代代传”主题党日",
    "“党员志愿服务进社区”主题党日",
    "“学习身边榜样·争做先锋党员”主题党日",
    "“纪念建党105周年”主题党日",
    "“喜迎国庆·共话发展”主题党日",
    "“学党章、守党纪、强党性”主题党日",
    "“安全生产我先行”主题党日",
    "“冬日暖心·关爱留守老人”主题党日",
]
COMMITTEE_TOPICS = [
    "研究发展党员和入党积极分子培养工作",
    "研究流动党员动态联系和关爱帮扶工作",
    "研究本月主题党日活动安排",
    "研究党费收缴和使用情况",
    "研究困难党员慰问名单",
    "研究年度民主评议党员工作",
    "研究支部标准化规范化建设",
    "研究防汛和安全生产包联工作",
]
GROUP_TOPICS = [
    "集中学习《中国共产党章程》",
    "学习《中国共产党纪律处分条例》",
    "交流外出务工期间学习体会",
    "学习习近平总书记在陕西考察时的重要讲话精神",
    "开展批评与自我批评",
    "学习县委全会精神",
]
LECTURES = [
    "书记讲党课：流动不流失，离乡不离党",
    "专题党课：以严的基调强化正风肃纪",
    "专题党课：学习贯彻党的二十届四中全会精神",
    "党课：从“三原经验”看基层治理",
    "党课：做新时代合格共产党员",
    "党课：传承照金精神，赓续红色血脉",
]
GENERAL_TOPICS = [
    "第{q}季度支部党员大会：通报支部工作，讨论接收预备党员",
    "第{q}季度支部党员大会：民主评议党员",
    "第{q}季度支部党员大会：学习传达上级会议精神",
]
THEME_EDUCATION = [
    "深入贯彻中央八项规定精神学习教育专题辅导",
    "主题教育读书班：习近平新时代中国特色社会主义思想",
    "主题教育专题研讨：流动党员如何发挥先锋作用",
]
EXCUSES = [
    "在西安工地加班，无法请假",
    "在深圳上夜班",
    "孩子生病住院，需要照顾",
    "外出务工，车程太远",
    "单位临时安排出差",
    "家中老人需要陪护",
    "身体不适，在家休息",
]
PLACES = ["{name}党员活动室", "{name}党群服务中心会议室", "{name}村委会二楼会议室"]
LECTURERS = ["支部书记", "党委副书记", "驻村第一书记", "县委党校讲师"]
HOSTS = ["支部书记", "支部副书记", "组织委员"]
RECORDERS = ["宣传委员", "组织委员", "支部委员"]
ONLINE = "https://meeting.tencent.com/dm/"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())


def _months(today: date, back: int, ahead: int) -> list[date]:
    first = today.replace(day=1)
    out = []
    for offset in range(-back, ahead + 1):
        index = first.year * 12 + first.month - 1 + offset
        out.append(date(index // 12, index % 12 + 1, 1))
    return out


def _short(name: str) -> str:
    return name.removesuffix("党支部").removesuffix("临时")


def _minutes(activity: Activity, present: int, excused: int) -> str:
    start = timezone.localtime(activity.starts_at)
    return (
        f"<h3>{activity.title}</h3>"
        f"<p><strong>时间：</strong>{start:%Y年%m月%d日 %H:%M}　<strong>地点：</strong>"
        f"{activity.place or '线上会议'}</p>"
        f"<p><strong>主持人：</strong>{activity.host_name}　<strong>记录人：</strong>"
        f"{activity.recorder_name}</p>"
        f"<p><strong>参加人数：</strong>实到{present}人，请假{excused}人（含线上参会）。</p>"
        "<h4>会议内容</h4><ol>"
        "<li>集中学习上级有关文件精神，支部书记作领学发言。</li>"
        "<li>通报上月工作完成情况，逐项对照本月任务。</li>"
        "<li>在外流动党员通过视频连线交流务工地学习和生活情况。</li>"
        "</ol><h4>会议决定</h4><ul>"
        "<li>对请假党员由支部委员负责一对一传达会议精神，督促补学。</li>"
        "<li>下月主题党日结合“我为家乡献一策”开展。</li></ul>"
    )


def _study_material(title: str) -> str:
    return (
        f"<h3>{title} · 学习提纲</h3><ol>"
        "<li>深刻领会会议精神的核心要义和实践要求。</li>"
        "<li>结合外出务工实际，谈一谈如何做到离乡不离党。</li>"
        "<li>对照党章党规，查找自身在学习、纪律、作风方面的差距。</li>"
        "</ol><p>请各位党员学习后在活动页面点击“我已学习本次活动资料”。</p>"
    )


class _Builder:
    def __init__(self, rng: random.Random, today: date, recorders: dict | None = None):
        self.rng = rng
        self.today = today
        self.now = timezone.now()
        # Who records the replies of members without an account (organisation path → staff).
        self.recorders = recorders or {}
        self.activities: list[Activity] = []
        self.plans: list[tuple[Activity, list[int], str]] = []  # (activity, eligible, kind)

    def add(self, org, kind, title, start: datetime, hours: float, eligible, *, audience=None):
        rng = self.rng
        online_only = org.kind in (Organization.Kind.TEMPORARY_BRANCH, Organization.Kind.HOST)
        place = "" if online_only else rng.choice(PLACES).format(name=_short(org.name))
        online = (
            f"{ONLINE}{rng.randint(10**8, 10**9 - 1)}" if online_only or rng.random() < 0.6 else ""
        )
        end = start + timedelta(hours=hours)
        if end < self.now:
            status = S.HELD
        elif start - self.now > timedelta(days=35):
            status = S.PLANNED
        else:
            status = S.PUBLISHED
        activity = Activity(
            organization=org,
            kind=kind,
            title=title,
            agenda="\n".join(
                ["一、学习上级文件精神", "二、" + rng.choice(COMMITTEE_TOPICS), "三、党员交流发言"]
            ),
            starts_at=start,
            ends_at=end,
            place=place,
            online_url=online,
            audience=audience
            or {
                Organization.Kind.TEMPORARY_BRANCH: A.TEMPORARY_BRANCH,
                Organization.Kind.HOST: A.HOSTED,
            }.get(org.kind, A.ORGANIZATION),
            host_name=rng.choice(HOSTS),
            recorder_name=rng.choice(RECORDERS),
            lecturer_name=rng.choice(LECTURERS)
            if kind in (K.PARTY_LECTURE, K.THEME_EDUCATION)
            else "",
            status=status,
            published_at=start - timedelta(days=rng.randint(3, 10))
            if status != S.PLANNED
            else None,
            held_at=end + timedelta(hours=2) if status == S.HELD else None,
            reminded_at=start - timedelta(hours=20) if status == S.HELD else None,
        )
        self.activities.append(activity)
        self.plans.append((activity, eligible, kind))

    def branch_year(self, branch, members: list[Member], months: list[date], lagging: bool):
        rng = self.rng
        ids = [m.pk for m in members]
        committee = ids[:5]
        skip = 0.3 if lagging else 0.0
        for month in months:
            quarter = (month.month - 1) // 3 + 1
            ym = f"{month.month}月"
            if rng.random() >= skip:
                self.add(
                    branch,
                    K.COMMITTEE_MEETING,
                    f"{ym}支委会：{rng.choice(COMMITTEE_TOPICS)}",
                    _at(month.replace(day=rng.randint(3, 6)), 19, 30),
                    1.5,
                    committee,
                )
            if rng.random() >= skip:
                group = rng.sample(ids, k=max(1, len(ids) // 3)) if ids else []
                self.add(
                    branch,
                    K.GROUP_MEETING,
                    f"{ym}党小组会：{rng.choice(GROUP_TOPICS)}",
                    _at(month.replace(day=rng.randint(12, 16)), 20),
                    1,
                    group,
                )
            self.add(
                branch,
                K.THEME_DAY,
                THEME_DAYS[(month.month - 1) % len(THEME_DAYS)],
                _at(month.replace(day=10), 9),
                2.5,
                ids,
            )
            if month.month % 3 == 2 and rng.random() >= skip:
                self.add(
                    branch,
                    K.PARTY_LECTURE,
                    rng.choice(LECTURES),
                    _at(month.replace(day=rng.randint(18, 22)), 15),
                    1.5,
                    ids,
                )
            if month.month % 3 == 0 and rng.random() >= skip:
                self.add(
                    branch,
                    K.GENERAL_MEETING,
                    rng.choice(GENERAL_TOPICS).format(q=quarter),
                    _at(month.replace(day=rng.randint(24, 27)), 9, 30),
                    2,
                    ids,
                )

    def attendance(self, members_by_pk: dict[int, Member]) -> tuple[list, list]:
        rng = self.rng
        rows, materials = [], []
        for activity, eligible, kind in self.plans:
            present = excused = 0
            if activity.status == S.HELD:
                for member_id in eligible:
                    member = members_by_pk[member_id]
                    roll = rng.random()
                    if roll < 0.1:
                        excused += 1
                        rows.append(self._row(activity, member, AS.EXCUSED, rng.choice(EXCUSES)))
                    elif roll < 0.85:
                        present += 1
                        row = self._row(
                            activity, member, AS.ATTENDING if rng.random() < 0.8 else ""
                        )
                        row.participation = (
                            P.ONLINE if activity.online_url and rng.random() < 0.5 else P.IN_PERSON
                        )
                        if not activity.place:
                            row.participation = P.ONLINE
                        row.participation_recorded_at = activity.held_at
                        if member.user_id and rng.random() < 0.4:
                            row.studied_at = min(
                                activity.ends_at + timedelta(days=rng.randint(0, 5)), self.now
                            )
                        rows.append(row)
                materials.append(
                    ActivityMaterial(
                        activity=activity,
                        kind=ActivityMaterial.Kind.MINUTES,
                        title=f"{activity.title}会议纪要"[:120],
                        body=_minutes(activity, present, excused),
                    )
                )
            elif activity.status == S.PUBLISHED and activity.starts_at - self.now < timedelta(
                days=14
            ):
                for member_id in eligible:
                    roll = rng.random()
                    row = None
                    if roll < 0.35:
                        row = self._row(activity, members_by_pk[member_id], AS.ATTENDING)
                    elif roll < 0.45:
                        row = self._row(
                            activity, members_by_pk[member_id], AS.EXCUSED, rng.choice(EXCUSES)
                        )
                    if row is not None and row.status:
                        rows.append(row)
            if kind in (K.PARTY_LECTURE, K.THEME_EDUCATION) and activity.status != S.PLANNED:
                materials.append(
                    ActivityMaterial(
                        activity=activity,
                        kind=ActivityMaterial.Kind.STUDY_MATERIAL,
                        title=f"{activity.title[:100]}学习提纲",
                        body=_study_material(activity.title),
                    )
                )
        return rows, materials

    def _row(self, activity, member, status, reason="") -> Attendance:
        """A member with an account replied in the app; for one without, staff who reached
        them by SMS or phone recorded the reply (or nobody did)."""
        recorder = None
        if status and member.user_id is None:
            recorder = self._recorder(member) if self.rng.random() < 0.6 else None
            if recorder is None:
                status, reason = "", ""
        replied = activity.starts_at - timedelta(hours=self.rng.randint(2, 72)) if status else None
        return Attendance(
            activity=activity,
            member=member,
            status=status,
            reason=reason,
            replied_at=min(replied, self.now) if replied else None,
            reply_recorded_by=recorder,
            home_organization_id=member.organization_id,
        )

    def _recorder(self, member):
        path = member.organization.path
        for prefix, user in self.recorders.items():
            if path.startswith(prefix):
                return user
        return self.recorders.get("")


def _temporary_branch(rng, members: list[Member]):
    committee = Organization.objects.filter(code="610422-01").first()
    if committee is None:
        return None, []
    branch = Organization.objects.filter(
        code="610422-T-SZ"
    ).first() or organizations.organization_create(
        code="610422-T-SZ",
        name="三原县在深流动党员临时党支部",
        kind=Organization.Kind.TEMPORARY_BRANCH,
        parent=committee,
    )
    # The fixed demo member (first) is one of them, so the demo shows a temporary branch.
    chosen = members[:1] + rng.sample(members[1:], k=min(23, max(0, len(members) - 1)))
    TemporaryBranchMembership.objects.bulk_create(
        [TemporaryBranchMembership(member=m, branch=branch) for m in chosen], ignore_conflicts=True
    )
    return branch, chosen


def _recorders() -> dict:
    """Committee staff record replies for their committee's members; the county for the rest."""
    users = {u.username: u for u in User.objects.filter(is_staff=True)}
    out = {}
    for code, username in (("610422-01", "chengguan_admin"), ("610422-07", "lingqian_admin")):
        org = Organization.objects.filter(code=code).first()
        if org is not None and username in users:
            out[org.path] = users[username]
    if "county_admin" in users:
        out[""] = users["county_admin"]
    return out


def _engagement_dates(rows: list[Attendance]) -> None:
    """The archive's engagement dates follow the attendance just written, as the services
    keep them (members.services.archive.member_engagement_touch): the dashboard's
    "本季度参加组织活动" counts what the attendance shows."""
    attended, studied = {}, {}
    for row in rows:
        if row.participation:
            start = row.activity.starts_at
            attended[row.member_id] = max(attended.get(row.member_id, start), start)
        if row.studied_at:
            studied[row.member_id] = max(studied.get(row.member_id, row.studied_at), row.studied_at)
    for member_id in attended.keys() | studied.keys():
        member_engagement_touch(
            member_id=member_id,
            attended_at=attended.get(member_id),
            studied_at=studied.get(member_id),
        )


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if Activity.objects.exists():
        return ["已有组织活动数据，未重复生成"]
    today = timezone.localdate()
    branches = list(
        Organization.objects.filter(
            kind=Organization.Kind.BRANCH, code__startswith="610422"
        ).order_by("path")
    )
    if not branches:
        return []
    by_branch: dict[int, list[Member]] = {}
    everyone = list(
        Member.objects.filter(organization__in=branches)
        .select_related("organization")
        .order_by("pk")
    )
    for member in everyone:
        if member.status != "transferred_out":  # gone: no longer invited
            by_branch.setdefault(member.organization_id, []).append(member)
    members_by_pk = {m.pk: m for m in everyone}

    # The fixed demo member (first archive) and others work in Shenzhen (their archives say
    # so, and they are away): hosted there, and some gathered in a temporary branch.
    host = Organization.objects.filter(code="HOST-440300").first()
    in_city = [m for m in everyone[1:] if m.destination_city == "440300" and m.status == "away"]
    # Two of them have not reported yet (the host staff's arrivals to confirm).
    in_shenzhen = everyone[:1] + rng.sample(in_city, k=min(40, max(0, len(in_city) - 2)))
    if host is not None:
        Member.objects.filter(pk__in=[m.pk for m in in_shenzhen]).update(host_organization=host)
    temp, temp_members = _temporary_branch(rng, in_shenzhen)

    builder = _Builder(rng, today, _recorders())
    months = _months(today, back=12, ahead=2)
    lagging = set(rng.sample([b.pk for b in branches], k=max(1, len(branches) // 5)))
    for branch in branches:
        builder.branch_year(branch, by_branch.get(branch.pk, []), months, branch.pk in lagging)
    for month in months:
        if temp is not None:
            builder.add(
                temp,
                K.THEME_DAY,
                f"云端主题党日：{THEME_DAYS[(month.month + 3) % len(THEME_DAYS)]}",
                _at(month.replace(day=20), 20),
                1.5,
                [m.pk for m in temp_members],
            )
        if host is not None and month.month % 2 == 0:
            builder.add(
                host,
                K.THEME_DAY,
                "深圳流动党员“红色驿站”联合主题党日",
                _at(month.replace(day=25), 19, 30),
                2,
                [m.pk for m in in_shenzhen],
            )
    for committee in Organization.objects.filter(
        kind=Organization.Kind.COMMITTEE, code__startswith="610422"
    ):
        subtree = [m.pk for m in everyone if m.organization.path.startswith(committee.path)]
        for offset, title in zip((-100, -40, 9), THEME_EDUCATION, strict=True):
            day = today + timedelta(days=offset)
            builder.add(
                committee,
                K.THEME_EDUCATION,
                title,
                _at(day, 15),
                2,
                rng.sample(subtree, k=len(subtree) // 2),
                audience=A.SUBTREE,
            )

    Activity.objects.bulk_create(builder.activities, batch_size=1000)
    rows, materials = builder.attendance(members_by_pk)
    Attendance.objects.bulk_create(rows, batch_size=2000)
    _engagement_dates(rows)
    ActivityMaterial.objects.bulk_create(materials, batch_size=1000)
    # Minutes were written after each meeting and study material came with the publication,
    # not on the day of seeding.
    for kind, moment in (("minutes", "ends_at"), ("study_material", "published_at")):
        ActivityMaterial.objects.filter(kind=kind).update(
            created_at=Subquery(
                Activity.objects.filter(pk=OuterRef("activity_id")).values(moment)[:1]
            )
        )
    notices = 0
    for activity in builder.activities:
        if activity.status == S.PUBLISHED and activity.starts_at - builder.now < timedelta(days=21):
            notice_publish(
                audience=notice_audience(activity),
                kind=Notice.Kind.ACTIVITY,
                title=f"{activity.get_kind_display()}：{activity.title}",
                body=f"时间：{when_text(activity)}",
                link=activity_link(activity),
            )
            notices += 1
    held = sum(a.status == S.HELD for a in builder.activities)
    return [
        f"组织活动 {len(builder.activities)} 项（已召开 {held} 项），参会记录 {len(rows)} 条，"
        f"活动资料 {len(materials)} 份，活动通知 {notices} 条",
        f"三会一课落后的支部 {len(lagging)} 个（见 工作台 → 组织活动 → 三会一课落实情况）",
    ]

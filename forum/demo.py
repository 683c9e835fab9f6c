"""Demo data for the forum: both boards, realistic threads of Sanyuan's mobile members, official
replies from the demo committees and the county, member replies and a couple of typical
issues. `seed_demo` calls `seed(rng=…, members=…)` after the registry is seeded.

Old threads are written directly with their dates in the past; the demo member 王建军's own
threads go through the services, so his inbox shows the notices a real member would get.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from members.demo import ACTIVE_MEMBER, COUNTY_CODE
from members.models import Member, Organization, User
from members.services.notices import Audience, notice_publish
from sanyuan.sanitize import html_to_text, plain_text_to_html
from sanyuan.search import segment

from . import services
from .demo_content import (
    ANSWERED_REPLIES,
    FORUM_THREADS,
    MEMBER_REPLIES,
    REFLECTIONS,
    WAITING_REPLIES,
)
from .models import Board, Post, PostReport, Thread

# Demo staff (members.demo.STAFF) and the organisation each speaks for.
STAFF_FOR_COMMITTEE = {
    f"{COUNTY_CODE}-01": "chengguan_admin",
    f"{COUNTY_CODE}-07": "lingqian_admin",
}


def _speaker(member: Member, staff: dict, county: Organization, committees: dict):
    """(staff user, organisation) answering for the member's home organisation."""
    for code, username in STAFF_FOR_COMMITTEE.items():
        committee = committees.get(code)
        if committee and member.organization.path.startswith(committee.path) and username in staff:
            return staff[username], committee
    return staff.get("county_admin"), county


class _Builder:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.now = timezone.now()

    def thread(self, *, board, kind, title, body, member, at, shared=False, official=None):
        org, name = (official, official.name) if official else (member.organization, member.name)
        thread = Thread.objects.create(
            board=board,
            kind=kind,
            title=title,
            organization=org,
            author=None if official else member.user,
            author_member=None if official else member,
            author_name=name,
            is_official=official is not None,
            is_shared=shared,
            created_at=at,
            last_posted_at=at,
            last_poster_name=name,
        )
        self.post(thread, body=body, at=at, member=member, official=official, opening=True)
        return thread

    def post(self, thread, *, body, at, member=None, official=None, user=None, opening=False):
        html = plain_text_to_html(body)
        text = html_to_text(html)
        return Post.objects.create(
            thread=thread,
            author=user if official else (member.user if member else None),
            author_member=None if official else member,
            author_name=official.name if official else member.name,
            organization=official,
            is_opening=opening,
            body_html=html,
            created_at=at,
            search_text=segment(f"{thread.title} {text}" if opening else text),
        )

    @staticmethod
    def finish(thread):
        """Counters as the services keep them."""
        posts = list(thread.posts.order_by("id"))
        last = posts[-1]
        first_official = next((p for p in posts if p.organization_id and not p.is_opening), None)
        Thread.objects.filter(pk=thread.pk).update(
            reply_count=len(posts) - 1,
            last_post_id=last.pk,
            last_posted_at=max(p.created_at for p in posts),
            last_poster_name=last.author_name,
            first_official_reply_at=first_official.created_at if first_official else None,
            first_official_reply_seconds=(
                int((first_official.created_at - thread.created_at).total_seconds())
                if first_official
                else None
            ),
        )


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if Thread.objects.exists():
        return ["论坛已有数据，未重复生成"]
    county = Organization.objects.get(code=COUNTY_CODE)
    committees = {o.code: o for o in Organization.objects.filter(kind=Organization.Kind.COMMITTEE)}
    staff = {
        u.username: u
        for u in User.objects.filter(username__in=["county_admin", *STAFF_FOR_COMMITTEE.values()])
    }
    # Only members with an account post.
    people = list(
        Member.objects.filter(user__isnull=False)
        .select_related("organization")
        .order_by("id")[:400]
    )
    demo_member = next((m for m in people if m.name == ACTIVE_MEMBER.name and m.user_id), None)
    others = [m for m in people if m is not demo_member] or people
    build = _Builder(rng)
    typical = 0

    pinned = build.thread(
        board=Board.FORUM,
        kind=Thread.Kind.MESSAGE,
        title="欢迎来到党员论坛：留言、诉求、建议都可以在这里说",
        body="各位在外的党员同志：有困难、有诉求请发“诉求”，各镇（街道）党（工）委会以组织名义答复；"
        "对家乡发展和组织工作的想法请发“建议”。请文明发言，不要发布个人隐私信息。",
        member=others[0],
        at=build.now - timedelta(days=60),
        official=county,
    )
    Thread.objects.filter(pk=pinned.pk).update(is_pinned=True)
    build.finish(pinned)

    for index, (kind, title, body, answer, is_typical) in enumerate(FORUM_THREADS):
        author = rng.choice(others)
        opened = build.now - timedelta(days=rng.randint(3, 50), hours=rng.randint(0, 20))
        if not answer and kind != "message":
            opened = build.now - timedelta(hours=rng.randint(5, 96))  # still waiting: the queue
        thread = build.thread(
            board=Board.FORUM, kind=kind, title=title, body=body, member=author, at=opened
        )
        at = opened
        replies = rng.randint(25, 60) if index % 3 else rng.randint(5, 15)
        answered_after = rng.randint(1, max(2, replies // 3))
        for number in range(replies):
            # Spread over the days since the thread opened, never into the future.
            at += timedelta(minutes=rng.randint(5, 300))
            at = min(at, build.now - timedelta(minutes=2 * (replies - number)))
            if answer and number == answered_after:
                user, org = _speaker(author, staff, county, committees)
                build.post(thread, body=answer, at=at, official=org, user=user)
                continue
            extra = []
            if kind != "message":
                extra = ANSWERED_REPLIES if answer and number > answered_after else WAITING_REPLIES
            body = rng.choice(MEMBER_REPLIES + extra)
            build.post(thread, body=body, at=at, member=rng.choice(others))
        build.finish(thread)
        if is_typical and answer:
            Thread.objects.filter(pk=thread.pk).update(is_typical=True, typical_at=at)
            typical += 1

    for kind, title, body, comment, shared in REFLECTIONS:
        author = rng.choice(others)
        opened = build.now - timedelta(days=rng.randint(1, 40))
        thread = build.thread(
            board=Board.REFLECTIONS,
            kind=kind,
            title=title,
            body=body + (author.name if body.endswith("汇报人：") else ""),
            member=author,
            at=opened,
            shared=shared,
        )
        if comment:
            user, org = _speaker(author, staff, county, committees)
            at = opened + timedelta(hours=rng.randint(3, 48))
            build.post(thread, body=comment, at=at, official=org, user=user)
            Thread.objects.filter(pk=thread.pk).update(staff_read_at=at, staff_read_by=user)
        build.finish(thread)

    _seed_report(others, rng)
    lines = []
    if demo_member is not None:
        lines.append(_seed_demo_member(demo_member, staff, county, committees, others, rng))
    return [
        f"论坛主题 {Thread.objects.count()} 个（党员论坛 {Thread.objects.filter(board=Board.FORUM).count()}，"
        f"学习心得 {Thread.objects.filter(board=Board.REFLECTIONS).count()}），"
        f"回复 {Post.objects.count()} 条，典型问题 {typical} 个",
        *lines,
    ]


def _seed_report(others, rng) -> None:
    """One reply that breaks the rules and has been reported, for the staff's report page."""
    thread = Thread.objects.filter(
        board=Board.FORUM, kind=Thread.Kind.MESSAGE, is_official=False
    ).first()
    if thread is None:
        return
    spammer, reporter = rng.sample(others, 2)
    post = _Builder(rng).post(
        thread,
        body="兼职刷单日结300元，加我微信详聊！",
        at=thread.last_posted_at + timedelta(minutes=3),
        member=spammer,
    )
    _Builder.finish(thread)
    PostReport.objects.create(
        post=post,
        thread=thread,
        reporter=reporter.user,
        reason=PostReport.Reason.SPAM,
        note="刷单广告，涉嫌诈骗",
    )


def _seed_demo_member(member, staff, county, committees, others, rng) -> str:
    """王建军's own request and thought report, answered the way the product answers them."""
    user = member.user
    request = services.thread_create(
        user=user,
        board=Board.FORUM,
        kind=Thread.Kind.REQUEST,
        title="在西安工地受伤，工伤认定要回三原办吗？",
        body="上个月在西安工地干活时扭伤了腰，老板说工伤要回老家办。请问工伤认定是在哪里申请？",
    )
    neighbour = rng.choice(others)
    reply = _Builder(rng).post(
        request,
        body="工伤一般在用人单位所在地申请认定，也就是西安那边，别被老板糊弄了。",
        at=timezone.now(),
        member=neighbour,
    )
    _Builder.finish(request)
    notice_publish(
        audience=Audience.user(user),
        kind="forum_reply",
        title=f"您的诉求有新回复：{request.title}",
        body=f"{neighbour.name}：工伤一般在用人单位所在地申请认定……",
        link=f"/forum/threads/{request.pk}/?post={reply.pk}#post-{reply.pk}",
        dedupe_key=f"forum-reply:{request.pk}:demo",
    )
    speaker, org = _speaker(member, staff, county, committees)
    request.refresh_from_db()
    if speaker is not None:
        services.post_create(
            user=speaker,
            thread=request,
            organization=org,
            body="您好！工伤认定应向用人单位所在地（西安市）社会保险行政部门申请，"
            "一般应在受伤之日起1年内由本人或近亲属提出。您可以先保留就医记录和工友证明。"
            "如需法律援助，可联系县司法局12348热线，支部也会帮您联系西安的流动党员服务站。",
        )
    report = services.thread_create(
        user=user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.THOUGHT_REPORT,
        title="2026年第四季度思想汇报",
        body="敬爱的党组织：\n\n这个季度我在西安务工，虽然受了点伤，但工友们和支部都很关心我。"
        "我坚持在平台上学习，更加体会到组织就在身边……\n\n汇报人：王建军",
    )
    if speaker is not None:
        services.post_create(
            user=speaker,
            thread=report,
            organization=org,
            body="汇报很实在。安心养伤，有困难随时和支部说，组织就是您的后盾。",
        )
    return f"演示党员{member.name}：诉求已获{org.name}答复，思想汇报已获点评（见消息）"

"""A county with one object of every kind on each side (committee A, committee B), built
through the services, for the tier matrix, the schema walk and the bad-input catalogue."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.models import ActivityMaterial
from activities.services.materials import material_add
from appraisals.services import appraisal_open
from forum.models import Board, Thread
from hometown.services import (
    campaign_publish,
    contribution_record,
    support_case_open,
    support_group_join,
)
from learning.services.articles import article_attachment_add, article_set_cover
from members.models import Notice
from members.services.changes import change_request_submit
from members.services.contacts import contact_log_create
from members.services.notices import Audience, notice_publish
from tests import factories
from tests.activities import factories as af
from tests.forum import factories as ff
from tests.learning import factories as lf
from tests.tiers import SENTINEL_FAMILY, SENTINEL_INCOME, extend_world
from transfers.services import transfer_prepare


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _side(w, label: str, branch, member, staff) -> SimpleNamespace:
    """The objects of one committee's side; `member` is activated, `staff` its committee's."""
    s = SimpleNamespace(member=member, staff=staff, branch=branch)
    s.change_request = change_request_submit(
        member=member,
        changes={"employer": f"{label}方单位"},
        reason="换了工作",
        evidence_files=[ff.photo(f"{label}-证明.jpg")],
    )
    s.evidence = s.change_request.evidence.first()
    s.contact = contact_log_create(
        staff=staff,
        member=member,
        contacted_on=timezone.localdate(),
        channel="phone",
        note=f"{label}方联系记录",
    )
    s.article = lf.article(branch, title=f"{label}方学习资料")
    article_set_cover(actor=staff, article=s.article, upload=lf.jpeg(size=(160, 100)))
    s.attachment = article_attachment_add(actor=staff, article=s.article, upload=lf.pdf())
    s.activity = af.activity(branch, title=f"{label}方主题党日")
    s.material = material_add(
        user=staff,
        activity=s.activity,
        kind=ActivityMaterial.Kind.STUDY_MATERIAL,
        title=f"{label}方学习资料",
        upload=af.pdf_upload(),
    )
    s.attendance = af.reply(s.activity, member)
    s.thread = ff.thread(member.user, title=f"{label}方的求助帖", images=[ff.photo()])
    s.post = ff.reply(staff, s.thread, body=f"{label}方的回复")
    s.image = s.thread.posts.order_by("id").first().images.first()
    s.reflection = ff.thread(
        member.user,
        board=Board.REFLECTIONS,
        kind=Thread.Kind.THOUGHT_REPORT,
        title=f"{label}方心得",
    )
    s.reflection_post = s.reflection.posts.order_by("id").first()
    s.transfer = transfer_prepare(
        actor=staff, member=member, to_name=f"{label}方的接收党组织（县外）", reason="定居外地"
    )
    today = timezone.localdate()
    s.appraisal = appraisal_open(
        actor=staff,
        organization=branch,
        year=today.year,
        self_assessment_ends_on=today,
        ballot_starts_on=today,
        ballot_ends_on=today + timedelta(days=3),
        decision_ends_on=today + timedelta(days=10),
    )
    s.notice = notice_publish(
        audience=Audience.user(member.user), kind=Notice.Kind.ARTICLE, title=f"{label}方通知"
    )
    # Hometown ties: sensitive like the family situation and income, so the sentinels sit in
    # the case's need and the contribution's amount (host staff must never meet them).
    s.support_case = support_case_open(
        actor=staff, member=member, kind="illness", need=f"{label}方{SENTINEL_FAMILY}"
    )
    s.membership = support_group_join(actor=member.user, member=member, offers=["jobs"])
    s.contribution = contribution_record(
        actor=member.user,
        member=member,
        kind="donation",
        title=f"{label}方捐资助学",
        amount=str(SENTINEL_INCOME),
        happened_on=timezone.localdate().isoformat(),
    )
    return s


@pytest.fixture
def scoped_world(world, media_root, django_capture_on_commit_callbacks):
    """world plus, for each committee (a, b), one object of every kind, and a public article;
    the principals of tests.tiers (host staff hosting side a's member, committee A's staff
    through a group, an account with no tier) and sentinels in both members' sensitive fields;
    host staff's own contact with side a's member."""
    with django_capture_on_commit_callbacks(execute=True):
        world.a = _side(world, "甲", world.branch_a1, world.member_a, world.staff_a)
        world.b = _side(world, "乙", world.branch_b1, world.member_b, world.staff_b)
        world.public_article = lf.article(
            world.county, audience=lf.A.PUBLIC, title="公开的学习资料"
        )
        extend_world(world)
        world.campaign = campaign_publish(
            actor=world.county_staff,
            year=timezone.localdate().year,
            title="回馈家乡年度活动",
            rules="按已确认的贡献评选",
        )
        world.a.host_contact = contact_log_create(
            staff=world.host_staff,
            member=world.member_a,
            contacted_on=timezone.localdate(),
            channel="visit",
            note="流入地联系记录",
        )
    world.tokens = {
        "county": factories.token_for(world.county_staff)[0],
        "committee": factories.token_for(world.staff_a)[0],
        "committee_group": factories.token_for(world.group_staff)[0],
        "host": factories.token_for(world.host_staff)[0],
        "member": factories.token_for(world.member_a.user)[0],
        "anonymous": None,
    }
    return world


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)

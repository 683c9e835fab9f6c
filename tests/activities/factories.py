"""Factories for activities. Rows are built directly (fast); the behaviour under test goes
through the services."""

import io
from datetime import timedelta
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from activities.models import Activity, Attendance
from members.models import Organization, TemporaryBranchMembership
from tests import factories

K = Activity.Kind
S = Activity.Status
A = Activity.Audience
OK = Organization.Kind


def default_audience(org) -> str:
    return {OK.TEMPORARY_BRANCH: A.TEMPORARY_BRANCH, OK.HOST: A.HOSTED}.get(
        org.kind, A.ORGANIZATION
    )


def activity(
    organization,
    *,
    kind=K.THEME_DAY,
    status=S.PUBLISHED,
    audience=None,
    starts_in=timedelta(days=3),
    hours=2,
    title=None,
    **extra,
) -> Activity:
    starts_at = timezone.now() + starts_in
    published = status != S.PLANNED
    extra.setdefault("published_at", timezone.now() if published else None)
    extra.setdefault("held_at", timezone.now() if status == S.HELD else None)
    return Activity.objects.create(
        organization=organization,
        kind=kind,
        title=title or f"{organization.name}{Activity.Kind(kind).label}",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place=extra.pop("place", "村委会二楼会议室"),
        audience=audience or default_audience(organization),
        status=status,
        **extra,
    )


def past(organization, **kwargs) -> Activity:
    kwargs.setdefault("status", S.HELD)
    return activity(organization, starts_in=kwargs.pop("starts_in", timedelta(days=-10)), **kwargs)


def reply(activity_obj, member, status=Attendance.Status.ATTENDING, reason="") -> Attendance:
    return Attendance.objects.create(
        activity=activity_obj,
        member=member,
        status=status,
        reason=reason,
        replied_at=timezone.now(),
        home_organization=member.organization,
    )


def pdf_upload(name="学习资料.pdf") -> SimpleUploadedFile:
    from tests.factories import pdf_bytes

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def png_upload(name="照片.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 20, 20)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def extend_world(w) -> SimpleNamespace:
    """world plus: a temporary branch (under committee A) with member_b in it, a host
    organisation hosting a new member of branch A2, and a second member in branch A1."""
    w.temp = factories.organization(
        "深圳三原流动党员临时党支部", OK.TEMPORARY_BRANCH, w.committee_a
    )
    TemporaryBranchMembership.objects.create(member=w.member_b, branch=w.temp)
    w.host = factories.organization("深圳市流动党员服务中心党委", OK.HOST, None)
    w.host_branch = factories.organization("宝安区流动党员服务站党支部", OK.HOST, w.host)
    w.member_hosted = factories.activated_member(
        w.branch_a2, name="赵六", host_organization=w.host_branch
    )
    w.member_a1b = factories.activated_member(w.branch_a1, name="钱七")
    w.host_staff = factories.staff("host_staff", "committee", w.host)
    return w

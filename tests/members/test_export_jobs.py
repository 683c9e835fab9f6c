"""Exports over EXPORT_INLINE_MAX_ROWS rows run in the background: the page shows progress,
the requester (only) downloads the file until it expires, every step is logged."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from members.models import AuditEvent, ExportJob
from members.services import export_jobs
from tests.factories import MemberFactory, login_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_inline_limit(settings):
    settings.EXPORT_INLINE_MAX_ROWS = 2
    return settings


def _xlsx_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def _start_export(client, django_capture_on_commit_callbacks, url="/staff/members/export/"):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and "/staff/exports/" in response["Location"]
    return ExportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_a_small_export_is_answered_at_once(world):
    response = login_staff(Client(), world.staff_a).get("/staff/members/export/")
    assert response.status_code == 200
    names = [row[0] for row in _xlsx_rows(response.content)[1:]]
    assert sorted(names) == sorted([world.member_a.name, world.member_a2.name])
    assert not ExportJob.objects.exists()


def test_a_large_export_runs_in_the_background_and_only_its_requester_downloads_it(
    world, small_inline_limit, django_capture_on_commit_callbacks
):
    MemberFactory(organization=world.branch_a1, name="赵一")
    client = login_staff(Client(), world.staff_a)
    job = _start_export(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "done" and job.rows == 3
    page = client.get(f"/staff/exports/{job.pk}/").content.decode()
    assert "下载 Excel 文件" in page and "共 3 行" in page
    response = client.get(f"/staff/exports/{job.pk}/download/")
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    content = b"".join(response.streaming_content)
    rows = _xlsx_rows(content)
    assert sorted(row[0] for row in rows[1:]) == ["张三", "李四", "赵一"]
    assert all("*" in row[1] for row in rows[1:])  # ID numbers masked
    assert AuditEvent.objects.filter(action="export.download", target_id=str(job.pk)).exists()
    assert AuditEvent.objects.filter(action="member.export", actor=world.staff_a).exists()
    # Nobody else reaches it, whatever their tier; a member gets the staff pages' 403.
    for other in (world.staff_b, world.county_staff):
        other_client = login_staff(Client(), other)
        assert other_client.get(f"/staff/exports/{job.pk}/").status_code == 404
        assert other_client.get(f"/staff/exports/{job.pk}/download/").status_code == 404
    member = Client()
    member.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert member.get(f"/staff/exports/{job.pk}/download/").status_code == 403
    assert Client().get(f"/staff/exports/{job.pk}/download/").status_code == 302  # log in


def test_the_background_export_is_rebuilt_in_the_requesters_current_scope(
    world, small_inline_limit, django_capture_on_commit_callbacks
):
    MemberFactory(organization=world.branch_a1, name="赵一")
    client = login_staff(Client(), world.staff_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.get("/staff/members/export/")
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert "正在后台生成" in client.get(f"/staff/exports/{job.pk}/").content.decode()
    MemberFactory(organization=world.branch_b1, name="不在范围内")  # another committee's
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    rows = _xlsx_rows(job.file.read())
    assert "不在范围内" not in [row[0] for row in rows] and job.rows == 3


def test_an_expired_export_is_refused_and_its_file_deleted(
    world, small_inline_limit, django_capture_on_commit_callbacks
):
    MemberFactory(organization=world.branch_a1)
    client = login_staff(Client(), world.staff_a)
    job = _start_export(client, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    name = job.file.name
    storage = job.file.storage
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(f"/staff/exports/{job.pk}/download/", follow=True)
    assert "下载链接已过期" in response.content.decode()
    assert export_jobs.export_job_expire() == 1
    job.refresh_from_db()
    assert job.status == "expired" and not job.file and not storage.exists(name)


def test_a_writer_that_fails_leaves_a_chinese_reason_and_no_file(
    world, small_inline_limit, django_capture_on_commit_callbacks, settings
):
    settings.EXPORT_WRITERS = {**settings.EXPORT_WRITERS, "members.archive": f"{__name__}.broken"}
    MemberFactory(organization=world.branch_a1)
    job = _start_export(login_staff(Client(), world.staff_a), django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "failed" and "出错" in job.failure and not job.file


def broken(**kwargs):
    raise RuntimeError("disk full")


def test_a_large_study_export_also_runs_in_the_background(
    world, small_inline_limit, django_capture_on_commit_callbacks
):
    from tests.learning import factories as lf

    MemberFactory(organization=world.branch_a1)
    published = lf.article(world.county, audience=lf.A.COUNTY)
    job = _start_export(
        login_staff(Client(), world.county_staff),
        django_capture_on_commit_callbacks,
        url=f"/staff/study/articles/{published.pk}/export.xlsx",
    )
    job.refresh_from_db()
    assert job.kind == "learning.study" and job.status == "done" and job.rows >= 3

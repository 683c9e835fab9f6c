"""Materials: checked files, sanitised minutes, served only to those who may see them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from activities import services
from activities.models import Activity, ActivityMaterial
from sanyuan.errors import ServiceError, StateConflict
from tests.activities import factories as af
from tests.conftest import client_for
from tests.factories import login_staff

pytestmark = pytest.mark.django_db
S = Activity.Status


def test_minutes_written_in_place_are_sanitised(aw):
    activity = af.past(aw.branch_a1)
    material = services.material_add(
        user=aw.staff_a,
        activity=activity,
        kind="minutes",
        title="十月支部党员大会会议纪要",
        body='<p onclick="x()">到会12人</p><script>alert(1)</script><a href="javascript:x">链接</a>',
    )
    assert "script" not in material.body and "onclick" not in material.body
    assert "javascript" not in material.body and "到会12人" in material.body


def test_files_are_recognised_by_content_not_name(aw):
    activity = af.past(aw.branch_a1)
    pdf = services.material_add(
        user=aw.staff_a, activity=activity, kind="document", title="文件", upload=af.pdf_upload()
    )
    assert pdf.content_type == "application/pdf" and pdf.original_name == "学习资料.pdf"
    assert not pdf.file.name.endswith("学习资料.pdf")  # stored under a random name
    photo = services.material_add(
        user=aw.staff_a, activity=activity, kind="minutes", title="会议照片", upload=af.png_upload()
    )
    assert photo.content_type == "image/png"
    fake = SimpleUploadedFile(
        "通知.pdf", b"MZ\x90\x00 this is an exe", content_type="application/pdf"
    )
    with pytest.raises(ServiceError) as exc:
        services.material_add(
            user=aw.staff_a, activity=activity, kind="document", title="假文件", upload=fake
        )
    assert exc.value.field == "file"
    assert ActivityMaterial.objects.count() == 2


def test_a_material_needs_a_file_or_text_and_a_live_activity(aw):
    activity = af.past(aw.branch_a1)
    with pytest.raises(ServiceError) as exc:
        services.material_add(
            user=aw.staff_a, activity=activity, kind="minutes", title="空", body="<p> </p>"
        )
    assert exc.value.field == "file"
    cancelled = af.activity(aw.branch_a1, status=S.CANCELLED)
    with pytest.raises(StateConflict):
        services.material_add(
            user=aw.staff_a, activity=cancelled, kind="minutes", title="纪要", body="内容"
        )
    with pytest.raises(Http404):
        services.material_add(
            user=aw.staff_b, activity=activity, kind="minutes", title="纪要", body="内容"
        )


def test_materials_can_be_added_before_and_after_the_activity(aw):
    upcoming = af.activity(aw.branch_a1, starts_in=timedelta(days=2))
    held = af.past(aw.branch_a1)
    for activity in (upcoming, held):
        services.material_add(
            user=aw.staff_a, activity=activity, kind="study_material", title="学习材料", body="正文"
        )
    assert ActivityMaterial.objects.count() == 2


@pytest.fixture
def material(aw):
    activity = af.past(aw.branch_a1)
    return services.material_add(
        user=aw.staff_a,
        activity=activity,
        kind="document",
        title="文件精神",
        upload=af.pdf_upload(),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member_a", 200),
        ("member_a1b", 200),
        ("member_b", 404),
        ("member_hosted", 404),
        ("staff_a", 200),
        ("county_staff", 200),
        ("staff_b", 404),
        ("host_staff", 404),
    ],
)
def test_material_files_are_served_only_to_those_who_see_the_activity(aw, material, who, status):
    user = getattr(aw, who)
    user = getattr(user, "user", user)
    api = client_for(user).get(f"/api/activity-materials/{material.pk}/file/")
    assert api.status_code == status
    from django.test import Client

    page = Client()
    login_staff(page, user, backend=None)
    response = page.get(f"/activities/materials/{material.pk}/file/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_material_files_need_a_login(aw, material, client):
    assert client_for(None).get(f"/api/activity-materials/{material.pk}/file/").status_code == 401
    response = client.get(f"/activities/materials/{material.pk}/file/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_draft_activitys_materials_stay_with_staff(aw):
    draft = af.activity(aw.branch_a1, status=S.PLANNED)
    material = services.material_add(
        user=aw.staff_a,
        activity=draft,
        kind="study_material",
        title="预习材料",
        upload=af.pdf_upload(),
    )
    assert (
        client_for(aw.member_a.user).get(f"/api/activity-materials/{material.pk}/file/").status_code
        == 404
    )
    assert (
        client_for(aw.staff_a).get(f"/api/activity-materials/{material.pk}/file/").status_code
        == 200
    )


def test_staff_delete_materials_in_scope_only(aw, material):
    assert (
        client_for(aw.staff_b).delete(f"/api/activity-materials/{material.pk}/").status_code == 404
    )
    assert (
        client_for(aw.member_a.user).delete(f"/api/activity-materials/{material.pk}/").status_code
        == 403
    )
    assert (
        client_for(aw.staff_a).delete(f"/api/activity-materials/{material.pk}/").status_code == 204
    )
    assert not ActivityMaterial.objects.exists()

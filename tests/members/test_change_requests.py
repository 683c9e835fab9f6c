"""The change-request life: submit, withdraw, approve, reject, concurrent approve, scope."""

import io
import json
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from members.models import ChangeEvidence, ChangeRequest, Member, Notice
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def photo(name="hukou.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretPhone"
    Image.new("RGB", (600, 400), (250, 250, 240)).save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def submit(member, changes, reason="换了工作", files=None):
    client = client_for(member.user)
    if files:
        return client.post(
            "/api/me/change-requests/",
            {
                "changes": json.dumps(changes, ensure_ascii=False),
                "reason": reason,
                "evidence": files,
            },
            format="multipart",
        )
    return client.post(
        "/api/me/change-requests/", {"changes": changes, "reason": reason}, format="json"
    )


def test_a_member_asks_for_a_change_and_staff_in_scope_see_it_oldest_first(world):
    response = submit(world.member_a, {"employer": "比亚迪", "monthly_income": 6000})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    assert body["changes"]["employer"] == {"old": "", "new": "比亚迪"}
    queue = client_for(world.staff_a).get("/api/change-requests/?status=pending").json()
    assert [row["id"] for row in queue["results"]] == [body["id"]]
    assert queue["results"][0]["age_days"] == 0
    assert client_for(world.staff_b).get("/api/change-requests/").json()["results"] == []
    # The archive is unchanged until approval.
    assert Member.objects.get(pk=world.member_a.pk).employer == ""


def test_staff_are_notified_of_a_new_request(world):
    submit(world.member_a, {"employer": "比亚迪"})
    notice = Notice.objects.get(kind="change_request")
    assert notice.audience == "staff" and notice.audience_organization == world.committee_a


def test_approval_applies_the_change_with_history_and_tells_the_member(
    world, sms_outbox, django_capture_on_commit_callbacks
):
    created = submit(world.member_a, {"employer": "比亚迪", "monthly_income": 6000}).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.staff_a).post(
            f"/api/change-requests/{created['id']}/approve/", {"comment": "已核实"}, format="json"
        )
    assert response.status_code == 200 and response.json()["status"] == "approved"
    member = Member.objects.get(pk=world.member_a.pk)
    assert member.employer == "比亚迪" and member.monthly_income == 6000
    assert member.history.first().history_user == world.staff_a
    notice = Notice.objects.get(kind="review_outcome")
    assert notice.title == "您的档案修改申请已通过"
    assert [
        m["phone"] for m in sms_outbox.messages() if m["template"] == "notice_review_outcome"
    ] == [member.phone]


def test_rejection_needs_a_comment_and_changes_nothing(world):
    created = submit(world.member_a, {"employer": "比亚迪"}).json()
    staff = client_for(world.staff_a)
    assert (
        staff.post(f"/api/change-requests/{created['id']}/reject/", {}, format="json").status_code
        == 400
    )
    response = staff.post(
        f"/api/change-requests/{created['id']}/reject/",
        {"comment": "请上传劳动合同"},
        format="json",
    )
    assert response.json()["status"] == "rejected"
    assert Member.objects.get(pk=world.member_a.pk).employer == ""
    assert Notice.objects.get(kind="review_outcome").body == "请上传劳动合同"


def test_a_decided_request_gives_409(world):
    created = submit(world.member_a, {"employer": "比亚迪"}).json()
    staff = client_for(world.staff_a)
    assert staff.post(f"/api/change-requests/{created['id']}/approve/").status_code == 200
    assert staff.post(f"/api/change-requests/{created['id']}/approve/").status_code == 409
    assert (
        staff.post(
            f"/api/change-requests/{created['id']}/reject/", {"comment": "晚了"}, format="json"
        ).status_code
        == 409
    )
    assert (
        client_for(world.member_a.user)
        .post(f"/api/me/change-requests/{created['id']}/withdraw/")
        .status_code
        == 409
    )


def test_out_of_scope_staff_get_404_for_every_action(world):
    created = submit(world.member_a, {"employer": "比亚迪"}).json()
    other = client_for(world.staff_b)
    assert other.get(f"/api/change-requests/{created['id']}/").status_code == 404
    assert other.post(f"/api/change-requests/{created['id']}/approve/").status_code == 404
    assert (
        other.post(
            f"/api/change-requests/{created['id']}/reject/", {"comment": "越权"}, format="json"
        ).status_code
        == 404
    )
    assert ChangeRequest.objects.get(pk=created["id"]).status == "pending"
    assert (
        client_for(world.member_b.user)
        .post(f"/api/me/change-requests/{created['id']}/withdraw/")
        .status_code
        == 404
    )
    assert client_for(world.member_a.user).get("/api/change-requests/").status_code == 403


def test_one_open_request_at_a_time_and_withdrawal(world):
    first = submit(world.member_a, {"employer": "比亚迪"}).json()
    second = submit(world.member_a, {"employer": "华为"})
    assert second.status_code == 409
    assert (
        client_for(world.member_a.user)
        .post(f"/api/me/change-requests/{first['id']}/withdraw/")
        .json()["status"]
        == "withdrawn"
    )
    assert submit(world.member_a, {"employer": "华为"}).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organization": 1}, "organization"),
        ({"mindset_note": "自评很好"}, "mindset_note"),
        ({"status": "returned"}, "status"),
        ({"id_number": "61042219850315001X"}, "id_number"),
        ({"phone": "123"}, "phone"),
        ({}, "changes"),
    ],
)
def test_fields_a_member_may_not_change_or_bad_values_are_refused(world, changes, field):
    response = submit(world.member_a, changes)
    assert response.status_code == 400
    assert field in response.json()
    assert not ChangeRequest.objects.exists()


def test_an_unchanged_value_is_not_a_request(world):
    response = submit(world.member_a, {"name": world.member_a.name})
    assert response.status_code == 400 and "没有需要修改" in response.json()["changes"][0]


def test_a_name_change_needs_evidence_which_is_re_encoded(world):
    assert "evidence" in submit(world.member_a, {"name": "张三丰"}).json()
    response = submit(world.member_a, {"name": "张三丰"}, reason="户籍更名", files=[photo()])
    assert response.status_code == 201, response.json()
    evidence = ChangeEvidence.objects.get()
    stored = evidence.file.read()
    assert b"SecretPhone" not in stored and evidence.content_type == "image/jpeg"
    assert evidence.original_name == "hukou.jpg" and "hukou" not in evidence.file.name


def test_evidence_that_is_not_an_image_or_pdf_is_refused(world):
    bad = SimpleUploadedFile("合同.pdf", b"MZ\x90\x00not really", content_type="application/pdf")
    response = submit(world.member_a, {"name": "张三丰"}, reason="户籍更名", files=[bad])
    assert response.status_code == 400 and "依据只能是" in response.json()["evidence"][0]
    assert not ChangeRequest.objects.exists()


def test_evidence_is_served_only_to_the_member_and_staff_in_scope(world):
    created = submit(world.member_a, {"name": "张三丰"}, reason="户籍更名", files=[photo()]).json()
    url = created["evidence"][0]["url"]
    assert client_for(world.member_a.user).get(url).status_code == 200
    staff = client_for(world.staff_a).get(url)
    assert staff.status_code == 200 and staff["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.staff_b).get(url).status_code == 404
    assert client_for(world.member_b.user).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 401


def test_the_diff_shows_old_now_and_new(world):
    created = submit(world.member_a, {"employer": "比亚迪"}).json()
    from members.services.archive import member_update

    member_update(actor=world.staff_a, member=world.member_a, employer="富士康")
    diff = client_for(world.staff_a).get(f"/api/change-requests/{created['id']}/").json()["diff"]
    assert diff == [
        {
            "field": "employer",
            "label": "工作单位",
            "old": "（空）",
            "now": "富士康",
            "new": "比亚迪",
            "changed_since": True,
        }
    ]


@pytest.mark.django_db(transaction=True)
def test_two_staff_approving_at_once_apply_it_exactly_once():
    world = factories.build_world()
    created = submit(world.member_a, {"monthly_income": 7000}).json()
    results = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            results.append(
                client_for(user).post(f"/api/change-requests/{created['id']}/approve/").status_code
            )
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(user,))
        for user in (world.staff_a, world.county_staff)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [200, 409]
    member = Member.objects.get(pk=world.member_a.pk)
    # monthly_income is encrypted: compared in Python, not in SQL.
    assert [h.monthly_income for h in member.history.all()].count(7000) == 1
    assert Notice.objects.filter(kind="review_outcome").count() == 1

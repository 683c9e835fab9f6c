"""Uploaded files on local disk or S3, served after the permission check: streamed by Django,
or handed to nginx with X-Accel-Redirect (local alias, or a signed URL for the bucket)."""

import json
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from members.models import ChangeEvidence
from tests.conftest import client_for
from tests.forum import factories as forum_factories

pytestmark = pytest.mark.django_db


def submit_with_evidence(member):
    response = client_for(member.user).post(
        "/api/me/change-requests/",
        {
            "changes": json.dumps({"name": "张三丰"}, ensure_ascii=False),
            "reason": "户籍更名",
            "evidence": [forum_factories.photo("hukou.jpg", size=(120, 80))],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["evidence"][0]["url"], ChangeEvidence.objects.get()


def test_local_files_go_to_nginx_by_their_stored_name_after_the_permission_check(world, settings):
    settings.FILES_X_ACCEL_PREFIX = "/_protected/"
    url, evidence = submit_with_evidence(world.member_a)
    response = client_for(world.staff_a).get(url)
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{evidence.file.name}"
    assert response.content == b""
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == "inline; filename*=UTF-8''hukou.jpg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    denied = client_for(world.staff_b).get(url)
    assert denied.status_code == 404 and "X-Accel-Redirect" not in denied


def test_uploads_land_in_the_bucket_and_are_streamed_from_it_without_a_proxy(
    world, s3_storage, s3_server
):
    url, evidence = submit_with_evidence(world.member_a)
    stored = s3_server.objects(s3_storage)
    assert list(stored) == [evidence.file.name]
    assert stored[evidence.file.name][:3] == b"\xff\xd8\xff"  # re-encoded JPEG
    response = client_for(world.member_a.user).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == stored[evidence.file.name]
    assert client_for(world.member_b.user).get(url).status_code == 404


def test_files_in_the_bucket_go_to_nginx_as_a_short_lived_signed_url(
    world, settings, s3_storage, s3_server
):
    settings.FILES_X_ACCEL_PREFIX = "/_protected_s3"
    url, evidence = submit_with_evidence(world.member_a)
    response = client_for(world.staff_a).get(url)
    assert response.status_code == 200 and response.content == b""
    target = urlsplit(response["X-Accel-Redirect"])
    assert target.path == f"/_protected_s3/{s3_storage}/{evidence.file.name}"
    query = parse_qs(target.query)
    assert query["X-Amz-Expires"] == ["60"] and query["X-Amz-Signature"]
    assert response["Content-Disposition"] == "inline; filename*=UTF-8''hukou.jpg"
    # What nginx fetches: the same path and signature from the bucket's host.
    fetched = urllib.request.urlopen(
        s3_server.endpoint + target.path.removeprefix("/_protected_s3") + "?" + target.query,
        timeout=10,
    ).read()
    assert fetched == s3_server.objects(s3_storage)[evidence.file.name]
    assert client_for(world.member_b.user).get(url).status_code == 404


def test_a_file_missing_from_the_bucket_is_a_404_not_a_broken_stream(world, s3_storage):
    url, evidence = submit_with_evidence(world.member_a)
    default_storage.delete(evidence.file.name)
    assert client_for(world.member_a.user).get(url).status_code == 404


def test_the_s3_storage_keeps_names_and_never_overwrites(s3_storage):
    first = default_storage.save("private/x/a.txt", ContentFile(b"one"))
    second = default_storage.save("private/x/a.txt", ContentFile(b"two"))
    assert first == "private/x/a.txt" and second != first
    assert default_storage.open(first).read() == b"one"

"""Materials of an activity: minutes (会议纪要), study material, documents (文件精神).

Files are recognised by their content and re-encoded or checked (sanyuan.uploads); written
minutes are sanitised rich text. Materials may be added before, during or after the activity.
"""

from django.db import transaction

from members.models import User
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.sanitize import html_to_text, rich_text
from sanyuan.uploads import clean_document, clean_image, safe_filename

from .. import permissions
from ..models import Activity, ActivityMaterial

_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")
_DOCUMENT_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def _looks_like_image(head: bytes) -> bool:
    return head.startswith(_IMAGE_MAGIC) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP")


def material_file_clean(upload) -> tuple:
    """(ContentFile, content type) of a checked document or re-encoded photo."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if _looks_like_image(head):
        image = clean_image(upload, field="file")
        return image.content, f"image/{image.format}"
    if head.startswith(_DOCUMENT_MAGIC):
        document = clean_document(upload, field="file")
        return document.content, document.content_type
    raise ServiceError(
        "只支持PDF、Word、Excel、PowerPoint文件或JPG、PNG、WebP图片（按文件内容识别）。",
        field="file",
    )


@transaction.atomic
def material_add(
    *, user: User, activity: Activity, kind: str, title: str, body: str = "", upload=None
) -> ActivityMaterial:
    permissions.check_manage_activity_permission(user, activity)
    if activity.status == Activity.Status.CANCELLED:
        raise StateConflict("活动已取消，不能再添加资料。")
    if kind not in ActivityMaterial.Kind.values:
        raise ServiceError("资料类型无效。", field="kind")
    title = (title or "").strip()
    if not title:
        raise ServiceError("请填写资料标题。", field="title")
    if len(title) > 120:
        raise ServiceError("资料标题不能超过120个字。", field="title")
    body = rich_text(body or "")
    if not html_to_text(body).strip():
        body = ""
    if upload is None and not body:
        raise ServiceError("请上传文件或填写正文。", field="file")
    material = ActivityMaterial(
        activity=activity, kind=kind, title=title, body=body, uploaded_by=user
    )
    if upload is not None:
        content, content_type = material_file_clean(upload)
        material.original_name = safe_filename(getattr(upload, "name", ""), default=title)
        material.content_type = content_type
        material.size = content.size
        # Written before the row; if the transaction rolls back the file is orphaned, which
        # is harmless (files are only ever served through a material row).
        material.file.save(content.name, content, save=False)
    material.save()
    return material


@transaction.atomic
def material_delete(*, user: User, material: ActivityMaterial) -> None:
    permissions.check_manage_activity_permission(user, material.activity)
    storage, name = material.file.storage, material.file.name
    material.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))

"""Serving uploaded files only after a permission check.

Views check permission through their app's permissions.py, then return
`protected_file_response`. In production the proxy sends the bytes: Django answers with an
empty body and `X-Accel-Redirect` to an internal nginx location under
settings.FILES_X_ACCEL_PREFIX (deploy/nginx/sanyuan.conf):

- local files: `<prefix>/<stored name>`, a location that aliases MEDIA_ROOT;
- S3-compatible storage: `<prefix>/<path of a signed URL>?<its signature>`, a location that
  proxies to the bucket's host. The bucket stays private and nginx holds no credentials: the
  signature expires after S3_SIGNED_URL_SECONDS.

Without a prefix Django streams the file itself (development, tests, small sites).
"""

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse


def _is_local(field_file) -> bool:
    return isinstance(field_file.storage, FileSystemStorage)


def accel_redirect_target(field_file, prefix: str) -> str:
    """The internal URI nginx serves `field_file` from."""
    prefix = prefix.rstrip("/")
    if _is_local(field_file):
        return prefix + "/" + quote(field_file.name)
    signed = urlsplit(field_file.storage.url(field_file.name))
    return prefix + signed.path + (f"?{signed.query}" if signed.query else "")


def _open(field_file):
    if not _is_local(field_file) and not field_file.storage.exists(field_file.name):
        raise Http404
    try:
        return field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc


def protected_file_response(
    field_file,
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    cache_control: str = "private, max-age=3600",
):
    """`cache_control`: `no-store` for personal documents (evidence photos of ID cards)."""
    if not field_file:
        raise Http404
    disposition = "inline" if inline else "attachment"
    header = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    prefix = getattr(settings, "FILES_X_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_redirect_target(field_file, prefix)
    else:
        response = FileResponse(_open(field_file), content_type=content_type)
    response["Content-Disposition"] = header
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response

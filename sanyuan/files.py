"""Serving uploaded files only after a permission check.

Views check permission through their app's permissions.py, then return
`protected_file_response`. In production the proxy sends the bytes (X-Accel-Redirect to an
internal location, settings.FILES_X_ACCEL_PREFIX); otherwise Django streams them.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse


def protected_file_response(field_file, *, filename: str, content_type: str, inline: bool = False):
    if not field_file:
        raise Http404
    disposition = "inline" if inline else "attachment"
    header = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    prefix = getattr(settings, "FILES_X_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        try:
            handle = field_file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = header
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response

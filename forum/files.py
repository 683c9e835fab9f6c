"""Serving a post's photos; the caller checked permission (selectors.image_get)."""

from sanyuan.files import protected_file_response

IMAGE_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def image_response(image, *, thumb: bool):
    field = image.thumbnail if thumb else image.image
    extension = field.name.rsplit(".", 1)[-1].lower()
    return protected_file_response(
        field,
        filename=f"forum-{image.pk}{'-thumb' if thumb else ''}.{extension}",
        content_type=IMAGE_TYPES.get(extension, "application/octet-stream"),
        inline=True,
    )

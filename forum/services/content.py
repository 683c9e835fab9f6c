"""Checking what users send before anything is written: titles, bodies, photos."""

from dataclasses import dataclass

from django.conf import settings

from sanyuan.errors import ServiceError
from sanyuan.sanitize import clean_html, html_to_text, plain_text_to_html, strip_invisible
from sanyuan.uploads import CleanImage, clean_image, thumbnail

TITLE_MIN = 4
TITLE_MAX = 60
BODY_MAX_CHARS = 10_000
HTML_MAX_CHARS = 60_000
IMAGE_MAX_SIDE = 1600
THUMBNAIL_WIDTH = 480
BODY_FORMATS = ("text", "html")
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


@dataclass(frozen=True)
class CleanBody:
    html: str
    text: str


@dataclass(frozen=True)
class CleanPhoto:
    image: CleanImage
    thumbnail: CleanImage

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.image.format]


def title_clean(title: str) -> str:
    title = " ".join(strip_invisible(title or "").split())
    if len(title) < TITLE_MIN:
        raise ServiceError(f"标题至少{TITLE_MIN}个字。", field="title")
    if len(title) > TITLE_MAX:
        raise ServiceError(f"标题不能超过{TITLE_MAX}个字。", field="title")
    return title


def body_clean(body: str, body_format: str = "text", *, has_images: bool = False) -> CleanBody:
    """Plain text (escaped, links kept) or rich text (sanitised); never empty unless photos
    carry the post."""
    if body_format not in BODY_FORMATS:
        raise ServiceError("内容格式只能是 text 或 html。", field="body_format")
    body = body or ""
    if len(body) > (HTML_MAX_CHARS if body_format == "html" else BODY_MAX_CHARS):
        raise ServiceError(f"内容不能超过{BODY_MAX_CHARS}个字。", field="body")
    html = clean_html(body) if body_format == "html" else plain_text_to_html(body)
    text = html_to_text(html)
    if len(text) > BODY_MAX_CHARS:
        raise ServiceError(f"内容不能超过{BODY_MAX_CHARS}个字。", field="body")
    if not text and not has_images:
        raise ServiceError("请填写内容。", field="body")
    return CleanBody(html=html, text=text)


def photos_clean(images) -> list[CleanPhoto]:
    """Every photo decoded and re-encoded (EXIF and GPS dropped) before anything is saved."""
    images = [image for image in (images or []) if image]
    limit = settings.FORUM_MAX_IMAGES_PER_POST
    if len(images) > limit:
        raise ServiceError(f"每次最多上传{limit}张图片。", field="images")
    photos = []
    for uploaded in images:
        image = clean_image(uploaded, max_side=IMAGE_MAX_SIDE, field="images")
        small = thumbnail(image.content.file.getvalue(), THUMBNAIL_WIDTH)
        photos.append(CleanPhoto(image=image, thumbnail=small))
    return photos

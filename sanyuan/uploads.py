"""Checking and re-encoding uploaded files. Nothing a user uploads is stored as sent:

- images (JPEG, PNG, WebP) are decoded by Pillow within pixel and size limits, turned upright,
  and re-encoded without metadata (EXIF, GPS, comments), which also destroys polyglots;
- documents (PDF, Office) are recognised by their content, never by their name, and Office
  files with macros or encryption are refused; a PDF must parse (pypdf), have a page and carry
  no active content (JavaScript, actions run on opening, launched programs, embedded files,
  rich media, XFA forms);
- when a virus scanner is configured (CLAMD_ADDRESS), every document is scanned by clamd.

Stored names are random; the original name is kept separately for download.
"""

import io
import re
import uuid
import warnings
import zipfile
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ServiceError
from .virusscan import scan_upload

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000  # a 8000 × 5000 photo; anything bigger is a pixel flood
MAX_IMAGE_SIDE = 2560  # stored images are scaled down to this
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024

Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
# Between one and two times the limit Pillow only warns; treat that as the error it is.
warnings.simplefilter("error", Image.DecompressionBombWarning)


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int
    format: str  # "jpeg", "png" or "webp"


def _read_limited(uploaded, limit: int, what: str) -> bytes:
    size = getattr(uploaded, "size", None)
    if size is not None and size > limit:
        raise ServiceError(f"{what}不能超过{limit // (1024 * 1024)}MB。")
    uploaded.seek(0)
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(f"{what}不能超过{limit // (1024 * 1024)}MB。")
    if not data:
        raise ServiceError(f"{what}是空文件。")
    return data


def clean_image(
    uploaded, *, max_side: int = MAX_IMAGE_SIDE, field: str | None = None
) -> CleanImage:
    """Decode, check and re-encode an image; ServiceError with a Chinese message if it is
    not a JPEG, PNG or WebP image within the limits."""
    try:
        data = _read_limited(uploaded, MAX_IMAGE_BYTES, "图片")
        try:
            with Image.open(io.BytesIO(data)) as probe:
                kind = (probe.format or "").lower()
                if kind not in ("jpeg", "png", "webp"):
                    raise ServiceError("只支持JPG、PNG或WebP格式的图片。")
                width, height = probe.size
                if width * height > MAX_IMAGE_PIXELS or width < 1 or height < 1:
                    raise ServiceError("图片尺寸过大。")
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
                return _encode(image, kind)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ServiceError("图片尺寸过大。") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise ServiceError("图片无法识别或已损坏，请换一张。") from exc
    except ServiceError as exc:
        if field:
            exc.field = field
        raise


def _encode(image: Image.Image, kind: str) -> CleanImage:
    out = io.BytesIO()
    has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
    if kind == "png" or (kind == "webp" and has_alpha):
        image = image.convert("RGBA" if has_alpha else "RGB")
        fmt = "png" if kind == "png" else "webp"
        image.save(out, format=fmt.upper(), optimize=True)
    else:
        fmt = "jpeg" if kind == "jpeg" else "webp"
        image = image.convert("RGB")
        image.save(out, format=fmt.upper(), quality=85, optimize=True)
    name = f"{uuid.uuid4().hex}.{'jpg' if fmt == 'jpeg' else fmt}"
    return CleanImage(
        content=ContentFile(out.getvalue(), name=name),
        width=image.width,
        height=image.height,
        format=fmt,
    )


def thumbnail(image_bytes: bytes, width: int) -> CleanImage:
    """A smaller copy (width in px, aspect kept) of an image that clean_image produced."""
    with Image.open(io.BytesIO(image_bytes)) as image:
        image.load()
        kind = (image.format or "jpeg").lower()
        if image.width > width:
            image = image.resize(
                (width, max(1, round(image.height * width / image.width))), Image.Resampling.LANCZOS
            )
        return _encode(image, "jpeg" if kind == "jpeg" else kind)


# Documents --------------------------------------------------------------------------------

DOCUMENT_KINDS = {
    "pdf": ("application/pdf", "PDF"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "PowerPoint",
    ),
    "doc": ("application/msword", "Word 97-2003"),
    "xls": ("application/vnd.ms-excel", "Excel 97-2003"),
    "ppt": ("application/vnd.ms-powerpoint", "PowerPoint 97-2003"),
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class CleanDocument:
    content: ContentFile
    kind: str  # a key of DOCUMENT_KINDS
    content_type: str
    size: int


def _ooxml_kind(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(info.flag_bits & 0x1 for info in infos):
        raise ServiceError("不支持加密的Office文件。")
    if sum(info.file_size for info in infos) > MAX_ZIP_UNCOMPRESSED:
        raise ServiceError("文件解压后过大。")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ServiceError("不支持包含宏的Office文件。")
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if any(name.startswith("ppt/") for name in names):
        return "pptx"
    return None


def _ole_kind(data: bytes) -> str | None:
    if not data.startswith(_OLE_MAGIC):
        return None
    head = data[:200_000]
    if b"_\x00V\x00B\x00A\x00_\x00P\x00R\x00O\x00J\x00E\x00C\x00T" in head or b"Macros" in head:
        raise ServiceError("不支持包含宏的Office文件。")
    if "WordDocument".encode("utf-16-le") in head:
        return "doc"
    if "Workbook".encode("utf-16-le") in head or "Book".encode("utf-16-le") in head:
        return "xls"
    if "PowerPoint Document".encode("utf-16-le") in head:
        return "ppt"
    return None


PDF_MISMATCH = "文件内容与类型不符。"
# Names that make a PDF do something when opened (or carry another file inside).
PDF_ACTIVE_NAMES = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFile", "/RichMedia", "/XFA"}
)
PDF_MAX_OBJECTS = 200_000
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_PDF_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


def _raw_pdf_names(data: bytes) -> set[str]:
    """Names written in the file's bytes outside streams (whose binary content would match
    by chance; pypdf reads the object streams), `#xx` escapes decoded (`/J#61vaScript`)."""
    names = set()
    for match in _PDF_NAME.finditer(_PDF_STREAM.sub(b"", data)):
        name = _PDF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
        names.add(name.decode("latin-1"))
    return names


def _walk_pdf_names(reader) -> set[str]:
    """Every dictionary key and name reachable from the trailer (object streams included)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    names, seen, stack = set(), set(), [reader.trailer]
    while stack:
        if len(seen) > PDF_MAX_OBJECTS:
            raise ServiceError(PDF_MISMATCH)
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            names.update(str(k) for k in item)
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, NameObject):
            names.add(str(item))
    return names


def check_pdf(data: bytes) -> None:
    """ServiceError unless `data` parses as a PDF with at least one page and no active
    content; the message is the same for every cause."""
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed files warn a lot
    if PDF_ACTIVE_NAMES & _raw_pdf_names(data):
        raise ServiceError(PDF_MISMATCH)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted or len(reader.pages) < 1:
            raise ServiceError(PDF_MISMATCH)
        names = _walk_pdf_names(reader)
    except ServiceError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a hostile file
        raise ServiceError(PDF_MISMATCH) from exc
    if PDF_ACTIVE_NAMES & names:
        raise ServiceError(PDF_MISMATCH)


def clean_document(
    uploaded, *, allowed=tuple(DOCUMENT_KINDS), field: str | None = None
) -> CleanDocument:
    """Recognise a PDF or Office document by its content; ServiceError otherwise."""
    try:
        data = _read_limited(uploaded, MAX_DOCUMENT_BYTES, "文件")
        kind = None
        if data.startswith(b"%PDF-"):
            if b"%%EOF" not in data[-2048:]:
                raise ServiceError("PDF文件不完整或已损坏。")
            check_pdf(data)
            kind = "pdf"
        elif data.startswith(b"PK\x03\x04"):
            kind = _ooxml_kind(data)
        else:
            kind = _ole_kind(data)
        if kind is None or kind not in allowed:
            names = "、".join(DOCUMENT_KINDS[k][1] for k in allowed)
            raise ServiceError(f"只支持{names}文件（按文件内容识别，不看扩展名）。")
        scan_upload(data)
    except ServiceError as exc:
        if field:
            exc.field = field
        raise
    content_type = DOCUMENT_KINDS[kind][0]
    return CleanDocument(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}.{kind}"),
        kind=kind,
        content_type=content_type,
        size=len(data),
    )


def safe_filename(name: str, default: str = "附件") -> str:
    """A display name for downloads: no path, no control characters, at most 100 chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    return name.strip()[:100] or default

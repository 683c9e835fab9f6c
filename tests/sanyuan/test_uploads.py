import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from sanyuan.errors import ServiceError
from sanyuan.uploads import clean_document, clean_image, safe_filename, thumbnail


def jpeg_with_exif(size=(400, 300)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (34.0, 15.0, 0.0)}  # GPS latitude
    exif[0x0112] = 6  # orientation: rotate 90°
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def upload(data: bytes, name="photo.jpg"):
    return SimpleUploadedFile(name, data)


def test_images_are_re_encoded_upright_without_exif():
    cleaned = clean_image(upload(jpeg_with_exif()))
    data = cleaned.content.read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert image.size == (300, 400)  # orientation applied, then dropped
    assert b"PhoneMaker" not in data
    assert cleaned.content.name.endswith(".jpg") and "photo" not in cleaned.content.name


def test_a_pixel_flood_is_refused():
    image = Image.new("1", (10000, 10000))
    out = io.BytesIO()
    image.save(out, format="PNG")
    with pytest.raises(ServiceError, match="尺寸过大"):
        clean_image(upload(out.getvalue(), "flood.png"))


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "x.gif"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "x.png"),
        (b"MZ\x90\x00 this is an exe", "x.jpg"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "x.jpg"),
        (b"", "empty.jpg"),
    ],
)
def test_what_is_not_a_good_image_is_refused_in_chinese(data, name):
    with pytest.raises(ServiceError) as info:
        clean_image(upload(data, name), field="evidence")
    assert info.value.field == "evidence"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in info.value.message)


def test_a_jpeg_html_polyglot_comes_out_as_a_plain_image():
    data = jpeg_with_exif() + b"<html><script>alert(1)</script></html>"
    cleaned = clean_image(upload(data)).content.read()
    assert b"<script>" not in cleaned


def test_large_images_are_scaled_down_and_thumbnails_made():
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), (0, 0, 255)).save(out, format="PNG")
    cleaned = clean_image(upload(out.getvalue(), "big.png"))
    assert max(cleaned.width, cleaned.height) == 2560 and cleaned.format == "png"
    small = thumbnail(cleaned.content.read(), 320)
    assert small.width == 320


def minimal_pdf() -> bytes:
    from tests.factories import pdf_bytes

    return pdf_bytes()


def office(member_dirs, extra=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in member_dirs:
            archive.writestr(name, "<x/>")
        for name in extra:
            archive.writestr(name, "bin")
    return out.getvalue()


def test_documents_are_recognised_by_content_not_name():
    assert clean_document(upload(minimal_pdf(), "纪要.docx")).kind == "pdf"
    assert clean_document(upload(office(["word/document.xml"]), "a.pdf")).kind == "docx"
    assert clean_document(upload(office(["xl/workbook.xml"]), "a.bin")).kind == "xlsx"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 an exe renamed", "只支持"),
        (b"<html><body>not a pdf</body></html>", "只支持"),
        (office(["word/document.xml"], extra=["word/vbaProject.bin"]), "宏"),
        (b"%PDF-1.4 truncated", "不完整"),
    ],
)
def test_bad_documents_are_refused(data, message):
    with pytest.raises(ServiceError, match=message):
        clean_document(upload(data, "file.pdf"))


def test_only_allowed_kinds_pass():
    with pytest.raises(ServiceError, match="PDF"):
        clean_document(upload(office(["word/document.xml"]), "a.docx"), allowed=("pdf",))


def test_safe_filenames():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\a\\会议纪要.pdf") == "会议纪要.pdf"
    assert safe_filename("") == "附件"

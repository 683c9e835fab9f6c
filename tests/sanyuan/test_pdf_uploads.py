"""A PDF upload must parse (pypdf), have at least one page and carry no active content;
anything else is 400 文件内容与类型不符。 however it is dressed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from members.models import ChangeRequest
from sanyuan.errors import ServiceError
from sanyuan.uploads import clean_document
from tests import factories
from tests.conftest import client_for

MISMATCH = "文件内容与类型不符。"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def with_javascript() -> bytes:
    writer = blank_writer()
    script = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('x');"),
        }
    )
    # A page action run when the page opens.
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    return written(writer)


def with_open_action() -> bytes:
    writer = blank_writer()
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("http://x")}
    )
    writer._root_object[NameObject("/OpenAction")] = action
    return written(writer)


def with_attachment() -> bytes:
    writer = blank_writer()
    writer.add_attachment("a.exe", b"MZ\x90\x00")
    return written(writer)


def with_launch_hex_escaped() -> bytes:
    data = written(blank_writer())
    # An action dictionary written by hand, its name hex-escaped: /L#61unch is /Launch.
    return data.replace(b"%%EOF", b"9 0 obj<</S /L#61unch /F (cmd.exe)>>endobj\n%%EOF")


def html_under_a_pdf_header() -> bytes:
    return b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n"


def eicar_under_a_pdf_header() -> bytes:
    return b"%PDF-1.4\n" + EICAR + b"\n%%EOF\n"


def no_pages() -> bytes:
    return written(PdfWriter())


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("证明.pdf", data, content_type="application/pdf")


def test_a_real_pdf_with_a_page_is_accepted():
    assert clean_document(upload(factories.pdf_bytes())).kind == "pdf"


@pytest.mark.parametrize(
    "make",
    [
        with_javascript,
        with_open_action,
        with_attachment,
        with_launch_hex_escaped,
        html_under_a_pdf_header,
        eicar_under_a_pdf_header,
        no_pages,
    ],
)
def test_a_pdf_that_does_not_parse_has_no_page_or_carries_active_content_is_refused(make):
    with pytest.raises(ServiceError) as refused:
        clean_document(upload(make()))
    assert refused.value.message == MISMATCH


@pytest.mark.django_db
def test_the_api_answers_400_with_the_chinese_message_and_stores_nothing(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    response = client_for(world.member_a.user).post(
        "/api/me/change-requests/",
        {
            "changes": '{"name": "张三丰"}',
            "reason": "户籍更名",
            "evidence": [upload(html_under_a_pdf_header())],
        },
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["evidence"] == [MISMATCH]
    assert not ChangeRequest.objects.exists()

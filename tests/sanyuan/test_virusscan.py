"""Uploaded documents through a real clamd (Debian's clamav-daemon) on a free TCP port, with a
signature for the EICAR test file made by `sigtool --md5` in a temporary database directory
(freshclam cannot reach its mirror here). No fake: clamd's INSTREAM protocol itself."""

import io
import shutil
import subprocess
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanyuan import virusscan
from sanyuan.errors import ServiceError
from sanyuan.uploads import clean_document
from tests import factories
from tests.conftest import free_port

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
pytestmark = pytest.mark.skipif(
    shutil.which("sigtool") is None, reason="needs Debian's clamav-daemon (.ci/run installs it)"
)
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="module")
def clamd(tmp_path_factory):
    """clamd --foreground on a free port; its address."""
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    (root / "eicar.txt").write_bytes(EICAR)
    signature = subprocess.run(
        ["sigtool", "--md5", str(root / "eicar.txt")], capture_output=True, check=True, timeout=30
    )
    (root / "db" / "eicar.hdb").write_bytes(signature.stdout)
    port = free_port()
    (root / "clamd.conf").write_text(
        f"Foreground yes\nDatabaseDirectory {root / 'db'}\nTCPSocket {port}\n"
        f"TCPAddr 127.0.0.1\nLogFile {root / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [CLAMD, f"--config-file={root / 'clamd.conf'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                virusscan.clamd_scan(b"ping", address=address, timeout=2)
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((root / "clamd.log").read_text(errors="replace")) from None
                time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        process.wait(timeout=15)


def docx_with(extra: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in extra.items():
            archive.writestr(name, data)
    return out.getvalue()


def upload(data: bytes, name="材料.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_clamd_finds_the_test_signature_through_instream(clamd):
    assert virusscan.clamd_scan(EICAR, address=clamd, timeout=10) == "eicar.txt.UNOFFICIAL"
    assert virusscan.clamd_scan(factories.pdf_bytes(), address=clamd, timeout=10) is None
    big = b"x" * (3 * virusscan.CHUNK + 5)  # several chunks
    assert virusscan.clamd_scan(big, address=clamd, timeout=10) is None


def test_an_infected_document_is_refused_and_a_clean_one_kept(clamd, settings):
    settings.CLAMD_ADDRESS = clamd
    with pytest.raises(ServiceError) as refused:
        clean_document(upload(docx_with({"word/media/eicar.txt": EICAR})))
    assert refused.value.message == "文件未通过病毒扫描，已拒绝。"
    assert clean_document(upload(docx_with({}))).kind == "docx"
    assert clean_document(upload(factories.pdf_bytes(), "a.pdf")).kind == "pdf"


def test_without_clamd_address_nothing_is_scanned(settings):
    settings.CLAMD_ADDRESS = ""
    assert clean_document(upload(docx_with({"word/media/eicar.txt": EICAR}))).kind == "docx"


def test_a_configured_scanner_that_does_not_answer_refuses_the_upload(settings):
    settings.CLAMD_ADDRESS = f"127.0.0.1:{free_port()}"
    settings.CLAMD_TIMEOUT_SECONDS = 2
    with pytest.raises(virusscan.ScannerUnavailable) as refused:
        clean_document(upload(docx_with({})))
    assert refused.value.status_code == 503
    assert "病毒扫描暂时不可用" in refused.value.message

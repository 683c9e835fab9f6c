"""A virus scanner for uploaded documents: clamd's INSTREAM command, when CLAMD_ADDRESS is
set (`host:port`, or the path of clamd's local socket). The bytes are streamed in chunks; an
infected file is refused. When a scanner is configured but does not answer, uploads are
refused too (fail closed): a file that was never scanned is not kept."""

import socket
import struct

from django.conf import settings

from .errors import ServiceError

INFECTED = "文件未通过病毒扫描，已拒绝。"
UNAVAILABLE = "病毒扫描暂时不可用，请稍后再上传。"
CHUNK = 64 * 1024


class ScannerUnavailable(ServiceError):
    status_code = 503

    def __init__(self):
        super().__init__(UNAVAILABLE, code="scanner_unavailable")


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def clamd_scan(data: bytes, *, address: str, timeout: float) -> str | None:
    """The signature clamd found in `data`, or None when it is clean. OSError or
    ScannerUnavailable when clamd cannot be asked or answers with an error."""
    with _connect(address, timeout) as sock:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(data), CHUNK):
            chunk = data[start : start + CHUNK]
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        sock.sendall(struct.pack(">I", 0))
        answer = b""
        while not answer.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            answer += part
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" FOUND"):
        return text.removeprefix("stream:").removesuffix(" FOUND").strip()
    if text.endswith(" OK"):
        return None
    raise ScannerUnavailable  # "INSTREAM size limit exceeded. ERROR" and the like


def scan_upload(data: bytes) -> None:
    """ServiceError when the configured scanner finds something or cannot be asked."""
    address = settings.CLAMD_ADDRESS
    if not address:
        return
    try:
        found = clamd_scan(data, address=address, timeout=settings.CLAMD_TIMEOUT_SECONDS)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable from exc
    if found is not None:
        import logging

        logging.getLogger(__name__).warning("upload refused: clamd found %s", found)
        raise ServiceError(INFECTED, code="infected")

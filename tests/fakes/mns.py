"""Signs pushes the way Alibaba Cloud MNS does for an HTTP subscription (RSA-SHA1 over
VERB, Content-MD5, Content-Type, Date, the x-mns-* headers and the path), and serves the
signing certificate over HTTP, so that sanyuan.sms.inbound.verify_mns_push can be tested
against a real certificate download."""

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from .server import FakeServer

CERT_PATH = "/x509_public_certificate.pem"


class FakeMnsSigner(FakeServer):
    def __init__(self):
        super().__init__()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mns-test")])
        now = datetime.now(UTC)
        self.certificate_pem = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=30))
            .sign(self.key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
        )

    @property
    def cert_url_prefix(self) -> str:
        return f"http://{self.endpoint}/"

    def handle(self, request):
        if request.path == CERT_PATH:
            return 200, {"Content-Type": "application/x-pem-file"}, self.certificate_pem
        return 404, {}, b""

    def push_headers(self, body: bytes, *, path="/notifications", date=None, key=None) -> dict:
        """The headers MNS sends with a push of `body` to `path`."""
        md5 = base64.b64encode(
            hashlib.md5(body, usedforsecurity=False).hexdigest().encode()
        ).decode()
        headers = {
            "Content-Type": "text/plain;charset=utf-8",
            "Content-MD5": md5,
            "Date": format_datetime(date or datetime.now(UTC), usegmt=True),
            "x-mns-request-id": "57458276F0E3D56D7C00" + "ABCD",
            "x-mns-signing-cert-url": base64.b64encode(
                (self.cert_url_prefix + CERT_PATH[1:]).encode()
            ).decode(),
            "x-mns-version": "2015-06-06",
        }
        mns = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers) if k.startswith("x-mns-"))
        to_sign = "\n".join(["POST", md5, headers["Content-Type"], headers["Date"], mns + path])
        signature = (key or self.key).sign(to_sign.encode(), padding.PKCS1v15(), hashes.SHA1())
        headers["Authorization"] = base64.b64encode(signature).decode()
        return headers

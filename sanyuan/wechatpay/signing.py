"""The cryptography of WeChat Pay API v3, exactly as documented.

- Request signature (签名生成, https://pay.weixin.qq.com/wiki/doc/apiv3/wechatpay/wechatpay4_0.shtml
  and https://wechatpay-api.gitbook.io/wechatpay-api-v3/qian-ming-zhi-nan-1/qian-ming-sheng-cheng):
  SHA256withRSA (PKCS#1 v1.5) with the merchant API private key over
  `METHOD\\nCANONICAL_URL\\nTIMESTAMP\\nNONCE\\nBODY\\n`, sent as
  `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",
  timestamp="…",serial_no="…"`.
- Response and callback signature (签名验证): `TIMESTAMP\\nNONCE\\nBODY\\n` (an empty body,
  as in a 204, leaves just the final `\\n`) from the
  `Wechatpay-Timestamp`, `Wechatpay-Nonce` headers and the raw body, checked against the
  platform certificate named by `Wechatpay-Serial`, or the WeChat Pay public key when the
  serial is its id (`PUB_KEY_ID_…`); a timestamp five minutes or more away is refused
  (the official SDKs' rule, e.g. wechatpay-go core/auth/validators).
- Client payment parameters (JSAPI 调起支付 / 小程序 wx.requestPayment): paySign is the same
  SHA256withRSA over `appId\\ntimeStamp\\nnonceStr\\npackage\\n`.
- Callback resource (回调报文解密): AEAD_AES_256_GCM with the 32-byte APIv3 key, the nonce
  and associated_data as given, the ciphertext base64 (tag appended).
"""

import base64
import binascii
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError, SignatureError, StaleTimestampError, UnknownSerialError

AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048"
PUBLIC_KEY_ID_PREFIX = "PUB_KEY_ID_"
TIMESTAMP_TOLERANCE_SECONDS = 300
_NONCE_ALPHABET = string.ascii_letters + string.digits


def new_nonce(length: int = 32) -> str:
    """A random string of letters and digits (the SDKs use 32)."""
    return "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(length))


def canonical_url(url: str) -> str:
    """The path and query of a URL as signed: `/v3/…?a=b`, no scheme or host."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def request_message(method: str, url: str, timestamp: int, nonce: str, body: str) -> str:
    return f"{method.upper()}\n{canonical_url(url)}\n{timestamp}\n{nonce}\n{body}\n"


def sign(private_key: rsa.RSAPrivateKey, message: str | bytes) -> str:
    """Base64 SHA256withRSA (PKCS#1 v1.5) signature of a UTF-8 message."""
    data = message.encode() if isinstance(message, str) else message
    return base64.b64encode(private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())).decode()


def authorization_header(
    *,
    mchid: str,
    serial_no: str,
    private_key: rsa.RSAPrivateKey,
    method: str,
    url: str,
    body: str,
    timestamp: int,
    nonce: str,
) -> str:
    signature = sign(private_key, request_message(method, url, timestamp, nonce, body))
    return (
        f'{AUTH_SCHEME} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{serial_no}"'
    )


def pay_sign(
    private_key: rsa.RSAPrivateKey, *, appid: str, timestamp: str, nonce: str, package: str
) -> str:
    return sign(private_key, f"{appid}\n{timestamp}\n{nonce}\n{package}\n")


def certificate_serial(certificate: x509.Certificate) -> str:
    """The serial as WeChat Pay writes it: upper-case hex."""
    return f"{certificate.serial_number:X}"


def _normalise_serial(serial: str) -> str:
    serial = serial.strip()
    if serial.startswith(PUBLIC_KEY_ID_PREFIX):
        return serial
    return serial.upper().lstrip("0")


def header(headers: Mapping, name: str) -> str:
    """A header from a dict, Django's request.headers or an http.client message, whatever
    the case of its name."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return (value or "").strip()


@dataclass
class Verifier:
    """The keys that may sign what comes from WeChat Pay for one merchant: its platform
    certificates (by serial) and/or its WeChat Pay public key (by `PUB_KEY_ID_…`)."""

    keys: dict[str, rsa.RSAPublicKey] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        certificates=(),
        public_key: rsa.RSAPublicKey | None = None,
        public_key_id: str = "",
    ) -> "Verifier":
        keys = {_normalise_serial(certificate_serial(c)): c.public_key() for c in certificates}
        if public_key is not None:
            if not public_key_id.startswith(PUBLIC_KEY_ID_PREFIX):
                raise ValueError(f"a WeChat Pay public key id starts with {PUBLIC_KEY_ID_PREFIX}")
            keys[public_key_id] = public_key
        return cls(keys=keys)

    def knows(self, serial: str) -> bool:
        return _normalise_serial(serial) in self.keys

    def verify(self, headers: Mapping, body: bytes, *, now: float) -> str:
        """Check a response's or a callback's signature; returns the serial that signed.

        Raises SignatureError (or its subclasses UnknownSerialError, StaleTimestampError);
        never returns on a failure."""
        serial = header(headers, "Wechatpay-Serial")
        signature = header(headers, "Wechatpay-Signature")
        timestamp = header(headers, "Wechatpay-Timestamp")
        nonce = header(headers, "Wechatpay-Nonce")
        if not (serial and signature and timestamp and nonce):
            raise SignatureError("Wechatpay-Serial/Signature/Timestamp/Nonce header missing")
        key = self.keys.get(_normalise_serial(serial))
        if key is None:
            raise UnknownSerialError(f"no platform certificate or public key {serial!r}")
        if not timestamp.isdigit():
            raise SignatureError(f"Wechatpay-Timestamp {timestamp!r} is not a number")
        if abs(now - int(timestamp)) >= TIMESTAMP_TOLERANCE_SECONDS:
            raise StaleTimestampError(f"Wechatpay-Timestamp {timestamp} is too far from now")
        message = f"{timestamp}\n{nonce}\n".encode() + body + b"\n"
        try:
            raw = base64.b64decode(signature, validate=True)
            key.verify(raw, message, padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, binascii.Error, ValueError) as exc:
            raise SignatureError("Wechatpay-Signature does not verify") from exc
        return serial


def decrypt_resource(
    apiv3_key: bytes, *, ciphertext: str, nonce: str, associated_data: str = ""
) -> bytes:
    """Open an AEAD_AES_256_GCM callback resource; DecryptionError when it does not."""
    if len(apiv3_key) != 32:
        raise DecryptionError("the APIv3 key must be 32 bytes")
    try:
        data = base64.b64decode(ciphertext, validate=True)
        return AESGCM(apiv3_key).decrypt(
            nonce.encode(), data, associated_data.encode() if associated_data else None
        )
    except (InvalidTag, binascii.Error, ValueError) as exc:
        raise DecryptionError("the callback resource does not decrypt with the APIv3 key") from exc

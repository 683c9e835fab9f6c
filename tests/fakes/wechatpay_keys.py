"""Keys and certificates for WeChat Pay tests, generated at test time (never committed),
and the fake's own signing/encryption, written from the v3 documentation with
`cryptography` alone so that a mistake in sanyuan.wechatpay cannot hide in a shared helper.
"""

import base64
import datetime
import os
import secrets
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID


def rsa_key() -> rsa.RSAPrivateKey:
    """A fresh RSA 2048 key (the size WeChat Pay uses for every key it issues)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@lru_cache(maxsize=8)
def shared_rsa_key(name: str) -> rsa.RSAPrivateKey:
    """One key per name for the whole test process (RSA generation takes ~0.1 s)."""
    return rsa_key()


def self_signed_certificate(
    key: rsa.RSAPrivateKey, *, common_name: str = "Tenpay.com", serial: int | None = None
) -> x509.Certificate:
    """A self-signed certificate like WeChat Pay's platform certificate (CN Tenpay.com)."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Tenpay.com"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial or int.from_bytes(os.urandom(20), "big") >> 1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=5 * 365))
        .sign(key, hashes.SHA256())
    )


def certificate_serial_hex(certificate: x509.Certificate) -> str:
    return f"{certificate.serial_number:X}"


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def sha256_rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode()


def sha256_rsa_verifies(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature), message, padding.PKCS1v15(), hashes.SHA256())
    except Exception:  # any failure (bad base64, wrong key) is "does not verify"
        return False
    return True


def aes_gcm_encrypt(apiv3_key: bytes, plaintext: bytes, associated_data: str) -> dict:
    """A callback `resource` as WeChat Pay builds it: 12-character nonce, base64 of
    ciphertext with the 16-byte tag appended."""
    nonce = secrets.token_hex(6)
    sealed = AESGCM(apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())
    return {
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(sealed).decode(),
        "nonce": nonce,
        "associated_data": associated_data,
    }


def apiv3_key() -> bytes:
    """A 32-character APIv3 key as merchants set it (letters and digits)."""
    return secrets.token_hex(16).encode()

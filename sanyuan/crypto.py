"""Encryption of personal data at rest and keyed hashes for looking it up.

Why not django-fernet-encrypted-fields: it derives its keys from SECRET_KEY and, given a wrong
key, silently returns the ciphertext as if it were the value. Here the keys are their own
settings (PII_ENCRYPTION_KEYS, first one encrypts, all decrypt, so keys can be rotated with
MultiFernet) and a value that no key opens raises, so a restore without the right keys fails
loudly.
"""

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


class DecryptionError(RuntimeError):
    pass


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.PII_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError(
            "Personal data cannot be decrypted with PII_ENCRYPTION_KEYS: wrong or missing key."
        ) from exc


def reencrypt(token: str) -> str:
    """The same plaintext under the current (first) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("Cannot re-encrypt: no configured key opens the value.") from exc


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of `value` under PII_HASH_KEY, separated by purpose; hex, 64 chars."""
    message = f"{purpose}\x00{value}".encode()
    return hmac.new(settings.PII_HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as a Fernet token. Cannot be filtered or indexed: keep a keyed
    hash beside it for lookups. Empty values are stored as ''."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return encrypt(value)

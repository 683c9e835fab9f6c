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


class EncryptedCharField(EncryptedTextField):
    """An encrypted short value (a phone number): a text column, a one-line form field."""

    def formfield(self, **kwargs):
        from django import forms

        return super().formfield(**{"widget": forms.TextInput, **kwargs})


class EncryptedIntegerField(EncryptedTextField):
    """A whole number stored as a Fernet token (a member's income): NULL when unknown. Cannot
    be compared or summed in SQL: keep a derived column (a band) for counting."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return None
        return int(decrypt(value))

    def to_python(self, value):
        if value is None or value == "":
            return None
        return int(value)

    def get_prep_value(self, value):
        value = self.to_python(value)
        if value is None:
            return None
        return encrypt(str(value))

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs):
        from django import forms

        return models.Field.formfield(
            self, **{"form_class": forms.IntegerField, "min_value": 0, **kwargs}
        )


class KeyedHashField(models.CharField):
    """The keyed hash of another field of the same row ('' when that is empty), for exact
    lookups of an encrypted value. Computed whenever the ORM writes the row (save,
    bulk_create, and so django-simple-history's copies); a partial save or bulk_update names
    it beside its source (Member.save does it for update_fields)."""

    def __init__(self, *args, source: str, purpose: str, **kwargs):
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        return name, path, args, {**kwargs, "source": self.source, "purpose": self.purpose}

    def derive(self, instance) -> str:
        value = getattr(instance, self.source)
        return keyed_hash(str(value), purpose=self.purpose) if value else ""

    def pre_save(self, model_instance, add):
        value = self.derive(model_instance)
        setattr(model_instance, self.attname, value)
        return value

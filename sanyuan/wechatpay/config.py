"""Merchants: which WeChat Pay merchant collects for which organisation subtree.

`settings.WECHATPAY_MERCHANTS` is a list of objects (the environment variable holds it as
JSON; see the README):

    {"mchid": "1900000001",
     "appids": ["wx…public account", "wx…mini-program"],   # bound to the merchant
     "serial_no": "…",                   # serial of the merchant API certificate
     "private_key_path": "/…/apiclient_key.pem",
     "apiv3_key": "…32 characters…",
     "platform_certificate_paths": ["/…/wechatpay_….pem"],   # and/or
     "public_key_id": "PUB_KEY_ID_…", "public_key_path": "/…/pub_key.pem",
     "organizations": ["610422"]}        # codes of the organisations whose subtrees it serves

A merchant serves the subtrees of the organisations it lists; an organisation is served by
the merchant listed on its nearest ancestor (itself included). `merchant_for_organization`
answers that from the organisation's lineage of codes, without the database, so the dues
app calls it with `[ancestor.code for ancestor in lineage]`.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key
from django.conf import settings

from .errors import ConfigurationError, MerchantNotConfigured
from .signing import Verifier


@dataclass(frozen=True)
class Merchant:
    """One WeChat Pay merchant with its loaded keys. Tests build it directly."""

    mchid: str
    appids: tuple[str, ...]
    serial_no: str
    private_key: rsa.RSAPrivateKey = field(repr=False)
    apiv3_key: bytes = field(repr=False)
    verifier: Verifier = field(repr=False)
    organizations: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self):
        if len(self.apiv3_key) != 32:
            raise ConfigurationError(f"merchant {self.mchid}: the APIv3 key must be 32 bytes")
        if not self.verifier.keys:
            raise ConfigurationError(
                f"merchant {self.mchid}: give platform certificates or a WeChat Pay public key"
            )


def _read(path: str, what: str, mchid: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"merchant {mchid}: cannot read {what} {path}: {exc}") from exc


def _private_key(path: str, mchid: str) -> rsa.RSAPrivateKey:
    try:
        key = load_pem_private_key(_read(path, "private key", mchid), password=None)
    except ValueError as exc:
        raise ConfigurationError(f"merchant {mchid}: {path} is not a PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ConfigurationError(f"merchant {mchid}: {path} is not an RSA key")
    return key


def _certificate(path: str, mchid: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(_read(path, "platform certificate", mchid))
    except ValueError as exc:
        raise ConfigurationError(f"merchant {mchid}: {path} is not a PEM certificate") from exc


def _public_key(path: str, mchid: str) -> rsa.RSAPublicKey:
    try:
        key = load_pem_public_key(_read(path, "WeChat Pay public key", mchid))
    except ValueError as exc:
        raise ConfigurationError(f"merchant {mchid}: {path} is not a PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationError(f"merchant {mchid}: {path} is not an RSA public key")
    return key


def _verifier(entry: dict, mchid: str) -> Verifier:
    certificates = [_certificate(p, mchid) for p in entry.get("platform_certificate_paths", [])]
    public_key = None
    public_key_id = str(entry.get("public_key_id", ""))
    if entry.get("public_key_path"):
        public_key = _public_key(entry["public_key_path"], mchid)
    elif public_key_id:
        raise ConfigurationError(f"merchant {mchid}: public_key_id without public_key_path")
    try:
        return Verifier.build(
            certificates=certificates, public_key=public_key, public_key_id=public_key_id
        )
    except ValueError as exc:
        raise ConfigurationError(f"merchant {mchid}: {exc}") from exc


def merchant_from_config(entry: dict) -> Merchant:
    """Load one `WECHATPAY_MERCHANTS` entry (reads the key files)."""
    mchid = str(entry.get("mchid", "")).strip()
    if not mchid:
        raise ConfigurationError("a WECHATPAY_MERCHANTS entry has no mchid")
    appids = entry.get("appids") or ([entry["appid"]] if entry.get("appid") else [])
    for key in ("serial_no", "private_key_path", "apiv3_key"):
        if not entry.get(key):
            raise ConfigurationError(f"merchant {mchid}: {key} is missing")
    return Merchant(
        mchid=mchid,
        appids=tuple(str(a) for a in appids),
        serial_no=str(entry["serial_no"]).strip(),
        private_key=_private_key(entry["private_key_path"], mchid),
        apiv3_key=str(entry["apiv3_key"]).encode(),
        verifier=_verifier(entry, mchid),
        organizations=tuple(str(c) for c in entry.get("organizations", [])),
        name=str(entry.get("name", "")),
    )


_cache: dict[str, tuple[Merchant, ...]] = {}


def load_merchants(entries: Sequence[dict] | None = None) -> tuple[Merchant, ...]:
    """The configured merchants (settings.WECHATPAY_MERCHANTS unless `entries` is given),
    loaded once per distinct configuration. Raises ConfigurationError on a bad entry or
    when two merchants claim the same organisation or mchid."""
    entries = settings.WECHATPAY_MERCHANTS if entries is None else entries
    cache_key = json.dumps(entries, sort_keys=True, default=str)
    if cache_key not in _cache:
        merchants = tuple(merchant_from_config(dict(entry)) for entry in entries)
        _check_unique(merchants)
        _cache[cache_key] = merchants
    return _cache[cache_key]


def _check_unique(merchants: Sequence[Merchant]) -> None:
    seen_mchids: set[str] = set()
    owners: dict[str, str] = {}
    for merchant in merchants:
        if merchant.mchid in seen_mchids:
            raise ConfigurationError(f"merchant {merchant.mchid} is configured twice")
        seen_mchids.add(merchant.mchid)
        for code in merchant.organizations:
            if code in owners:
                raise ConfigurationError(
                    f"organisation {code} is claimed by merchants {owners[code]} and "
                    f"{merchant.mchid}"
                )
            owners[code] = merchant.mchid


def merchant_for_organization(
    lineage_codes: Sequence[str], merchants: Sequence[Merchant] | None = None
) -> Merchant:
    """The merchant that collects for an organisation.

    `lineage_codes` are the codes of the organisation's ancestors and of itself, root
    first (e.g. county, committee, branch). The deepest organisation that a merchant lists
    decides. Raises MerchantNotConfigured when none does."""
    merchants = load_merchants() if merchants is None else merchants
    owner = {code: m for m in merchants for code in m.organizations}
    for code in reversed(list(lineage_codes)):
        if code in owner:
            return owner[code]
    raise MerchantNotConfigured(f"no WeChat Pay merchant serves organisation {lineage_codes!r}")


def merchant_by_mchid(mchid: str, merchants: Sequence[Merchant] | None = None) -> Merchant:
    merchants = load_merchants() if merchants is None else merchants
    for merchant in merchants:
        if merchant.mchid == mchid:
            return merchant
    raise MerchantNotConfigured(f"WeChat Pay merchant {mchid!r} is not configured")

"""WECHATPAY_MERCHANTS: key files, the subtree lookup, start-up checks, the environment."""

import json
import subprocess
import sys

import pytest
from django.core.checks import Error, Warning

from sanyuan.wechatpay import (
    ConfigurationError,
    MerchantNotConfigured,
    client_for_mchid,
    client_for_organization,
    load_merchants,
    merchant_by_mchid,
    merchant_for_organization,
    merchant_from_config,
    parse_notification,
)
from sanyuan.wechatpay.checks import wechatpay_merchants_check
from tests.fakes.wechatpay import FakeWechatPay
from tests.fakes.wechatpay_keys import (
    certificate_pem,
    certificate_serial_hex,
    private_pem,
    public_pem,
    self_signed_certificate,
)
from tests.sanyuan.test_settings import ROOT, production_env


@pytest.fixture
def key_files(tmp_path, merchant_key, platform_key):
    """The files an operator downloads: merchant key, platform certificate, public key."""
    paths = {
        "private": tmp_path / "apiclient_key.pem",
        "certificate": tmp_path / "wechatpay_platform.pem",
        "public": tmp_path / "pub_key.pem",
    }
    paths["private"].write_bytes(private_pem(merchant_key))
    certificate = self_signed_certificate(platform_key)
    paths["certificate"].write_bytes(certificate_pem(certificate))
    paths["public"].write_bytes(public_pem(platform_key.public_key()))
    paths["serial"] = certificate_serial_hex(certificate)
    return paths


def entry(key_files, **changes):
    config = {
        "mchid": "1900000001",
        "appids": ["wxd678efh567hg6787", "wx8888888888888888"],
        "serial_no": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1",
        "private_key_path": str(key_files["private"]),
        "apiv3_key": "0123456789abcdef0123456789abcdef",
        "platform_certificate_paths": [str(key_files["certificate"])],
        "organizations": ["610422"],
    }
    config.update(changes)
    return {k: v for k, v in config.items() if v is not None}


def test_a_merchant_with_a_platform_certificate_loads(key_files, merchant_key):
    merchant = merchant_from_config(entry(key_files))

    assert merchant.mchid == "1900000001" and merchant.organizations == ("610422",)
    assert (
        merchant.verifier.knows(key_files["serial"])
        and merchant.apiv3_key == b"0123456789abcdef0123456789abcdef"
    )
    assert merchant.private_key.private_numbers() == merchant_key.private_numbers()


def test_a_merchant_with_the_wechatpay_public_key_loads(key_files):
    merchant = merchant_from_config(
        entry(
            key_files,
            platform_certificate_paths=None,
            public_key_id="PUB_KEY_ID_0114232134912410000000000000",
            public_key_path=str(key_files["public"]),
        )
    )

    assert merchant.verifier.knows("PUB_KEY_ID_0114232134912410000000000000")
    assert not merchant.verifier.knows(key_files["serial"])


def test_a_single_appid_is_accepted(key_files):
    merchant = merchant_from_config(entry(key_files, appids=None, appid="wxd678efh567hg6787"))

    assert merchant.appids == ("wxd678efh567hg6787",)


@pytest.mark.parametrize(
    "changes",
    [
        {"mchid": None},
        {"serial_no": None},
        {"apiv3_key": "too-short"},
        {"private_key_path": "/nonexistent/apiclient_key.pem"},
        {"platform_certificate_paths": None},  # nothing to verify answers with
        {"platform_certificate_paths": ["/nonexistent/cert.pem"]},
        {"public_key_id": "PUB_KEY_ID_01"},  # an id without the key
        {"public_key_id": "01", "public_key_path": "PUBLIC"},  # not a public key id
    ],
)
def test_a_broken_merchant_entry_is_a_configuration_error(key_files, changes):
    if changes.get("public_key_path") == "PUBLIC":
        changes["public_key_path"] = str(key_files["public"])

    with pytest.raises(ConfigurationError):
        merchant_from_config(entry(key_files, **changes))


def test_a_file_that_is_not_a_key_is_a_configuration_error(key_files):
    with pytest.raises(ConfigurationError):
        merchant_from_config(entry(key_files, private_key_path=str(key_files["certificate"])))
    with pytest.raises(ConfigurationError):
        merchant_from_config(
            entry(key_files, platform_certificate_paths=[str(key_files["private"])])
        )


def merchants(key_files):
    return load_merchants(
        [
            entry(key_files, mchid="1900000001", organizations=["610422"]),
            entry(key_files, mchid="1900000002", organizations=["610422-03", "610422-07-01"]),
        ]
    )


def test_the_nearest_listed_ancestor_decides_the_merchant(key_files):
    configured = merchants(key_files)

    def lookup(*codes):
        return merchant_for_organization(list(codes), configured).mchid

    assert lookup("610422") == "1900000001"
    assert lookup("610422", "610422-01", "610422-01-02") == "1900000001"
    assert lookup("610422", "610422-03") == "1900000002"
    assert lookup("610422", "610422-03", "610422-03-05") == "1900000002"
    assert lookup("610422", "610422-07", "610422-07-01") == "1900000002"
    assert lookup("610422", "610422-07", "610422-07-02") == "1900000001"


def test_an_organisation_no_merchant_serves_is_refused(key_files):
    with pytest.raises(MerchantNotConfigured):
        merchant_for_organization(["610400", "610423"], merchants(key_files))
    with pytest.raises(MerchantNotConfigured):
        merchant_by_mchid("1900000009", merchants(key_files))


def test_two_merchants_may_not_claim_one_organisation_or_share_a_mchid(key_files):
    with pytest.raises(ConfigurationError):
        load_merchants([entry(key_files, mchid="1"), entry(key_files, mchid="2")])
    with pytest.raises(ConfigurationError):
        load_merchants(
            [entry(key_files, organizations=["a"]), entry(key_files, organizations=["b"])]
        )


def test_clients_come_from_the_settings(key_files, settings):
    settings.WECHATPAY_MERCHANTS = [entry(key_files)]
    settings.WECHATPAY_BASE_URL = "http://127.0.0.1:9/"

    by_organization = client_for_organization(["610422", "610422-01"])
    by_mchid = client_for_mchid("1900000001")

    assert by_organization.merchant is by_mchid.merchant
    assert by_organization.base_url == "http://127.0.0.1:9"


def test_the_start_up_check_reports_a_broken_merchant(key_files, settings):
    settings.WECHATPAY_NOTIFY_URL = "https://ldej.example.gov.cn/api/payments/wechat/notify/"
    settings.WECHATPAY_MERCHANTS = [entry(key_files)]
    assert wechatpay_merchants_check(None) == []

    settings.WECHATPAY_MERCHANTS = [entry(key_files, apiv3_key="short")]
    [problem] = wechatpay_merchants_check(None)
    assert isinstance(problem, Error) and problem.id == "sanyuan.E020"


def test_the_start_up_check_warns_of_a_notify_url_wechatpay_cannot_use(key_files, settings):
    settings.WECHATPAY_MERCHANTS = [entry(key_files)]
    settings.WECHATPAY_NOTIFY_URL = "http://ldej.example.gov.cn/notify/?merchant=1"

    [problem] = wechatpay_merchants_check(None)

    assert isinstance(problem, Warning) and problem.id == "sanyuan.W020"


def test_no_merchants_means_no_complaint(settings):
    settings.WECHATPAY_MERCHANTS = []

    assert wechatpay_merchants_check(None) == []


def test_the_settings_read_the_merchants_as_json_from_the_environment(key_files):
    env = production_env(
        WECHATPAY_MERCHANTS=json.dumps([entry(key_files)]),
        WECHATPAY_BASE_URL="https://api2.mch.weixin.qq.com",
        WECHATPAY_NOTIFY_URL="https://ldej.example.gov.cn/api/payments/wechat/notify/",
    )
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.WECHATPAY_MERCHANTS[0]['mchid'], s.WECHATPAY_BASE_URL, s.WECHATPAY_TIMEOUT_SECONDS)"
    )

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1900000001", "https://api2.mch.weixin.qq.com", "10.0"]


@pytest.mark.parametrize("value", ["[{not json", '{"mchid": "1900000001"}'])
def test_merchants_that_are_not_a_json_list_stop_the_start(value):
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=production_env(WECHATPAY_MERCHANTS=value),
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0 and "WECHATPAY_MERCHANTS" in result.stderr


@pytest.mark.parametrize("mode", ["certificate", "public_key"])
def test_a_merchant_from_the_settings_pays_against_the_fake(
    mode, tmp_path, settings, merchant_key, platform_key
):
    with FakeWechatPay(mode=mode, platform_key=platform_key) as fake:
        settings.WECHATPAY_MERCHANTS = [
            fake.configure_merchant(tmp_path, organizations=["610422"], merchant_key=merchant_key)
        ]
        settings.WECHATPAY_BASE_URL = fake.url
        settings.WECHATPAY_NOTIFY_URL = "https://ldej.example.gov.cn/api/payments/wechat/notify/"
        client = client_for_organization(["610422", "610422-01"])

        client.jsapi_prepay(
            appid="wx8888888888888888",
            description="党费",
            out_trade_no="DUES202601000009",
            amount_fen=20,
            payer_openid="o-mini",
        )
        callback = fake.pay("DUES202601000009")

        assert client.query_order("DUES202601000009").paid
        note = parse_notification(callback.headers, callback.body)
        assert note.transaction.out_trade_no == "DUES202601000009"

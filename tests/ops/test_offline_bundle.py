"""The offline bundle (deploy/offline_bundle.py) installs the site on a host without internet:
the x86_64 bundle into a fresh virtual environment with --no-index (and every proxy pointing
at a closed port, so a download would fail), then `check --deploy` with production settings;
the aarch64 bundle is resolved by pip for that platform (nothing here runs aarch64).

Building the bundles downloads the locked wheels from PyPI (pip's cache makes it quick the
second time)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("offline_bundle")]

NO_NETWORK = {
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
}


def version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


@pytest.fixture(scope="session")
def bundles(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    result = subprocess.run(
        [sys.executable, "deploy/offline_bundle.py", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def bundle_of(out: Path, arch: str) -> Path:
    return out / f"sanyuan-{version()}-{arch}"


def offline_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIP_", "PYTEST", "DJANGO_", "VIRTUAL_ENV", "SANYUAN"))
    }
    env.update(NO_NETWORK, PYTHON=sys._base_executable, **extra)
    return env


def production_env() -> dict:
    return offline_env(
        DJANGO_SETTINGS_MODULE="sanyuan.settings",
        SECRET_KEY="k3y-" + "Zq9!xR7@pL2#vB5$" * 4,
        ALLOWED_HOSTS="ldej.example.gov.cn",
        PII_ENCRYPTION_KEYS="dGVzdC1vbmx5LXBpaS1lbmNyeXB0aW9uLWtleS0wMDA=",
        PII_HASH_KEY="another-long-random-hash-key-000000",
    )


def test_each_bundle_lists_every_file_in_its_manifest(bundles):
    for arch in ("x86_64", "aarch64"):
        bundle = bundle_of(bundles, arch)
        listed = {
            line.split("  ", 1)[1] for line in (bundle / "SHA256SUMS").read_text().splitlines()
        }
        files = {
            p.relative_to(bundle).as_posix()
            for p in bundle.rglob("*")
            if p.is_file() and p.name != "SHA256SUMS"
        }
        assert listed == files
        wheels = {name.split("/")[-1].split("-")[0].lower() for name in listed}
        assert {"sanyuan_liudong_ejia", "setuptools", "wheel", "pip", "psycopg2_binary"} <= wheels


def test_the_x86_64_bundle_installs_offline_and_passes_check_deploy(bundles, tmp_path):
    app = tmp_path / "app"
    install = subprocess.run(
        [str(bundle_of(bundles, "x86_64") / "install.sh"), str(app)],
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    assert (app / "manage.py").is_file() and (app / "templates").is_dir()
    check = subprocess.run(
        [
            str(app / ".venv/bin/python"),
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=app,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout
    modules = subprocess.run(
        [str(app / ".venv/bin/python"), "-c", "import psycopg2, redbeat, sentry_sdk, sanyuan"],
        cwd=app,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert modules.returncode == 0, modules.stderr


def test_a_damaged_bundle_is_refused_before_anything_is_installed(bundles, tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(bundle_of(bundles, "x86_64"), copy)
    wheel = next((copy / "wheels").glob("django-*.whl"))
    data = bytearray(wheel.read_bytes())
    data[len(data) // 2] ^= 0xFF
    wheel.write_bytes(bytes(data))
    app = tmp_path / "app"
    install = subprocess.run(
        [str(copy / "install.sh"), str(app)],
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert install.returncode != 0
    assert "安装包文件损坏" in install.stderr
    assert not app.exists()


def test_the_aarch64_bundle_resolves_for_manylinux_2_28_aarch64(bundles, tmp_path):
    bundle = bundle_of(bundles, "aarch64")
    (project_wheel,) = (bundle / "wheels").glob("sanyuan_liudong_ejia-*.whl")
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index",
               "--find-links", str(bundle / "wheels"), "--only-binary=:all:",
               "--platform", "manylinux_2_28_aarch64", "--platform", "manylinux2014_aarch64",
               "--python-version", "3.11", "--implementation", "cp",
               "--target", str(tmp_path / "target"), "--report", str(report),
               "-r", str(bundle / "requirements.txt")]  # fmt: skip
    result = subprocess.run(
        command, env=offline_env(PIP_CONFIG_FILE=os.devnull), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    chosen = [item["download_info"]["url"] for item in json.loads(report.read_text())["install"]]
    names = [url.rsplit("/", 1)[1] for url in chosen]
    assert any(name.startswith("psycopg2_binary-") for name in names)
    platform_wheels = [name for name in names if not name.endswith("-none-any.whl")]
    assert platform_wheels and all("aarch64" in name for name in platform_wheels), names
    # the project's own wheel installs on top without anything missing
    own = subprocess.run(
        [*command[:-2], str(project_wheel)],
        env=offline_env(PIP_CONFIG_FILE=os.devnull),
        capture_output=True,
        text=True,
    )
    assert own.returncode == 0, own.stdout + own.stderr

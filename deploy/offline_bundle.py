#!/usr/bin/env python3
"""Build the offline installation bundle: everything a host without internet needs to install
the site, for CPython 3.11 on Linux x86_64 and aarch64 (鲲鹏, 飞腾) with glibc 2.28 or newer.

    python3 deploy/offline_bundle.py OUT [--arch x86_64] [--arch aarch64] [--ref HEAD]
    make offline-bundle OUT=/media/usb/sanyuan          # the same, with the site's .venv

Run it from a clone of the repository on a machine that reaches PyPI (or a mirror set with
PIP_INDEX_URL). For each architecture it writes OUT/sanyuan-<version>-<arch>/:

    install.sh                 verifies SHA256SUMS, unpacks the code, builds .venv offline
    requirements.txt           requirements/site.txt: every package pinned with its hashes
    sanyuan-<version>-src.tar.gz   the code at --ref (git archive): manage.py, templates, deploy/
    wheels/                    the locked packages as wheels for that architecture (each one
                               checked against the lock's hashes while downloading), the
                               project's own wheel, pip, setuptools and wheel
    SHA256SUMS                 sha256sum -c format, every file above
    说明.txt                   what to do with it (docs/部署运维手册.md has the whole story)

Only wheels are taken (never a source package that would need a compiler on the target).
Exit status 0 when every bundle was written; otherwise pip's error tells which package has
no wheel for which platform.
"""

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path

try:
    from packaging.markers import Marker
except ImportError:  # a bare python3 without the site's packages: pip carries a copy
    from pip._vendor.packaging.markers import Marker

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "site.txt"
ARCHES = ("x86_64", "aarch64")
PYTHON_VERSION = "3.11"
# Wheels for glibc 2.28 (Debian 10+, openEuler 20.03+, Kylin V10) and the older 2.17 tags.
PLATFORMS = ("manylinux_2_28_{arch}", "manylinux2014_{arch}")
TOOLS = ("pip", "setuptools>=69", "wheel")
INSTALLER = ROOT / "deploy" / "offline-install.sh"
README = """同心三原 流动e家 离线安装包（{arch}，CPython 3.11，glibc ≥ 2.28）

1. 校验并安装（默认安装到 /srv/sanyuan/app，以 sanyuan 用户运行）：
     sudo -u sanyuan ./install.sh /srv/sanyuan/app
   Python 不是系统自带的 3.11 时（如麒麟 V10）：PYTHON=/opt/python3.11/bin/python3.11 ./install.sh …
2. 之后的配置、数据库迁移、启动服务，见代码中的 docs/部署运维手册.md。

版本 {version}，代码 {ref}（{commit}）。
"""


def run(*command: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return result.stdout


def project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def export_source(ref: str, version: str, work: Path) -> tuple[Path, Path, str]:
    """(the code at `ref` as a .tar.gz, the same unpacked, its commit id)."""
    commit = run("git", "rev-parse", "--verify", f"{ref}^{{commit}}", cwd=ROOT).strip()
    if ref == "HEAD" and run("git", "status", "--porcelain", "--untracked-files=no", cwd=ROOT):
        print("warning: uncommitted changes are not in the bundle (it holds HEAD)", file=sys.stderr)
    archive = work / f"sanyuan-{version}-src.tar.gz"
    prefix = f"sanyuan-{version}/"
    run(
        "git",
        "archive",
        "--format=tar.gz",
        f"--prefix={prefix}",
        f"--output={archive}",
        commit,
        cwd=ROOT,
    )
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return archive, work / prefix.rstrip("/"), commit


def build_project_wheel(source: Path, work: Path) -> Path:
    dist = work / "dist"
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--wheel-dir",
        str(dist),
        str(source),
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


def target_environments(arch: str):
    """Marker environments of every CPython 3.11.x on Linux `arch` (markers such as
    python_full_version < '3.11.3' differ between patch releases: Debian 12 has 3.11.2)."""
    for patch in range(16):
        full = f"{PYTHON_VERSION}.{patch}"
        yield {
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": "posix",
            "platform_machine": arch,
            "platform_python_implementation": "CPython",
            "platform_system": "Linux",
            "python_full_version": full,
            "python_version": PYTHON_VERSION,
            "sys_platform": "linux",
        }


def locked_requirements(lock: Path, arch: str) -> list[str]:
    """The lock's pins (with their hashes, without markers) that any CPython 3.11 on Linux
    `arch` installs: the wheelhouse holds the union, the target's pip picks by marker."""
    blocks: list[list[str]] = []
    for line in lock.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("--hash"):
            blocks[-1].append(stripped.rstrip("\\ "))
        else:
            blocks.append([stripped.rstrip("\\ ")])
    wanted, names = [], set()
    for pin, *hashes in blocks:
        requirement, _, marker = (part.strip() for part in pin.partition(";"))
        if marker and not any(Marker(marker).evaluate(env) for env in target_environments(arch)):
            continue
        name = requirement.split("==")[0].lower()
        if name in names:
            raise SystemExit(f"{name} is pinned twice for Python {PYTHON_VERSION} on {arch}")
        names.add(name)
        wanted.append(" ".join([requirement, *hashes]))
    return wanted


def pip_download(arch: str, dest: Path, *requirements: str, hashed_file: Path | None = None):
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--quiet",
        "--no-deps",
        "--only-binary=:all:",
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        "cp",
        "--abi",
        "cp311",
        "--abi",
        "abi3",
        "--abi",
        "none",
        "--dest",
        str(dest),
    ]
    for platform in PLATFORMS:
        command += ["--platform", platform.format(arch=arch)]
    if hashed_file is not None:
        command += ["--require-hashes", "-r", str(hashed_file)]
    run(*command, *requirements)


def write_manifest(bundle: Path) -> None:
    lines = []
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != "SHA256SUMS"):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        lines.append(f"{digest}  {path.relative_to(bundle).as_posix()}\n")
    (bundle / "SHA256SUMS").write_text("".join(lines))


def build_bundle(
    arch: str,
    out: Path,
    *,
    version: str,
    ref: str,
    commit: str,
    source: Path,
    project_wheel: Path,
    work: Path,
) -> Path:
    bundle = out / f"sanyuan-{version}-{arch}"
    if bundle.exists():
        shutil.rmtree(bundle)
    wheels = bundle / "wheels"
    wheels.mkdir(parents=True)
    hashed = work / f"requirements-{arch}.txt"
    hashed.write_text("\n".join(locked_requirements(LOCK, arch)) + "\n")
    pip_download(arch, wheels, hashed_file=hashed)
    pip_download(arch, wheels, *TOOLS)
    shutil.copy2(project_wheel, wheels)
    shutil.copy2(LOCK, bundle / "requirements.txt")
    shutil.copy2(source, bundle)
    shutil.copy2(INSTALLER, bundle / "install.sh")
    (bundle / "install.sh").chmod(0o755)
    (bundle / "说明.txt").write_text(
        README.format(arch=arch, version=version, ref=ref, commit=commit[:12]), encoding="utf-8"
    )
    write_manifest(bundle)
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the bundles into")
    parser.add_argument("--arch", action="append", choices=ARCHES, help="default: both")
    parser.add_argument("--ref", default="HEAD", help="git revision of the code (HEAD)")
    args = parser.parse_args(argv)
    version = project_version()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sanyuan-bundle-") as tmp:
        work = Path(tmp)
        archive, source, commit = export_source(args.ref, version, work)
        wheel = build_project_wheel(source, work)
        for arch in args.arch or ARCHES:
            bundle = build_bundle(
                arch,
                args.out.resolve(),
                version=version,
                ref=args.ref,
                commit=commit,
                source=archive,
                project_wheel=wheel,
                work=work,
            )
            size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
            count = len(list((bundle / "wheels").glob("*.whl")))
            print(f"{bundle}: {count} wheels, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

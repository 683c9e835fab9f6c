"""The hashed lock files agree with pyproject.toml: a dependency added to pyproject.toml
without `make lock` fails here, before a host installs something nobody pinned."""

import re
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.ops.conftest import ROOT

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
HASH = re.compile(r"--hash=sha256:[0-9a-f]{64}")


def read_lock(name: str) -> dict[str, dict[str, int]]:
    """{canonical name: {version: number of hashes}}; a package may be pinned twice, to two
    versions under exclusive markers (e.g. one for Python 3.11, one for 3.12 and later)."""
    pins: dict[str, dict[str, int]] = {}
    current = None
    for line in (ROOT / "requirements" / name).read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = (canonicalize_name(match[1]), match[2])
            pins.setdefault(current[0], {})[current[1]] = 0
        elif current and HASH.search(line):
            pins[current[0]][current[1]] += len(HASH.findall(line))
    return pins


def all_hashed(pins: dict[str, dict[str, int]]) -> bool:
    return all(hashes for versions in pins.values() for hashes in versions.values())


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def assert_pinned(requirements: list[str], pins: dict) -> None:
    for text in requirements:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is in pyproject.toml but not locked: run `make lock`"
        for version in pins[name]:
            assert requirement.specifier.contains(version, prereleases=True), (
                f"{name}=={version} is outside pyproject.toml's {requirement.specifier}: "
                "run `make lock`"
            )


def test_every_site_dependency_is_pinned_inside_its_range_with_hashes():
    site = read_lock("site.txt")
    assert_pinned(project()["dependencies"], site)
    assert all_hashed(site)
    assert "psycopg2-binary" in site and "psycopg2" not in site


def test_the_site_lock_holds_no_test_tools():
    site = read_lock("site.txt")
    for tool in project()["optional-dependencies"]["dev"]:
        assert canonicalize_name(Requirement(tool).name) not in site


def test_the_dev_lock_is_the_site_lock_plus_the_test_tools():
    site, dev = read_lock("site.txt"), read_lock("dev.txt")
    assert_pinned(project()["optional-dependencies"]["dev"], dev)
    assert all_hashed(dev)
    for name, versions in site.items():
        assert dev.get(name, {}).keys() == versions.keys(), f"{name} differs between the locks"

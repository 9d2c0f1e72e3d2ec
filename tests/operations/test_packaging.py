"""What the image installs: the lock pins every runtime dependency within pyproject's bounds, hash-checked."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def _pins() -> dict[str, str]:
    return {
        canonicalize_name(found.group(1)): found.group(2)
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if (found := PIN.match(line))
    }


def _dependencies() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return [Requirement(text) for text in project["dependencies"]]


def test_every_runtime_dependency_is_pinned_within_its_bounds():
    pins = _pins()
    for requirement in _dependencies():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: regenerate it (see its header)"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"


def test_every_pin_carries_a_hash():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert len(blocks) == len(_pins())
    assert all("--hash=sha256:" in block for block in blocks)


def test_the_frameworks_we_hook_into_have_an_upper_bound():
    bounded = {
        canonicalize_name(r.name)
        for r in _dependencies()
        if any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier)
    }
    assert {"strawberry-graphql", "graphql-core", "sqlalchemy", "starlette"} <= bounded


def test_the_dockerfile_installs_from_the_lock():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements.lock" in dockerfile
    assert "pip install --no-deps ." in dockerfile


def test_the_package_declares_its_types():
    assert (ROOT / "gateway" / "py.typed").is_file()

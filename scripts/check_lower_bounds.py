"""Prove the lower bounds of kg's dependencies: install each at the oldest release it allows, run the fast tests.

    .venv/bin/python scripts/check_lower_bounds.py

In a fresh venv in a temporary folder, kg is installed from this checkout (editable, with the dev extra) under
pip constraints that pin every direct dependency to its lower bound; pip resolves the rest. Then the tests that
need no server, browser or ../shared run there, with KG_REQUIRE_ALL=1. It fails when a dependency has no lower
bound, when a bound names no release or the pinned set cannot be installed together, and when a test fails:
code that uses an API newer than its bound. .ci/run runs it after the suite.

The bounds are read from the metadata of the kg that runs this script, which `make install` makes from
pyproject.toml (again whenever pyproject.toml changes).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Iterable, Mapping

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("dev",)
FAST_TESTS = "not live and not browser and not seeds"
LOWER_BOUND_OPERATORS = (">=", "==", "~=")


def kg_distribution() -> str:
    """The name of the distribution that installs the import package ``kg``."""
    [name] = set(metadata.packages_distributions()["kg"])  # an editable install's egg-info can count twice
    return name


def applies(requirement: Requirement, extras: Iterable[str], environment: Mapping[str, str] | None) -> bool:
    """Whether ``requirement`` is installed here with ``extras``."""
    if requirement.marker is None:
        return True
    return any(requirement.marker.evaluate({**(environment or {}), "extra": extra}) for extra in ("", *extras))


def lowest_constraints(requirements: Iterable[str], extras: Iterable[str] = EXTRAS,
                       environment: Mapping[str, str] | None = None) -> list[str]:
    """pip constraints (``name==version``) pinning each requirement that applies to its lower bound.

    ``environment`` overrides marker variables (``sys_platform``...) of this interpreter.
    Raises ValueError for a requirement with no lower bound, or with two different ones.
    """
    extras = tuple(extras)
    pins: dict[str, str] = {}
    for line in requirements:
        requirement = Requirement(line)
        if not applies(requirement, extras, environment):
            continue
        bounds = [s.version for s in requirement.specifier if s.operator in LOWER_BOUND_OPERATORS]
        if len(bounds) != 1:
            raise ValueError(f"{line}: needs exactly one lower bound (>=, == or ~=), has {len(bounds)}")
        name = canonicalize_name(requirement.name)
        if pins.setdefault(name, bounds[0]) != bounds[0]:
            raise ValueError(f"{requirement.name}: two lower bounds, {pins[name]} and {bounds[0]}")
    return [f"{name}=={version}" for name, version in sorted(pins.items())]


def _run(command: list[str], **kwargs) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def main() -> int:
    started = time.monotonic()
    constraints = lowest_constraints(metadata.requires(kg_distribution()) or [])
    with tempfile.TemporaryDirectory(prefix="kg-lower-bounds-") as tmp:
        venv, pins = Path(tmp) / "venv", Path(tmp) / "constraints.txt"
        pins.write_text("".join(f"{c}\n" for c in constraints), encoding="utf-8")
        print("lower bounds:", " ".join(constraints), flush=True)
        try:
            _run([sys.executable, "-m", "venv", str(venv)])
            python = str(venv / "bin" / "python")
            _run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
            _run([python, "-m", "pip", "install", "--quiet", "-c", str(pins), "-e", f"{ROOT}[{','.join(EXTRAS)}]"])
            _run([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", FAST_TESTS],
                 cwd=ROOT, env={**os.environ, "KG_REQUIRE_ALL": "1"})
        except subprocess.CalledProcessError as err:
            print(f"lower bounds: FAILED after {time.monotonic() - started:.0f} s: `{' '.join(err.cmd)}` exited with "
                  f"status {err.returncode}", file=sys.stderr)
            return 1
    print(f"lower bounds: passed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fingerprints of kg's own code and data: what a cached result was computed by.

A result cached under a fingerprint is stale as soon as any source file that can
run while computing it changes. The files are found, not listed: the modules a
stage starts from, every kg module they import (anywhere in the file, at any
depth), the packages those live in, and the data folders the stage reads.
"""
from __future__ import annotations

import ast
import hashlib
from pathlib import Path
from typing import Iterable

PACKAGE_DIR = Path(__file__).resolve().parent


def module_file(name: str, package_dir: Path = PACKAGE_DIR) -> Path | None:
    """The source file of kg module ``name`` (``kg.extract`` -> ``kg/extract/__init__.py``), if it is one."""
    parts = name.split(".")
    if parts[0] != "kg":
        return None
    base = package_dir.joinpath(*parts[1:])
    for candidate in (base / "__init__.py", base.with_suffix(".py")):
        if candidate.is_file():
            return candidate
    return None


def imported_names(source: str, module: str, is_package: bool) -> set[str]:
    """Every module name an import statement of ``source`` may load, relative imports resolved."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor[:len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import submodule`
    return names


def module_closure(roots: Iterable[str], package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """The source files of ``roots`` and of every kg module they import, with their parent packages."""
    seen: dict[str, Path] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # importing kg.a.b runs kg/__init__ and kg/a/__init__ first
            prefix = ".".join(parts[:depth])
            path = module_file(prefix, package_dir)
            if path is None or prefix in seen:
                continue
            seen[prefix] = path
            is_package = path.name == "__init__.py"
            todo.extend(imported_names(path.read_text(encoding="utf-8"), prefix, is_package))
    return sorted(set(seen.values()))


def named_files(paths: Iterable[Path]) -> list[tuple[str, Path]]:
    """The files among ``paths`` and below the folders among them, each named by its path inside the folder
    it was found in (a file given alone: its name); caches left out."""
    found: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            below = [p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
            found.extend(sorted((p.relative_to(path).as_posix(), p) for p in below))
        elif path.is_file():
            found.append((path.name, path))
    return found


def files_digest(paths: Iterable[Path], package_dir: Path | None = None) -> str:
    """A hash of the files among ``paths`` and below the folders among them, names and contents.

    A file is named by its path relative to ``package_dir`` when given, else inside the folder it was found
    in, never by where kg is installed: a wheel and a checkout agree (schema/ and viz/ are folders of the
    checkout and packages inside kg in a wheel), while a file renamed or moved changes the hash.
    """
    if package_dir is None:
        named = named_files(paths)
    else:
        named = sorted((p.relative_to(package_dir).as_posix(), p) for p in paths)
    digest = hashlib.sha1()
    for name, path in named:
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def code_fingerprint(roots: Iterable[str], data: Iterable[Path] = (), package_dir: Path = PACKAGE_DIR) -> str:
    """A hash of the code that ``roots`` run and of the ``data`` files and folders they read."""
    code = files_digest(module_closure(roots, package_dir), package_dir)
    return hashlib.sha1(f"{code}|{files_digest(data)}".encode()).hexdigest()

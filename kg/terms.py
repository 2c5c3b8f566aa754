"""The user's own vocabulary: terms the extractor must find (``--terms``) and names that are one entity (``--aliases``).

Both are tab-separated files, read line by line; blank lines and lines starting
with ``#`` are skipped, and a first line naming the columns is a header::

    name<TAB>type<TAB>aliases        Zorblax<TAB>Method<TAB>ZBX|Zorblax-2
    canonical<TAB>aliases            Speculative Decoding<TAB>SpecDec|spec decoding

Reading and checking them needs no spaCy; ``kg.extract.entities.terms`` finds the
terms in text.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from kg.errors import TermsError
from kg.records import ENTITY_TYPES

TERMS_HEADER = ("name", "type")
ALIASES_HEADER = "canonical"
ALIAS_SEPARATOR = "|"


@dataclass(frozen=True)
class Term:
    name: str
    type: str
    aliases: tuple[str, ...] = ()


def _lines(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """The numbered lines of a TSV file that hold data, split into stripped fields."""
    with open(path, encoding="utf-8") as file:
        for number, line in enumerate(file, 1):
            if line.strip() and not line.lstrip().startswith("#"):
                yield number, [field.strip() for field in line.rstrip("\r\n").split("\t")]


def _aliases(field: str, where: str) -> tuple[str, ...]:
    aliases = tuple(a.strip() for a in field.split(ALIAS_SEPARATOR))
    if not all(aliases):
        raise TermsError(f"{where}: an empty alias in {field!r} (separate aliases with a single '|')")
    return aliases


def read_terms(path: str | Path) -> tuple[Term, ...]:
    """The terms of a ``--terms`` file (name, type, optional aliases)."""
    terms: dict[str, Term] = {}
    for row, (number, fields) in enumerate(_lines(path)):
        where = f"{path}:{number}"
        if row == 0 and tuple(f.lower() for f in fields[:2]) == TERMS_HEADER:
            continue
        if len(fields) not in (2, 3) or not fields[0]:
            raise TermsError(f"{where}: expected name<TAB>type<TAB>aliases (aliases optional), got {len(fields)} "
                             f"field(s)")
        name, entity_type = fields[0], fields[1]
        if entity_type not in ENTITY_TYPES:
            raise TermsError(f"{where}: unknown type {entity_type!r} (one of: {', '.join(ENTITY_TYPES)})")
        if name in terms and terms[name].type != entity_type:
            raise TermsError(f"{where}: {name!r} is already a {terms[name].type}")
        aliases = _aliases(fields[2], where) if len(fields) == 3 and fields[2] else ()
        terms[name] = Term(name, entity_type, aliases)
    return tuple(terms.values())


def read_aliases(path: str | Path) -> dict[str, str]:
    """Each alias of an ``--aliases`` file (canonical, aliases) with the canonical name it stands for."""
    canonical_of: dict[str, str] = {}
    for row, (number, fields) in enumerate(_lines(path)):
        where = f"{path}:{number}"
        if row == 0 and fields[0].lower() == ALIASES_HEADER:
            continue
        if len(fields) != 2 or not fields[0] or not fields[1]:
            raise TermsError(f"{where}: expected canonical<TAB>alias|alias..., got {len(fields)} field(s)")
        for alias in _aliases(fields[1], where):
            if canonical_of.get(alias, fields[0]) != fields[0]:
                raise TermsError(f"{where}: {alias!r} is already an alias of {canonical_of[alias]!r}")
            canonical_of[alias] = fields[0]
    return canonical_of


def user_aliases(terms: str | os.PathLike | None, aliases: str | os.PathLike | None) -> dict[str, str]:
    """Each alias the user gives, in either file, with the name it stands for."""
    of_terms = {alias: term.name for term in (read_terms(terms) if terms else ()) for alias in term.aliases}
    return of_terms | (read_aliases(aliases) if aliases else {})


def checked_terms(path: str | os.PathLike | None) -> str | None:
    """A ``--terms`` file's absolute path (workers may start elsewhere), once every line of it reads."""
    if path is None:
        return None
    read_terms(path)
    return os.path.abspath(path)


def checked_aliases(path: str | os.PathLike | None) -> str | None:
    """An ``--aliases`` file's absolute path, once every line of it reads."""
    if path is None:
        return None
    read_aliases(path)
    return os.path.abspath(path)

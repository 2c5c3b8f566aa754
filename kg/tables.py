"""Pattern tables: data files under kg/extract/tables/, loaded once (no spaCy needed)."""
from __future__ import annotations

import json
from dataclasses import fields
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar

T = TypeVar("T")

TABLES_DIR = Path(__file__).resolve().parent / "extract" / "tables"


@lru_cache(maxsize=None)
def load_table(name: str) -> Any:
    """A JSON table by file name; a ``.txt`` table is a frozenset of its non-comment lines."""
    path = TABLES_DIR / name
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    )


def table_rows(name: str) -> list[list[str]]:
    """A tab-separated ``.tsv`` table's lines as lists of fields, sorted."""
    return sorted(line.split("\t") for line in load_table(name))


def cue_table(cls: type[T], name: str, **given: Any) -> T:
    """The JSON table ``name`` as the frozen dataclass ``cls``, one field per key of the same name.

    A field typed ``tuple[...]`` keeps the list's order, ``frozenset[tuple[str, ...]]`` holds phrases as
    tuples of words, ``frozenset[...]`` the words for look-ups, any other type the value as written;
    ``given`` fields are not read from the table. A key no field reads (other than a "_" note) is an error,
    so a table and its reader cannot drift apart.
    """
    table = load_table(name)
    unread = {key for key in table if not key.startswith("_")} - {f.name for f in fields(cls)}
    if unread:
        raise ValueError(f"{name}: no field of {cls.__name__} reads {', '.join(sorted(unread))}")
    values = dict(given)
    for f in fields(cls):
        if f.name in given:
            continue
        kind, raw = str(f.type), table[f.name]
        if kind.startswith("tuple["):
            values[f.name] = tuple(raw)
        elif kind == "frozenset[tuple[str, ...]]":
            values[f.name] = frozenset(tuple(phrase.split()) for phrase in raw)
        elif kind.startswith("frozenset["):
            values[f.name] = frozenset(raw)
        else:
            values[f.name] = raw
    return cls(**values)


C = TypeVar("C", bound="CueTable")


class CueTable:
    """A frozen dataclass of cue words read from the table ``TABLE`` by ``cue_table``, once per process
    (``load``); ``given`` makes the fields that are not read as written."""

    TABLE: ClassVar[str]

    @classmethod
    def given(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def load(cls: type[C]) -> C:
        return _loaded_cues(cls)


@lru_cache(maxsize=None)
def _loaded_cues(cls: type[C]) -> C:
    return cue_table(cls, cls.TABLE, **cls.given())

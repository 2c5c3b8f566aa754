"""Pattern tables: data files under kg/extract/tables/, loaded once (no spaCy needed)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

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

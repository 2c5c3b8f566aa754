"""A store's record of its papers, ``extractions.jsonl``, and what ``kg extract`` writes: one extraction a line,
its JSON with sorted keys. The store's update state (``kg.update``) keeps each paper's line as its row, so the
file is written from the rows as they are."""
from __future__ import annotations

import json
from pathlib import Path

from kg.errors import StoreError
from kg.memory import collection_paused
from kg.records import Extraction

EXTRACTIONS_FILE = "extractions.jsonl"


def extraction_text(extraction: Extraction) -> str:
    """An extraction's line, without its end."""
    return json.dumps(extraction.to_dict(), ensure_ascii=False, sort_keys=True)


def load_extractions(path: str | Path) -> list[Extraction]:
    """The extractions of a store (or of `kg extract` output); a bad line names file and line."""
    extractions = []
    with open(path, encoding="utf-8") as f, collection_paused():
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                extractions.append(Extraction.from_dict(json.loads(line)))
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise StoreError(f"{path}:{number}: not an extraction record: {err}") from None
    return extractions

"""Small invented inputs and helpers for the reader tests (tests/test_ingest*.py)."""
from __future__ import annotations

import io
import json
from pathlib import Path

from kg.ingest import InputProblem
from kg.records import Paper

DATA = Path(__file__).parent / "data" / "ingest"
ABSTRACT = (
    "We describe an invented toy method for a test, with enough words in this sentence "
    "to read as prose, and report a made-up result on a fictional benchmark nobody built."
)


def record(title: str, abstract: str = "A short invented abstract.", **fields: object) -> str:
    return json.dumps({"title": title, "abstract": abstract, **fields})


def jsonl(*titles: str) -> str:
    return "".join(record(title) + "\n" for title in titles)


def listing(*titles: str) -> str:
    return "Subscribe\n\nDaily Papers\n\n" + "".join(f"{t}\n\n{ABSTRACT}\n\n" for t in titles)


def papers(items) -> list[Paper]:
    return [item for item in items if isinstance(item, Paper)]


def problems(items) -> list[InputProblem]:
    return [item for item in items if isinstance(item, InputProblem)]


def titles(items) -> list[str]:
    return [paper.title for paper in papers(items)]


def read_text(reader, text: str, path: str = "in") -> list[Paper | InputProblem]:
    return list(reader(path, io.StringIO(text, newline="")))


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)

"""CSV files with a header naming a title and an abstract (or summary) column."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from kg.ingest.fields import ABSTRACT_FIELDS, TITLE_FIELDS, paper_from_fields
from kg.ingest.problems import InputProblem
from kg.records import Paper


def column_names(header: Sequence[str]) -> list[str]:
    return [name.strip().lower() for name in header]


def has_paper_columns(header: Sequence[str]) -> bool:
    """Whether a header names a title column and an abstract column (any case)."""
    names = set(column_names(header))
    return bool(names & set(TITLE_FIELDS)) and bool(names & set(ABSTRACT_FIELDS))


def is_csv_header(line: str) -> bool:
    return has_paper_columns(next(csv.reader([line]), []))


def read_csv(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """One paper per row; ``source`` is the line the row starts on (rows may span lines)."""
    rows = csv.reader(stream)
    header = next(rows, None)
    if header is None or not has_paper_columns(header):
        yield InputProblem(path, 1, "CSV header names no title and abstract columns")
        return
    names = column_names(header)
    while True:
        start = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield InputProblem(path, start, f"malformed CSV: {error}")
            continue
        if any(cell.strip() for cell in row):
            yield paper_from_fields(dict(zip(names, row)), path, start)

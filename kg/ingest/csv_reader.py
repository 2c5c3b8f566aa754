"""CSV files with a header naming an abstract (or summary, or text) column, and often a title column."""
from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence

from kg.ingest.fields import ABSTRACT_FIELDS, paper_from_fields
from kg.ingest.problems import InputProblem
from kg.records import Paper


def column_names(header: Sequence[str]) -> list[str]:
    return [name.strip().lower() for name in header]


def has_paper_columns(header: Sequence[str]) -> bool:
    """Whether a header names an abstract column (any case)."""
    return bool(set(column_names(header)) & set(ABSTRACT_FIELDS))


def is_csv_header(line: str) -> bool:
    """Whether a first line reads as a CSV header: an abstract column among others
    (a line that is one such word alone is as likely a listing's text)."""
    header = next(csv.reader([line]), [])
    return len(header) > 1 and has_paper_columns(header)


def read_csv(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """One paper per row; ``source`` is the line the row starts on (rows may span lines)."""
    rows = csv.reader(stream)
    header = next(rows, None)
    if header is None or not has_paper_columns(header):
        yield InputProblem(path, 1, f"CSV header names no abstract column ({', '.join(ABSTRACT_FIELDS)})")
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

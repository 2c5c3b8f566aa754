"""A query's result printed: an aligned table, JSON or CSV.

Examples
--------
>>> print(format_table(QueryResult(["name", "papers"], [["Llama", 12], ["GPT-4", 9]])))
name  | papers
------+-------
Llama | 12
GPT-4 | 9
(2 rows)
"""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from kg.query.result import QueryResult

CELL_WIDTH = 60


def _json_default(value: Any) -> Any:
    return str(value)


def value_text(value: Any) -> str:
    """A value as one line of text: strings as they are, ``None`` empty, everything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _cell(value: Any, width: int) -> str:
    text = " ".join(value_text(value).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def format_table(result: QueryResult, max_width: int = CELL_WIDTH) -> str:
    """An aligned text table, each cell on one line and cut to ``max_width`` characters, and the row count."""
    header = [_cell(c, max_width) for c in result.columns]
    cells = [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [max([len(header[i])] + [len(row[i]) for row in cells]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    lines = [line(header), "-+-".join("-" * w for w in widths)] + [line(row) for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines)


def format_json(result: QueryResult) -> str:
    """The rows as a JSON array of objects keyed by column."""
    return json.dumps(result.records(), ensure_ascii=False, indent=2, default=_json_default)


def format_csv(result: QueryResult) -> str:
    """CSV with a header line; lists and maps as JSON, ``None`` empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([value_text(v) for v in row] for row in result.rows)
    return out.getvalue()


FORMATTERS = {"table": format_table, "json": format_json, "csv": format_csv}


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """``result`` in ``fmt`` (``table``, ``json`` or ``csv``)."""
    try:
        return FORMATTERS[fmt](result)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATTERS)}") from None

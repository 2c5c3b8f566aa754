"""A query's result as plain data (columns, and rows of dicts, lists and scalars), whichever server answered."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Mapping


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def plain(value: Any, convert: Callable[[Any], Any]) -> Any:
    """``value`` with maps and lists converted item by item (by ``convert``) and dates as ISO text."""
    if isinstance(value, Mapping):
        return {k: convert(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [convert(v) for v in value]
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return value

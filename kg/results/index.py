"""The results index: a store's claim rows and entity timelines, kept beside its graph file.

Reading a large graph.json takes seconds; ``kg results`` and ``kg trends``
answer from ``<graph>.results.json`` instead, written by ``kg build`` beside
the graph it writes, and made again on first use whenever the graph file, or
the code and table that make it, changed since.
Where the index cannot be written (a read-only store), it is computed and
used without being kept.
"""
from __future__ import annotations

import json
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from kg.files import atomic_open
from kg.fingerprint import files_digest
from kg.results.comparable import METRIC_TABLE
from kg.results.leaderboard import ROW_FIELDS, ResultRow, result_rows
from kg.results.trends import EntityTimeline, entity_timelines
from kg.tables import TABLES_DIR

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

INDEX_SUFFIX = ".results.json"
INDEX_MIN_PAPERS = 2  # the timelines the index keeps: entities with at least this many dated papers


@dataclass(frozen=True)
class ResultsIndex:
    rows: list[ResultRow]
    timelines: list[EntityTimeline]
    papers_per_month: dict[str, int]


def index_path(graph_path: str | Path) -> Path:
    path = Path(graph_path)
    return path.with_name(path.stem + INDEX_SUFFIX)


@lru_cache(maxsize=1)
def _code() -> str:
    """A hash of what makes the index: this package's code and the metric table (read, not parsed:
    it runs on every query)."""
    return files_digest([Path(__file__).parent, TABLES_DIR / METRIC_TABLE])


def index_stamp(graph_path: Path) -> dict[str, Any]:
    """What an index is the index of: the graph file as it is (its size and time), and the code that made it."""
    stat = graph_path.stat()
    return {"code": _code(), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def build_index(kg: KnowledgeGraph, min_papers: int = INDEX_MIN_PAPERS) -> ResultsIndex:
    """The claim rows of ``kg``, and the timelines of its entities with at least ``min_papers`` dated papers."""
    timelines, per_month = entity_timelines(kg, min_papers)
    return ResultsIndex(result_rows(kg), timelines, per_month)


def row_data(row: ResultRow) -> list[Any]:
    """A row as a positional list (of ``ROW_FIELDS``): half the size of an object, and read twice as fast."""
    return [getattr(row, f) for f in ROW_FIELDS]


def row_from(data: list[Any]) -> ResultRow:
    return ResultRow(*data[:-1], tasks=tuple(data[-1]))


def timeline_data(timeline: EntityTimeline) -> list[Any]:
    return [timeline.key, timeline.name, timeline.type, timeline.months]


def timeline_from(data: list[Any]) -> EntityTimeline:
    return EntityTimeline(*data)


def index_json(value: Any) -> str:
    """A value as the index file writes it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def index_frame(graph_path: Path, papers_per_month: dict[str, int]) -> tuple[str, str, str]:
    """The index file's text around its two lists, the rows' texts and the timelines' (``index_json`` of each
    ``row_data`` and ``timeline_data``): before the rows, between them and the timelines, and after."""
    return ('{"stamp":' + index_json(index_stamp(graph_path)) + ',"fields":' + index_json(list(ROW_FIELDS))
            + ',"rows":[', '],"timelines":[', '],"papers_per_month":' + index_json(papers_per_month) + "}")


def _from_data(data: dict[str, Any]) -> ResultsIndex:
    if data["fields"] != list(ROW_FIELDS):
        raise ValueError("an index of other fields")
    return ResultsIndex([row_from(row) for row in data["rows"]], [timeline_from(t) for t in data["timelines"]],
                        data["papers_per_month"])


def load_index(graph_path: str | Path, load_graph: Callable[[str], KnowledgeGraph],
               on_build: Callable[[], None] | None = None) -> ResultsIndex:
    """The index of the graph at ``graph_path``: read from beside it when current, else built from
    ``load_graph(graph_path)`` and written there (``on_build`` is called first, to say so)."""
    graph_path = Path(graph_path)
    stamp = index_stamp(graph_path)
    path = index_path(graph_path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("stamp") == stamp:
            return _from_data(data)
    except (OSError, ValueError, KeyError, TypeError):
        pass  # absent, unreadable or from another kg: made again below
    if on_build is not None:
        on_build()
    return save_index(build_index(load_graph(str(graph_path))), graph_path)


def save_index(index: ResultsIndex, graph_path: str | Path) -> ResultsIndex:
    """``index``, of the graph just saved at ``graph_path``, as the index keeps it (the timelines of
    :data:`INDEX_MIN_PAPERS` papers or more), written beside the graph where that can be done."""
    index = ResultsIndex(index.rows, [t for t in index.timelines if sum(t.months.values()) >= INDEX_MIN_PAPERS],
                         index.papers_per_month)
    head, middle, tail = index_frame(Path(graph_path), index.papers_per_month)
    try:
        with atomic_open(index_path(graph_path)) as f:
            f.writelines([head, ",".join(index_json(row_data(r)) for r in index.rows), middle,
                          ",".join(index_json(timeline_data(t)) for t in index.timelines), tail])
    except OSError:
        pass  # a read-only store: answer without keeping the index
    return index

"""The view's results: leaderboards of comparable claims and each entity's papers per month, as payload.

Both are computed by ``kg.results`` (the boards ``kg results`` prints and the
timelines of ``kg trends``) and written as short positional records that point
into the page's node list: a board row names its claim node (whose value,
unit, metric, sentence and paper the page already holds) and, where the claim
is linked to them, its subject, dataset and baseline entities. Only the
``BOARDS`` biggest boards travel with the page, so a corpus adds tens of
kilobytes of results, not megabytes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from kg.graph import claim_node, entity_node
from kg.results.leaderboard import Query, ResultRow, by_metric, leaderboard, menu, rankable, units
from kg.schema import load_schema

if TYPE_CHECKING:
    from kg.results.index import ResultsIndex

BOARDS = 40  # the boards a page offers, biggest first (kg.results.leaderboard.menu)
LINKED = ("subject", "dataset", "baseline")  # the fields of a board row that can link to an entity, in its order


def _number(value: float) -> float | int:
    """A whole number without its ".0": shorter JSON, the same value in the page."""
    return int(value) if value.is_integer() else value


def results_data(slots: dict[str, int], result_rows: list[ResultRow],
                 links: Callable[[str], dict[str, str]]) -> dict[str, list]:
    """The leaderboards of a graph (its ``result_rows``) for the page, with ``slots`` mapping node ids to their
    slot in ``n`` and ``links`` giving a claim node's linked nodes by relationship type.

    Returns
    -------
    dict with ``B`` (boards, biggest first: ``[metric, dataset or None, kind, unit, better,
    [[other unit, claims left out], ...], [row, ...] best first]``) and ``b`` (rows, each stored once
    however many boards hold it: ``[claim node, subject, dataset, baseline, low(, high)]``, where
    subject, dataset and baseline are entity nodes when the claim is linked to one, else the text as
    written, or None). ``unit`` is "" for bare numbers.
    """
    relationship_of = load_schema().claim_relationships
    rows = [row for row in result_rows if rankable(row)]
    boards: list[list[Any]] = []
    records: list[list[Any]] = []
    row_index: dict[str, int] = {}

    def record(row) -> int:
        if row.claim not in row_index:
            node = claim_node(row.claim)
            linked = {rel: slots[target] for rel, target in links(node).items()}
            fields = [linked.get(relationship_of[name], getattr(row, name)) for name in LINKED]
            high = row.value_max if row.value_max is not None and row.value_max != row.value_min else None
            row_index[row.claim] = len(records)
            records.append([slots[node], *fields, _number(row.value_min)] + ([] if high is None else [_number(high)]))
        return row_index[row.claim]

    of_metric = by_metric(rows)  # each board reads only the rows of its metric
    for item in menu(rows, BOARDS):
        query = Query(metric=item.metric, dataset=item.dataset, kind=item.kind)
        candidates = of_metric(item.metric)
        board = leaderboard(candidates, query)
        if not board:
            continue
        unit = board[0].unit or ""
        others = units(candidates, query)
        del others[unit]
        left_out = [[u, n] for u, n in sorted(others.items(), key=lambda kv: (-kv[1], kv[0]))]
        boards.append([item.metric, item.dataset, item.kind, unit, board[0].better, left_out,
                       [record(row) for row in board]])
    return {"B": boards, "b": records}


def timelines_data(results: ResultsIndex, slots: dict[str, int]) -> dict[str, list]:
    """Each entity's dated papers per month, from ``results`` (every entity with a dated paper:
    ``kg.results.index.build_index(kg, min_papers=1)``).

    Returns
    -------
    dict with ``M`` (every month with a dated paper, ``YYYY-MM``, in order) and ``m`` (for each slot of
    ``n`` up to the last entity's with a dated paper, a flat list ``[month, papers, ...]`` of indices into
    ``M`` and counts; empty for a node none of whose papers is dated, or no entity; only the month's index
    when the entity has one dated paper, as most of a corpus's entities have).
    """
    months = list(results.papers_per_month)
    month_index = {m: i for i, m in enumerate(months)}
    at = {slots[entity_node(timeline.key)]: timeline for timeline in results.timelines}
    per_slot: list[list[int] | int] = [[] for _ in range(max(at, default=-1) + 1)]
    for slot, timeline in at.items():
        flat = [x for month, papers in timeline.months.items() for x in (month_index[month], papers)]
        per_slot[slot] = flat[0] if flat[1:] == [1] else flat
    return {"M": months, "m": per_slot}

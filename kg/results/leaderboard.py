"""Leaderboards: a graph's claims as comparable rows, filtered and ranked best first.

``result_rows(kg)`` turns every Claim node into a ``ResultRow``: the claim's
number and the comparable fields of ``kg.results.comparable``, with its
subject, dataset and baseline as the entities the graph merged them into
(so "GSM8k" and "GSM8K" rank together), and the paper's date and tasks.
``leaderboard`` keeps the rows one question asks about and sorts them by the
metric's direction; only like is compared with like: one kind of number and
one unit per board (``units`` tells what else there is). A board holds only
``rankable`` rows: a number a subject reports, not the baseline's number it
is set against, and a subject that is a method or a model; rows with a
``doubt`` only when the query asks for them (the claim's own doubt, or a
subject neither named in the sentence nor proposed by the paper).
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any, Callable, Iterable

from kg.records import Claim
from kg.resolve import canonical_key
from kg.results.comparable import comparable, improves
from kg.schema import load_schema

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

KINDS = ("score", "gain", "budget")
MENU_SIZE = 20
CLAIM_EDGES = {rel: name for name, rel in load_schema().claim_relationships.items()}  # relationship -> claim field


@dataclass(frozen=True)
class ResultRow:
    claim: str
    paper: str
    title: str
    date: str | None
    subject: str | None
    subject_key: str | None
    subject_type: str | None  # the subject entity's type, when the graph has it
    value: str
    value_min: float | None
    value_max: float | None
    unit: str | None
    metric: str | None  # as written
    canonical_metric: str | None
    better: str | None  # higher | lower
    kind: str  # score | gain | budget
    change: str | None  # up | down, for a gain
    reference: bool  # the baseline's side of a comparison ("from X to ...", "vs. X")
    doubt: str | None  # why a board should not rank it ("unnamed subject", "special setting (attacked)" ...)
    dataset: str | None
    dataset_key: str | None
    baseline: str | None
    qualifier: str | None
    sentence: str
    at: int  # where the number starts in the sentence
    tasks: tuple[str, ...] = ()  # keys of the Task entities the paper names


ROW_FIELDS = tuple(f.name for f in fields(ResultRow))


def _claim_of(data: dict[str, Any]) -> Claim:
    return Claim.from_dict({f.name: data.get(f.name) for f in fields(Claim)})


def result_rows(kg: KnowledgeGraph) -> list[ResultRow]:
    """Every claim of the graph as a row, in claim-id order."""
    papers = PaperFacts(kg.graph)
    return [claim_row(kg.graph, node, data, papers) for node, data in sorted(kg.claims())]


class PaperFacts:
    """What a claim's row takes from its paper, found once a paper: its record, the keys of the Task entities it
    names and of the entities it proposes."""

    def __init__(self, g: Any):
        self._g = g
        self._found: dict[str, tuple[dict[str, Any], tuple[str, ...], frozenset[str]]] = {}

    def of(self, pnode: str) -> tuple[dict[str, Any], tuple[str, ...], frozenset[str]]:
        if pnode not in self._found:
            g = self._g
            if not g.has_node(pnode):
                self._found[pnode] = ({}, (), frozenset())
            else:
                self._found[pnode] = (
                    g.nodes[pnode],
                    tuple(sorted({g.nodes[t]["key"] for t in g.successors(pnode) if g.nodes[t]["label"] == "Task"})),
                    frozenset(g.nodes[t]["key"] for _, t, rel in g.out_edges(pnode, keys=True) if rel == "PROPOSES"))
        return self._found[pnode]


def claim_row(g: Any, node: str, data: dict[str, Any], papers: PaperFacts) -> ResultRow:
    """The row of the claim ``node`` (its record ``data``) of the graph ``g``: what it needs of the graph is the
    claim's relationships and their ends, its paper's node, and the paper's relationships and their ends."""
    from kg.graph import paper_node  # here, not at the top: answering from the index needs no networkx

    claim = _claim_of(data)
    linked: dict[str, tuple[str, str, str]] = {}
    for _, target, rel in g.out_edges(node, keys=True):
        if rel in CLAIM_EDGES:
            found = g.nodes[target]
            linked[CLAIM_EDGES[rel]] = (found["name"], found["key"], found["label"])
    paper, tasks, proposed = papers.of(paper_node(data["paper_id"]))
    subject, subject_key, subject_type = linked.get("subject", (claim.subject, None, None))
    found = comparable(claim)
    if found.doubt is None and not _stated(claim, subject_key, proposed):
        found = replace(found, doubt="subject not in its sentence")
    dataset, dataset_key, _ = linked.get("dataset", (claim.dataset, None, None))
    return ResultRow(
        claim=data["id"], paper=data["paper_id"], title=paper.get("title") or "", date=paper.get("date"),
        subject=subject, subject_key=subject_key, subject_type=subject_type, value=claim.value,
        value_min=claim.value_min, value_max=claim.value_max, unit=claim.unit, metric=claim.metric,
        **found.to_dict(), dataset=dataset, dataset_key=dataset_key,
        baseline=linked.get("baseline", (claim.baseline, None))[0], qualifier=claim.qualifier,
        sentence=claim.text, at=claim.start - claim.text_start, tasks=tasks)


def _stated(claim: Claim, subject_key: str | None, proposed: frozenset[str]) -> bool:
    """Whether a claim's subject is named in its sentence or is what the paper proposes: a subject from
    neither ("DeepSeek-R1" for a speedup of the kernels it wrote) was guessed from the rest of the paper."""
    return bool(claim.subject) and (claim.subject.casefold() in claim.text.casefold() or subject_key in proposed)


@dataclass(frozen=True)
class Query:
    """What one leaderboard asks for; None matches anything."""

    metric: str | None = None
    dataset: str | None = None
    task: str | None = None
    kind: str | None = None
    unit: str | None = None
    since: str | None = None
    doubtful: bool = False  # also the rows with a doubt


def _matches_name(name: str | None, key: str | None, wanted: str, wanted_key: str) -> bool:
    return bool(name) and (
        wanted_key == key or name.casefold() == wanted.casefold() or key is None and wanted_key == canonical_key(name))


NOT_SUBJECTS = frozenset({"Dataset", "Metric", "Task"})  # what a result cannot belong to


def rankable(row: ResultRow, doubtful: bool = False) -> bool:
    """Whether a row can stand on a board: a number that is the claim's own (not the reference it is set
    against), a subject that can hold a result (a method or model, not the benchmark or the metric), and no
    doubt unless ``doubtful``."""
    return (row.value_min is not None and math.isfinite(row.value_min) and not row.reference
            and (doubtful or row.doubt is None)
            and bool(row.subject) and row.subject_type not in NOT_SUBJECTS
            and not (row.subject_key and row.subject_key == row.dataset_key))


def _metric_names(row: ResultRow) -> set[str]:
    """The names a query's metric finds a row by: its canonical metric and its metric as written, casefolded."""
    return {name.casefold() for name in (row.canonical_metric, row.metric) if name}


def by_metric(rows: list[ResultRow]) -> Callable[[str | None], list[ResultRow]]:
    """The rows a query naming a metric reads (every row when it names none), in their order, found by
    the metric: for a caller that asks many queries of the same rows (the view's boards)."""
    named: dict[str, list[ResultRow]] = {}
    for row in rows:
        for name in _metric_names(row):
            named.setdefault(name, []).append(row)
    return lambda metric: named.get(metric.casefold(), []) if metric else rows


def _selected(rows: Iterable[ResultRow], q: Query) -> list[ResultRow]:
    dataset_key = canonical_key(q.dataset) if q.dataset else ""
    task_key = canonical_key(q.task) if q.task else ""
    chosen = []
    for row in rows:
        if not rankable(row, q.doubtful):
            continue
        if q.metric and q.metric.casefold() not in _metric_names(row):
            continue
        if q.dataset and not _matches_name(row.dataset, row.dataset_key, q.dataset, dataset_key):
            continue
        if q.task and task_key not in row.tasks:
            continue
        if q.kind and row.kind != q.kind:
            continue
        if q.since and (row.date or "") < q.since:
            continue
        chosen.append(row)
    return chosen


def units(rows: Iterable[ResultRow], q: Query) -> Counter:
    """How many rows of each unit the query's other filters select ("" for a bare number)."""
    return Counter(r.unit or "" for r in _selected(rows, Query(**{**asdict(q), "unit": None})))


def signed_change(row: ResultRow) -> float | None:
    """A gain's value with its sign: negative when the change made things worse ("accuracy drops by 3%" is -3);
    a range counts by its smaller end, the least it claims."""
    if row.value_min is None:
        return None
    return -row.value_min if improves(row.better, row.change) is False else row.value_min


def _rank_key(row: ResultRow) -> tuple:
    if row.kind == "gain":
        return (-signed_change(row), row.date or "", row.claim)
    if row.better == "lower":
        top = row.value_max if row.value_max is not None else row.value_min
        return (top, row.date or "", row.claim)
    return (-row.value_min, row.date or "", row.claim)


def leaderboard(rows: Iterable[ResultRow], q: Query) -> list[ResultRow]:
    """The rows the query selects, of its unit (else the most common one), best first.

    Scores sort by the metric's direction (lower first for latency, WER,
    perplexity); gains by their signed change, so a drop in accuracy comes
    after every rise. A range counts by its worse end, the least it claims;
    ties go to the earlier paper.
    """
    chosen = _selected(rows, q)
    unit = q.unit
    if unit is None and chosen:
        counts = Counter(r.unit or "" for r in chosen)
        unit = min(counts, key=lambda u: (-counts[u], u))
    if unit is not None:
        chosen = [r for r in chosen if (r.unit or "") == ("" if unit in ("", "none") else unit)]
    return sorted(chosen, key=_rank_key)


@dataclass(frozen=True)
class MenuItem:
    metric: str
    dataset: str | None
    kind: str
    claims: int


def menu(rows: Iterable[ResultRow], size: int = MENU_SIZE, doubtful: bool = False) -> list[MenuItem]:
    """The (metric, dataset, kind) boards with the most claims: scores on a dataset, and gains."""
    counts: Counter = Counter()
    names: dict[tuple, str] = {}
    for row in rows:
        if not rankable(row, doubtful) or row.canonical_metric is None or row.kind == "budget" or (
                row.kind == "score" and not row.dataset):
            continue  # a score compares only on one dataset
        key = (row.canonical_metric, row.dataset_key or (canonical_key(row.dataset) if row.dataset else None), row.kind)
        counts[key] += 1
        names.setdefault(key, row.dataset)
    ranked = sorted(counts, key=lambda k: (-counts[k], k[0], k[1] or "", k[2]))
    return [MenuItem(k[0], names[k], k[2], counts[k]) for k in ranked[:size]]

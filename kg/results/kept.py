"""The results index kept in a store's update state (``kg.keyed`` rows): each claim's row and each entity's
timeline, made again only for the claims and entities an update touches, so that the index costs what the
update changes. ``index`` gives the ``ResultsIndex`` that ``build_index(kg, min_papers=1)`` makes of the whole
graph.

A claim's row reads the claim, the entities it links (their names, keys and types), its paper's record and the
entities the paper names (which are Tasks, which it proposes); an entity's timeline reads the papers that name
it and their months. So an update makes again the rows of the claims it changed, of the claims linking an entity
whose name or type changed, and of every claim of a paper whose record or relationships changed; and the
timelines of the entities it changed and of those its changed relationships reach (a paper added or removed
changes every relationship it states).
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx

from kg.graph import GraphChange, KnowledgeGraph, claim_node, entity_node, paper_node
from kg.keyed import EdgeRows, RowMap, Rows, decoded
from kg.results.index import (INDEX_MIN_PAPERS, ResultsIndex, build_index, index_frame, row_data, row_from,
                              timeline_data, timeline_from)
from kg.results.leaderboard import PaperFacts, claim_row
from kg.row_files import Listed
from kg.results.trends import EntityTimeline, month_of, role_edges, timeline_of

PER_MONTH = "papers_per_month"
PAPER, CLAIM, ENTITY = paper_node(""), claim_node(""), entity_node("")


def _dated_enough(text: str) -> bool:
    """Whether a timeline's row (``timeline_data``) is one the index file keeps."""
    return sum(json.loads(text)[3].values()) >= INDEX_MIN_PAPERS


def _looks(record: dict[str, Any] | None) -> tuple | None:
    """What a claim's row reads of an entity."""
    return None if record is None else (record.get("name"), record.get("key"), record.get("label"))


class KeptIndex:
    """Claim node -> its row, entity node -> its timeline (entities with a dated paper), paper node -> its month,
    and all papers per month, in a store's rows beside its graph's ``nodes`` and ``edges``."""

    def __init__(self, rows: Rows, saved: RowMap, nodes: RowMap, edges: EdgeRows):
        self.claims = rows.map("result_rows", lambda db, table: RowMap(db, table, row_data, row_from))
        self.timelines = rows.map("timelines", lambda db, table: RowMap(db, table, timeline_data, timeline_from))
        self.months = rows.map("paper_months")
        self._saved, self._nodes, self._edges = saved, nodes, edges

    def fill(self, g: nx.MultiDiGraph) -> None:
        """The index of the whole graph ``g`` into an empty state."""
        index = build_index(KnowledgeGraph(g), min_papers=1)
        self.claims.fill((claim_node(row.claim), row) for row in index.rows)
        self.timelines.fill((entity_node(timeline.key), timeline) for timeline in index.timelines)
        self.months.fill(sorted((node, month) for node, data in g.nodes(data=True)
                                if node.startswith(PAPER) and (month := month_of(data.get("date")))))
        self._saved[PER_MONTH] = index.papers_per_month

    def update(self, change: GraphChange, before: dict[str, dict[str, Any] | None],
               existed: set[tuple[str, str, str]]) -> None:
        """Follows an update of the graph's rows (written) by ``change``, ``before`` holding the records its nodes
        had before it (None: no node) and ``existed`` the relationships of ``change`` there before it."""
        after = {node: self._nodes.get(node) for node in change.nodes}
        ends = {end for edge in change.edges for end in edge[:2]}
        renamed = {n for n in change.nodes if n.startswith(ENTITY) and _looks(before[n]) != _looks(after[n])}
        retyped = {n for n in renamed if "Task" in {(before[n] or {}).get("label"), (after[n] or {}).get("label")}}
        papers = {n for n in change.nodes if n.startswith(PAPER)}
        facts_changed = papers | {u for u, v, _ in change.edges if u.startswith(PAPER) and v.startswith(ENTITY)}
        ring = self._edges.ends(renamed | facts_changed)
        naming_retyped = {u for u, v, _ in ring if u.startswith(PAPER) and v in retyped} - facts_changed
        ring |= self._edges.ends(naming_retyped)  # their claims
        facts_changed |= naming_retyped
        claims = ({n for n in change.nodes | ends if n.startswith(CLAIM)}
                  | {u for u, v, _ in ring if u.startswith(CLAIM) and v in renamed}
                  | {v for u, v, _ in ring if u in facts_changed and v.startswith(CLAIM)})
        entities = {n for n in change.nodes | ends if n.startswith(ENTITY)}  # a changed paper's: its edges changed
        months = {node: tuple(month_of((r or {}).get("date")) for r in (before[node], after[node])) for node in papers}
        self._patch_timelines(entities - renamed, change.edges, existed, months)
        self._follow_months(months)
        self._remake_claims(claims)
        self._remake_timelines(entities & renamed)

    def _follow_months(self, months: dict[str, tuple[str | None, str | None]]) -> None:
        """The months of the papers whose record changed (``months``: each one's before and after)."""
        per_month = Counter(self._saved.get(PER_MONTH, {}))
        self.months.read(months)
        for node, (old, new) in months.items():
            if old:
                per_month[old] -= 1
            if new:
                per_month[new] += 1
                self.months[node] = new
            elif node in self.months:
                del self.months[node]
        self._saved[PER_MONTH] = {m: n for m, n in sorted(per_month.items()) if n > 0}

    def _remake_claims(self, claims: set[str]) -> None:
        """The rows of ``claims``, from the part of the graph they read: the claims with their relationships, their
        papers with theirs, and every end of those relationships."""
        self._nodes.read(claims)
        found = {node: record for node in claims if (record := self._nodes.get(node)) is not None}
        their_papers = {paper_node(found[c]["paper_id"]) for c in found}
        ring = self._edges.ends(claims | their_papers)
        read = their_papers | {v for u, v, _ in ring if u in claims or u in their_papers}
        self._nodes.read(read)
        found.update((node, record) for node in read if (record := self._nodes.get(node)) is not None)
        g = nx.MultiDiGraph()
        g.add_nodes_from(found.items())
        g.add_edges_from(ring)
        facts = PaperFacts(g)
        self.claims.read(claims)
        for node in claims:
            if node in found:
                self.claims[node] = claim_row(g, node, found[node], facts)
            elif node in self.claims:
                del self.claims[node]

    def _patch_timelines(self, entities: set[str], edges: set[tuple[str, str, str]], existed: set[tuple[str, str, str]],
                         months: dict[str, tuple[str | None, str | None]]) -> None:
        """The timelines of ``entities``, whose records kept their name, key and type, patched by the papers that
        name them or stop naming them among the relationships ``edges`` changed (``existed``: those there before),
        each paper counted in its month before and after (``months``, for the papers whose record changed: a paper
        added, removed or changed changes every relationship it states, so a paper redated is among them)."""
        roles = role_edges()
        pairs = {(u, v) for u, v, rel in edges if v in entities and rel in roles and u.startswith(PAPER)}
        now = self._edges.present((u, v, rel) for u, v in pairs for rel in roles)

        def named(u: str, v: str, was: bool) -> bool:
            return any(((u, v, rel) in existed) if was and (u, v, rel) in edges else (u, v, rel) in now
                       for rel in roles)

        self.months.read(u for u, _ in pairs if u not in months)
        self.timelines.read(entities)
        self._nodes.read(v for _, v in pairs if v not in self.timelines)
        counts = {v: Counter((timeline := self.timelines.get(v)) and timeline.months) for _, v in pairs}
        for u, v in pairs:
            old, new = months.get(u) or (self.months.get(u),) * 2
            if old and named(u, v, True):
                counts[v][old] -= 1
            if new and named(u, v, False):
                counts[v][new] += 1
        for v, months_of in counts.items():
            timeline = self.timelines.get(v) or timeline_of(self._nodes[v], ())
            kept = {month: n for month, n in sorted(months_of.items()) if n > 0}
            if kept:
                self.timelines[v] = EntityTimeline(timeline.key, timeline.name, timeline.type, kept)
            elif v in self.timelines:
                del self.timelines[v]

    def _remake_timelines(self, entities: set[str]) -> None:
        """The timelines of ``entities``, from the relationships by which papers name them and the papers' months."""
        papers_of: dict[str, set[str]] = {node: set() for node in entities}
        for u, v, rel in self._edges.into(entities):
            if rel in role_edges() and u.startswith(PAPER):
                papers_of[v].add(u)
        self.months.read(set().union(*papers_of.values()))
        self._nodes.read(entities)
        self.timelines.read(entities)
        for node, papers in papers_of.items():
            record = self._nodes.get(node)
            timeline = timeline_of(record, map(self.months.get, papers)) if record and "key" in record else None
            if timeline is not None and timeline.months:
                self.timelines[node] = timeline
            elif node in self.timelines:
                del self.timelines[node]

    def file_layout(self, graph_path: Path) -> list[str | Listed]:
        """The results index file of the rows as written, for ``kg.row_files``: the bytes ``save_index`` writes of
        ``index()`` beside the graph file at ``graph_path`` (each claim's row, and the timelines of the entities
        with ``INDEX_MIN_PAPERS`` dated papers or more)."""
        head, middle, tail = index_frame(graph_path, self._saved.get(PER_MONTH, {}))
        return [head, Listed(self.claims, "", ","), middle, Listed(self.timelines, "", ",", keep=_dated_enough), tail]

    def index(self) -> ResultsIndex:
        """The whole index as written (``Rows.write``)."""
        return ResultsIndex([row_from(data) for data in decoded(self.claims.batches())],
                            [timeline_from(data) for data in decoded(self.timelines.batches())],
                            dict(self._saved.get(PER_MONTH, {})))

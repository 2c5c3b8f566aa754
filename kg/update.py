"""A graph kept up to date by the papers added and removed, at the cost of what they change.

``build_graph`` of a set of extractions is a pure function of the set; ``LiveGraph`` holds that graph
together with what an update needs to redo only its part of it: the corpus's resolution state
(``kg.resolve.ResolutionState``) and, for each key, the papers whose claims or relations find it by
name alone. After ``update`` the graph is the one ``build_graph`` makes of the papers now held, node
for node and relationship for relationship; the change says which nodes and relationships moved.
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from typing import Callable, Iterable, Iterator

import networkx as nx

from kg.extractions import extraction_text
from kg.files import compact_json
from kg.graph import (GRAPH_HEADER, NODE_FIELD, GraphChange, GraphPatch, KnowledgeGraph, build_graph,
                      names_looked_up)
from kg.ingest import title_key
from kg.keyed import RowMap, Rows, counter_map, decoded, pair_key_map, set_map
from kg.memory import collection_paused
from kg.records import Extraction, Paper
from kg.resolve import MentionTally, ResolutionChange, ResolutionState, tally
from kg.row_files import EXTRACTIONS_TABLE, NODES_TABLE, extractions_layout, graph_layout, whole
from kg.export.kept_view import KeptView
from kg.results.kept import KeptIndex

TERM_MODULUS = 2 ** 128
COUNTS = "counts"  # the state's entry: the graph's nodes by label and relationships by type


class LiveGraph:
    """The graph of a set of papers, and what updating it needs.

    ``extraction_of`` gives the extraction of a paper held (the store's record): an update reads the ones
    whose names now resolve differently.
    """

    def __init__(self, extractions: Iterable[Extraction], extraction_of: Callable[[str], Extraction],
                 user_aliases: dict[str, str] | None = None):
        ordered, self.state, self.graph, self.lookups = _made_whole(extractions, user_aliases)
        self.extraction_of = extraction_of
        self.held = {extraction.paper.id for extraction in ordered}

    def _look_up(self, extraction: Extraction, add: bool) -> None:
        pid = extraction.paper.id
        for key in names_looked_up(extraction, self.state.resolution):
            if add:
                self.lookups[key].add(pid)
            else:
                self.lookups[key].discard(pid)

    def update(self, added: list[Extraction], removed: list[Extraction]) -> GraphChange:
        """Adds the papers of ``added`` (none held yet) and removes those of ``removed`` (held, as they were
        added)."""
        gone = [extraction.paper.id for extraction in removed]
        _check_new(added, self.held.__contains__, gone)
        for extraction in removed:
            self._look_up(extraction, add=False)
        change = self.state.update(tally(added), tally(removed))
        restated = _restated(change, self.lookups, gone, added)
        for extraction in added:
            self._look_up(extraction, add=True)
        self.held = (self.held - set(gone)) | {extraction.paper.id for extraction in added}
        return GraphPatch(change, added, removed, [self.extraction_of(pid) for pid in restated]).apply(self.graph)


def _made_whole(extractions: Iterable[Extraction], user_aliases: dict[str, str] | None
                ) -> tuple[list[Extraction], ResolutionState, KnowledgeGraph, dict[str, set[str]]]:
    """What a build makes of ``extractions`` and an update needs: the extractions in paper id order, their
    resolution state and graph, and the papers whose claims or relations find each key by name alone."""
    ordered = sorted(extractions, key=lambda e: e.paper.id)
    state = ResolutionState(tally(ordered), user_aliases)
    lookups: dict[str, set[str]] = defaultdict(set)
    for extraction in ordered:
        for key in names_looked_up(extraction, state.resolution):
            lookups[key].add(extraction.paper.id)
    return ordered, state, build_graph(ordered, state.resolution), lookups


def _check_new(added: list[Extraction], held: Callable[[str], bool], removed: list[str]) -> None:
    twice = sorted(pid for pid, n in Counter(x.paper.id for x in added).items() if n > 1)
    if twice:
        raise ValueError(f"papers added twice in one update: {', '.join(twice[:5])}")
    again = sorted({x.paper.id for x in added if held(x.paper.id)} - set(removed))
    if again:
        raise ValueError(f"the graph already holds {', '.join(again[:5])}: remove a paper before adding it again")


def _node_record(g: nx.MultiDiGraph, node: str) -> dict:
    """A node's row: its record in ``graph.json``."""
    return {NODE_FIELD: node, **g.nodes[node]}


def _edge_text(g: nx.MultiDiGraph, u: str, v: str, k: str) -> str:
    """A relationship's row: its record in ``graph.json``, as text."""
    return compact_json({"source": u, "target": v, "key": k, **g.edges[u, v, k]})


def _definitions_data(definitions: dict[str, Counter]) -> dict[str, dict[str, int]]:
    return {key: dict(counts) for key, counts in sorted(definitions.items())}


def _definitions_from(data: dict[str, dict[str, int]]) -> defaultdict[str, Counter]:
    return defaultdict(Counter, {key: Counter(counts) for key, counts in data.items()})


def _appeared_or_went(change: ResolutionChange) -> list[str]:
    return [key for key in change.entities if (key in change.before.entities) != (key in change.after.entities)]


def _restated(change: ResolutionChange, lookups, removed: list[str], added: list[Extraction]) -> list[str]:
    """The papers that stay but resolve differently: a name of theirs now has another key, or a key their
    claims or relations find by name alone (``lookups``: key -> papers) appeared or went."""
    found = change.moved.union(*(lookups.get(key, ()) for key in _appeared_or_went(change)))
    return sorted(found - set(removed) - {x.paper.id for x in added})


def _extraction_map(db, table: str) -> RowMap:
    """Each paper's extraction, its row the paper's line of ``extractions.jsonl``."""
    return RowMap(db, table, decode=Extraction.from_dict, dumps=extraction_text)


def _paper_hash(record: dict, extractor: str) -> bytes:
    return hashlib.sha1((compact_json(record) + "\0" + extractor).encode()).digest()


def paper_term(extraction: Extraction) -> int:
    """A paper's part of its store's fingerprint: a hash of its record and of how it was extracted, as a number.
    A store sums its papers' terms (mod ``TERM_MODULUS``): any order of adds and removes gives the same sum."""
    return int.from_bytes(_paper_hash(extraction.paper.to_dict(), extraction.extractor)[:16], "big")


def _record_digest(paper: Paper, extractor: str) -> str:
    """What makes a paper held the same paper: its record but where it was read from, and its extractor."""
    return _paper_hash({**paper.to_dict(), "source": None}, extractor).hex()


class HeldPapers:
    """What a build's planning and the store's fingerprint need to know of the papers held, without reading
    their extractions: each paper's record (``_record_digest``), the papers under each normalised title, and
    how many papers there are with the sum of their terms (``paper_term``)."""

    def __init__(self, rows: Rows, saved: RowMap):
        self.records = rows.map("held")
        self.titles = rows.map("titles", set_map)
        self._saved = saved
        self._tally = saved.get("held", {"count": 0, "sum": 0})

    @property
    def count(self) -> int:
        return self._tally["count"]

    @property
    def total(self) -> int:
        """The sum of the papers' terms."""
        return self._tally["sum"]

    def read(self, papers: Iterable[Paper]) -> None:
        """Reads at once the rows that ``holds`` and ``titled`` will look up for ``papers``."""
        papers = list(papers)
        self.records.read(paper.id for paper in papers)
        self.titles.read({key for paper in papers if (key := title_key(paper))})

    def __contains__(self, paper_id: str) -> bool:
        return paper_id in self.records

    def holds(self, paper: Paper, extractor: str) -> bool:
        """Whether this paper is held as it is (where it was read from aside), extracted by ``extractor``."""
        return self.records.get(paper.id) == _record_digest(paper, extractor)

    def titled(self, paper: Paper) -> str | None:
        """The id of the paper held under ``paper``'s normalised title (the greatest, should there be two)."""
        key = title_key(paper)
        ids = self.titles.get(key) if key else None
        return max(ids) if ids else None

    def add(self, extraction: Extraction) -> None:
        paper = extraction.paper
        self.records[paper.id] = _record_digest(paper, extraction.extractor)
        if key := title_key(paper):
            self.titles[key].add(paper.id)
        self._count(1, paper_term(extraction))

    def fill(self, extractions: list[Extraction]) -> None:
        """Holds ``extractions`` (distinct papers) when nothing is held yet, their rows written in bulk."""
        titles: dict[str, set[str]] = defaultdict(set)
        for x in extractions:
            if key := title_key(x.paper):
                titles[key].add(x.paper.id)
        self.records.fill((x.paper.id, _record_digest(x.paper, x.extractor)) for x in extractions)
        self.titles.fill(sorted(titles.items()))
        self._count(len(extractions), sum(map(paper_term, extractions)) % TERM_MODULUS)

    def remove(self, extraction: Extraction) -> None:
        paper = extraction.paper
        del self.records[paper.id]
        if key := title_key(paper):
            self.titles[key].discard(paper.id)
        self._count(-1, -paper_term(extraction))

    def _count(self, papers: int, term: int) -> None:
        self._tally = {"count": self.count + papers, "sum": (self.total + term) % TERM_MODULUS}
        self._saved["held"] = self._tally


class StoredGraph:
    """The same update, its state kept in a store's rows (``kg.keyed``): the tally of every paper's names, the
    model families, the papers that find each key by name alone, every paper's extraction, what is ``held``,
    and the graph as the node-link records of ``graph.json``. ``update`` reads the rows it needs and writes those
    it changes into the open transaction (``graph``, ``graph_json`` and ``extractions_jsonl`` read them as
    updated); ``Rows.commit`` makes them the store's at once.
    """

    def __init__(self, rows: Rows, user_aliases: dict[str, str] | None = None):
        self.rows = rows
        self.saved = rows.map("state")
        self.extractions = rows.map(EXTRACTIONS_TABLE, _extraction_map)
        self.lookups = rows.map("lookups", set_map)
        self.nodes = rows.map(NODES_TABLE)
        self.edges = rows.edges()
        self.held = HeldPapers(rows, self.saved)
        self.results = KeptIndex(rows, self.saved, self.nodes, self.edges)
        self.view = KeptView(rows, self.saved, self.edges)
        self.tally = MentionTally(
            definitions=_definitions_from(self.saved.get("definitions", {})),
            surfaces=rows.map("surfaces", counter_map), votes=rows.map("votes", counter_map),
            papers=rows.map("papers", set_map), keys=rows.map("paper_keys", pair_key_map))
        kept = self.saved.get("resolution", {"aliases": user_aliases or {}})  # never empty, so always written
        if user_aliases is not None and kept["aliases"] != user_aliases:
            raise ValueError("the store was resolved with other aliases")
        self.aliases = kept["aliases"]
        self.state = ResolutionState(self.tally, self.aliases, self.saved.get("families"))
        self.saved["resolution"] = kept
        self._whole: KnowledgeGraph | None = None  # the graph in memory, when the last update made it whole

    def update(self, added: list[Extraction], removed: list[str]) -> GraphChange:
        """Adds the papers of ``added`` (none held yet) and removes those whose ids are ``removed``."""
        if not self.held.count and not removed:
            return self._fill(added)
        self._whole = None
        self.extractions.read([*removed, *(x.paper.id for x in added)])
        _check_new(added, self.extractions.__contains__, removed)
        gone = [self.extractions[pid] for pid in removed]
        self.held.read(x.paper for x in (*gone, *added))
        added_tally, removed_tally = tally(added), tally(gone)
        self._read_tally(added_tally, removed_tally)
        before = self.state.resolution
        looked_up = {pid: names_looked_up(x, before) for pid, x in zip(removed, gone)}
        self.lookups.read(set().union(*looked_up.values()))
        for pid, keys in looked_up.items():
            for key in keys:
                self.lookups[key].discard(pid)
        change = self.state.update(added_tally, removed_tally)
        self.lookups.read(_appeared_or_went(change))
        restated_ids = _restated(change, self.lookups, removed, added)
        self.extractions.read(restated_ids)
        patch = GraphPatch(change, added, gone, [self.extractions[pid] for pid in restated_ids])
        graph = self._part(*patch.reads())
        read = set(graph.graph.edges(keys=True))  # every relationship the patch changes is one it read, if held
        graph_change = patch.apply(graph)
        existed = graph_change.edges & read
        before = self._write(graph.graph, graph_change, existed)
        for x in gone:
            del self.extractions[x.paper.id]
            self.held.remove(x)
        found = {x.paper.id: names_looked_up(x, change.after) for x in added}
        self.lookups.read(set().union(*found.values()))
        for x in added:
            self.extractions[x.paper.id] = x
            self.held.add(x)
            for key in found[x.paper.id]:
                self.lookups[key].add(x.paper.id)
        self.saved["definitions"] = _definitions_data(self.tally.definitions)
        self.saved["families"] = self.state.families.to_data()
        self.rows.write()
        self.results.update(graph_change, before, existed)  # reads the graph's rows as written
        if self.view.filled:
            self.view.update(graph.graph, graph_change)
        self.rows.forget()
        return graph_change

    def _fill(self, added: list[Extraction]) -> GraphChange:
        """The rows of an empty state: every paper tallied, resolved and built at once, as a build does, and the
        rows written in bulk (the rows ``update`` would write). The graph is kept for ``graph``."""
        _check_new(added, lambda _: False, [])
        ordered, state, graph, lookups = _made_whole(added, self.aliases)
        t = state.tally
        for table, values in ((self.tally.surfaces, t.surfaces), (self.tally.votes, t.votes),
                              (self.tally.papers, t.papers), (self.tally.keys, t.keys)):
            table.fill(sorted(values.items()))
        self.tally.definitions = _definitions_from(t.definitions)
        self.lookups.fill(sorted(lookups.items()))
        self.extractions.fill((x.paper.id, x) for x in ordered)
        self.held.fill(ordered)
        g = graph.graph
        self.nodes.fill((node, _node_record(g, node)) for node in sorted(g.nodes))
        self.edges.fill((u, v, k, _edge_text(g, u, v, k)) for u, v, k in sorted(g.edges(keys=True)))
        self.saved[COUNTS] = {"nodes": graph.node_counts(), "relationships": graph.relationship_counts()}
        self.view.clear()  # made from the whole graph when a page is written
        self.saved["definitions"] = _definitions_data(t.definitions)
        self.saved["families"] = state.families.to_data()
        self.state = ResolutionState(self.tally, self.aliases, self.saved["families"])
        self.results.fill(g)
        self.rows.forget()
        self._whole = graph
        return GraphChange(set(g.nodes), set(g.edges(keys=True)))

    def _read_tally(self, *tallies: MentionTally) -> None:
        """Reads at once the tally's rows an update will touch (one query a batch, not one a key)."""
        raw = set().union(*(t.votes.keys() | t.surfaces.keys() | t.papers.keys() for t in tallies))
        for table in (self.tally.surfaces, self.tally.votes, self.tally.papers):
            table.read(raw)
        self.tally.keys.read(set().union(*(t.keys for t in tallies)))

    def _part(self, nodes: set[str], edges: set[tuple[str, str, str]], around: set[str]) -> KnowledgeGraph:
        """The part of the stored graph a patch reads."""
        g = nx.MultiDiGraph()
        self.nodes.read(nodes)
        for node in nodes:
            record = self.nodes.get(node)
            if record is not None:
                g.add_node(node, **{k: v for k, v in record.items() if k != NODE_FIELD})
        for (u, v, key), record in {**self.edges.read(edges), **self.edges.touching(around)}.items():
            g.add_edge(u, v, key=key, **{k: val for k, val in record.items() if k not in ("source", "target", "key")})
        return KnowledgeGraph(g)

    def _write(self, g: nx.MultiDiGraph, change: GraphChange, existed: set[tuple[str, str, str]]
               ) -> dict[str, dict | None]:
        """Writes the rows of the nodes and relationships that changed (``existed``: those held before), and their
        counts by label and type; returns the nodes' records before."""
        self.nodes.read(change.nodes)
        before = {node: self.nodes.get(node) for node in change.nodes}
        nodes, relationships = (Counter(self.saved[COUNTS][part]) for part in ("nodes", "relationships"))
        for node in change.nodes:
            if before[node] is not None:
                nodes[before[node]["label"]] -= 1
            if node in g and "label" in g.nodes[node]:
                self.nodes[node] = _node_record(g, node)
                nodes[g.nodes[node]["label"]] += 1
            elif node in self.nodes:
                del self.nodes[node]
        relationships.subtract(k for _, _, k in existed)
        self.edges.put({(u, v, k): _edge_text(g, u, v, k) if g.has_edge(u, v, k) else None
                        for u, v, k in change.edges})
        relationships.update(k for u, v, k in change.edges if g.has_edge(u, v, k))
        self.saved[COUNTS] = {part: {name: n for name, n in sorted(counts.items()) if n > 0}
                              for part, counts in (("nodes", nodes), ("relationships", relationships))}
        return before

    def counts(self) -> tuple[dict[str, int], dict[str, int]]:
        """The graph's nodes by label and relationships by type, as ``KnowledgeGraph.node_counts`` and
        ``relationship_counts`` give them."""
        counts = self.saved[COUNTS]
        return counts["nodes"], counts["relationships"]

    def graph(self) -> KnowledgeGraph:
        """The whole graph as updated, the one ``KnowledgeGraph.load`` of its ``graph.json`` gives (or as a build
        made it, when the update filled an empty state)."""
        if self._whole is not None:
            return self._whole
        g = nx.MultiDiGraph(**GRAPH_HEADER)
        with collection_paused():  # a batch of rows at a time, never the whole graph's text or data beside it
            for record in decoded(self.nodes.batches()):
                g.add_node(record.pop(NODE_FIELD), **record)
            for record in decoded(self.edges.batches()):
                g.add_edge(record.pop("source"), record.pop("target"), record.pop("key"), **record)
        return KnowledgeGraph(g)

    def graph_json(self) -> Iterator[str]:
        """``graph.json`` of the graph as updated, made whole, a piece at a time."""
        return whole(graph_layout(self.nodes, self.edges))

    def extractions_jsonl(self) -> Iterator[str]:
        """``extractions.jsonl`` of the papers held, made whole, a batch of lines at a time."""
        return whole(extractions_layout(self.extractions))

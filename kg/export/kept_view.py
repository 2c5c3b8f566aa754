"""The view kept in a store's update state (``kg.keyed`` rows): the page's payload as rows, so that an update
writes the view in the time of what it changed, never reading the whole graph.

Each node keeps a slot of ``n`` for as long as it stays (a removed node leaves its slot free, a new one takes
the next), so the records that name nodes (relationships, claims, evidence, topics) stay valid as the graph
changes, and only the records of the nodes and relationships an update changed are made again. The order of
the entities by degree is a list of its own (``o``), kept by each node's degree in its row; the topics are the
ones found when the view was laid out, an entity that was not in one taking the topic its papers name (the
page finds it). A node keeps its position; a new one is placed beside its neighbours when the page is written
(``kg.export.layout.placed_beside``). The sentences are stored once, with the number of records citing them,
so a sentence goes when its last record does.

``fill`` makes the rows of a whole graph's view (``kg.export.html.make_view``), and a page written from them
is the one ``write_html`` writes of that graph, byte for byte; ``update`` follows a change of the graph's rows;
``write`` writes the page and its layout from the rows.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from kg.chunks import chunked
from kg.export.html import (BY_PAPERS, PAYLOAD_VERSION, UNFOLDED_MAX, View, edge_record, headlines_of,
                            node_record, node_types, page, resolve_top, safe_json)
from kg.export.layout import POSITIONS_START, placed_beside, position_text, positions_end
from kg.export.view_results import results_data, timelines_data
from kg.files import JSON_BATCH, json_pieces
from kg.graph import GraphChange, entity_node, paper_node
from kg.keyed import EdgeRows, RowMap, Rows, Written, between_rows, select_in
from kg.results.index import ResultsIndex
from kg.row_files import Listed, write_files
from kg.schema import load_schema

VIEW = "view"  # the state's entry: the payload's version and the topics, by their members' nodes
ENTITY = entity_node("")
_HEAD = 3  # a node record's type, x and y: the rest is kept as text


def _tail(record: list[Any]) -> str:
    """A node record's text after its type and position (its items and the closing bracket)."""
    return safe_json(record[_HEAD:])[1:]


def _record_text(kind: int, x: int, y: int, tail: str) -> str:
    return f"[{kind},{x},{y},{tail}"


def _sentences_of(record: list[Any], claim: bool) -> list[int]:
    """The places in ``s`` a node's (``claim``) or a relationship's record cites."""
    if claim:
        return [record[-1]] if record[-1] >= 0 else []
    return record[3][1::2] if len(record) > 3 else []


class KeptView:
    """The payload's rows: each node's slot, type, position, topic, degree and record (``view_nodes``), each
    relationship's record (``view_edges``), the sentences (``view_sentences``), and the topics (``saved``)."""

    def __init__(self, rows: Rows, saved: RowMap, edges: EdgeRows):
        self._db = rows.db
        self._saved, self._graph_edges = saved, edges
        self._edges = rows.edges("view_edges")
        self._db.execute("CREATE TABLE IF NOT EXISTS view_nodes (slot INTEGER PRIMARY KEY, node TEXT NOT NULL UNIQUE, "
                         "kind INTEGER NOT NULL, x INTEGER, y INTEGER, topic INTEGER NOT NULL, "
                         "degree INTEGER NOT NULL, tail TEXT NOT NULL)")
        self._db.execute("CREATE TABLE IF NOT EXISTS view_sentences (place INTEGER PRIMARY KEY, "
                         "text TEXT NOT NULL UNIQUE, uses INTEGER NOT NULL)")
        self.types = node_types()
        self._type_index = {t: i for i, t in enumerate(self.types)}
        self._rels = list(load_schema().relationship_types)
        self._rel_index = {r: i for i, r in enumerate(self._rels)}
        self._entity_kinds = len(self.types) - 2
        self._cited: Counter[int] = Counter()  # an update's change of each sentence's uses
        self._places: dict[str, int] = {}  # the sentences an update looked up, by their text
        self._node_texts = _Places(self._db, "view_nodes", ("kind", "x", "y", "tail"), "slot",
                                   lambda: self._saved[VIEW]["slots"], _record_text)
        self._sentence_texts = _Places(self._db, "view_sentences", ("text",), "place",
                                       lambda: self._saved[VIEW]["places"])
        self._positions = _Positions(self._db)

    @property
    def filled(self) -> bool:
        """Whether the rows hold a view (else ``fill`` makes them)."""
        return VIEW in self._saved

    def clear(self) -> None:
        for table in ("view_nodes", "view_edges", "view_sentences"):
            self._db.execute(f"DELETE FROM {table}")
        for table in (self._node_texts, self._sentence_texts, self._edges, self._positions):
            table.written = None
        if VIEW in self._saved:
            del self._saved[VIEW]

    def fill(self, view: View) -> None:
        """The rows of ``view``, a whole graph's (``make_view``), into rows holding none."""
        self.clear()
        data = view.data
        topic = data["c"]
        claim = self._type_index["Claim"]
        uses = [0] * len(data["s"])
        rows = []
        for slot, (node, record, degree) in enumerate(zip(view.nodes, data["n"], view.degree)):
            for place in _sentences_of(record, True) if record[0] == claim else ():
                uses[place] += 1
            rows.append((slot, node, record[0], record[1], record[2], topic[slot] if slot < len(topic) else -1,
                         degree, _tail(record)))
        self._db.executemany("INSERT INTO view_nodes VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        for record in data["e"]:
            for place in _sentences_of(record, False):
                uses[place] += 1
        self._edges.fill((*key, safe_json(record)) for key, record in sorted(zip(view.edges, data["e"])))
        self._db.executemany("INSERT INTO view_sentences VALUES (?, ?, ?)",
                             ((place, safe_json(text), n) for place, (text, n) in enumerate(zip(data["s"], uses)) if n))
        self._saved[VIEW] = {"slots": len(view.nodes), "places": len(data["s"]),
                             "topics": [[name, [view.nodes[m] for m in members]] for name, members in data["C"]]}

    # ---- an update -----------------------------------------------------------------------------------------

    def update(self, g: nx.MultiDiGraph, change: GraphChange) -> None:
        """Follows ``change``, the graph's rows updated from ``g``, the part of the graph it patched."""
        def present(node: str) -> bool:
            return node in g and "label" in g.nodes[node]

        nodes = sorted(change.nodes)
        old = self._rows(nodes)
        gone = [node for node in nodes if node in old and not present(node)]
        for node in gone:
            self._release_node(old[node])
        self._db.executemany("DELETE FROM view_nodes WHERE node = ?", [(node,) for node in gone])
        new = [node for node in nodes if node not in old and present(node)]
        saved = self._saved[VIEW]
        start = saved["slots"]  # never a slot used before: a record left naming a removed node names none
        self._db.executemany("INSERT INTO view_nodes VALUES (?, ?, 0, NULL, NULL, -1, 0, '')",
                             [(start + i, node) for i, node in enumerate(new)])
        self._saved[VIEW] = {**saved, "slots": start + len(new)}
        member_of = {m: k for k, (_, members) in enumerate(saved["topics"]) for m in members}
        slots = _SlotsOf(self._db)
        slots.read(set(nodes) | {end for edge in change.edges for end in edge[:2]} | _papers_cited(g, change))
        made = []
        for node in nodes:
            if not present(node):
                continue
            record = node_record(g.nodes[node], self._type_index, slots.get, self._cite)
            if node in old:
                self._release_node(old[node])
                topic = old[node][4]
            else:  # an entity back in the view is back in its topic
                topic = member_of.get(node, BY_PAPERS) if record[0] < self._entity_kinds else -1
            made.append((record[0], topic, _tail(record), node))
        self._db.executemany("UPDATE view_nodes SET kind = ?, topic = ?, tail = ? WHERE node = ?", made)
        self._node_texts.wrote([old[node][0] for node in gone] + [slots.get(node) for *_, node in made])
        self._positions.wrote(gone + new)  # the others keep theirs
        edges = sorted(change.edges)
        before = self._edges.read(edges)
        self._edges.put({
            (u, v, k): safe_json(edge_record(slots.get(u), slots.get(v), self._rel_index[k], g.edges[u, v, k],
                                             u.startswith(ENTITY), slots.get, self._cite))
            if g.has_edge(u, v, k) else None
            for u, v, k in edges})
        for record in before.values():
            self._release(_sentences_of(record, False))
        self._edges.write()
        self._count_citations()
        ends = {end for edge in edges for end in edge[:2] if end.startswith(ENTITY)} | set(new)
        self._db.executemany("UPDATE view_nodes SET degree = ? WHERE node = ?",  # entities only are ordered by it
                             [(self._graph_edges.degree(node), node) for node in sorted(ends)
                              if node.startswith(ENTITY) and node in slots])

    def _rows(self, nodes: list[str]) -> dict[str, tuple]:
        """The rows of ``nodes`` that have one: (slot, node, kind, ..., tail) by node."""
        return {row[1]: row for row in select_in(
            self._db, "SELECT slot, node, kind, x, topic, tail FROM view_nodes WHERE node IN", nodes)}

    def _release_node(self, row: tuple) -> None:
        kind, tail = row[2], row[5]
        if kind == self._type_index["Claim"]:
            self._release(_sentences_of(json.loads(_record_text(kind, 0, 0, tail)), True))

    def _cite(self, text: str) -> int:
        """The place of ``text`` in ``s`` (a new one for a new sentence), cited once more."""
        encoded = safe_json(text)
        place = self._places.get(encoded)
        if place is None:
            found = self._db.execute("SELECT place FROM view_sentences WHERE text = ?", (encoded,)).fetchone()
            place = found[0] if found else self._db.execute(
                "INSERT INTO view_sentences (text, uses) VALUES (?, 0)", (encoded,)).lastrowid
            self._places[encoded] = place
        self._cited[place] += 1
        return place

    def _release(self, places: Iterable[int]) -> None:
        """Cites each of ``places`` once less."""
        self._cited.subtract(places)

    def _count_citations(self) -> None:
        """Writes the update's change of each sentence's uses (a record made again citing what it cited costs
        nothing), and drops the sentences no record cites."""
        changed = sorted((n, place) for place, n in self._cited.items() if n)
        self._db.executemany("UPDATE view_sentences SET uses = uses + ? WHERE place = ?", changed)
        self._db.executemany("DELETE FROM view_sentences WHERE place = ? AND uses <= 0",
                             [(place,) for place in sorted(self._cited)])
        self._sentence_texts.wrote(self._cited)
        if self._cited:
            saved = self._saved[VIEW]
            self._saved[VIEW] = {**saved, "places": max(saved["places"], max(self._cited) + 1)}
        self._cited.clear()
        self._places.clear()

    # ---- the page ------------------------------------------------------------------------------------------

    def write(self, html_path: Path, layout_path: Path, results: ResultsIndex, before: Path) -> None:
        """Writes the page (``kg.export.html``: the store's, every entity most connected first drawn up to the
        default ``top``) and its layout from the rows; new nodes are placed first. The page's sentences, nodes
        and relationships, and the layout's positions, are lists of rows (``kg.row_files``): the blocks that
        this session's update did not change are copied from the files of the same names in ``before``, the
        folder of the version before (a build updates the rows and writes their files in one session)."""
        rows = self._db.execute("SELECT slot, node, kind, x, y, topic FROM view_nodes ORDER BY slot").fetchall()
        slot_of = {node: slot for slot, node, *_ in rows}
        xy = {slot: (x, y) for slot, _, _, x, y, _ in rows}
        placed = self._place_new(rows, slot_of, xy)
        order = [slot for (slot,) in self._db.execute(
            "SELECT slot FROM view_nodes WHERE kind < ? ORDER BY degree DESC, node", (self._entity_kinds,))]
        top = resolve_top(None, len(rows))
        drawn = order if top is None else order[:top]
        topics = self._saved[VIEW]["topics"]
        groups = [[slot_of[m] for m in members if m in slot_of] for _, members in topics]
        headline = self._headlines(drawn, groups, placed, xy)
        topic: list[int] = []
        for slot, _, kind, _, _, k in rows:
            if kind < self._entity_kinds:
                topic += [-1] * (slot - len(topic)) + [k]
        member_of = {m: k for k, (_, members) in enumerate(topics) for m in members if m in slot_of}
        del rows, xy
        head = _json_text({
            "v": PAYLOAD_VERSION,
            "T": self.types,
            "R": self._rels,
            "top": top or 0,
            "papers": len(slot_of) <= UNFOLDED_MAX,
            "physics": False,
            "C": [[name, members] for (name, _), members in zip(topics, groups)],
            "c": topic,
            "o": order,
            "L": headline,
        })
        tail = _json_text({**results_data(slot_of, results.rows, self._claim_links),
                           **timelines_data(results, slot_of)})
        self._node_texts.end()
        self._sentence_texts.end()
        payload = [head[:-1] + ',"s":[', Listed(self._sentence_texts, "", ","), '],"n":[',
                   Listed(self._node_texts, "", ","), '],"e":[', Listed(self._edges, "", ","),
                   "]" + ("," + tail[1:] if tail != "{}" else "}")]
        write_files(self._saved, {html_path.name: list(page(payload)),
                                  layout_path.name: [POSITIONS_START, Listed(self._positions, "", ","),
                                                     positions_end(member_of)]}, html_path.parent, before)

    def _claim_links(self, claim: str) -> dict[str, str]:
        return {rel: target for _, target, rel in self._graph_edges.out_of([claim])}

    def _headlines(self, drawn: list[int], groups: list[list[int]], placed: set[int],
                   xy: dict[int, tuple[int, int]]) -> list[int]:
        """The headline labels' slots (``kg.export.html.headlines_of``); a new node among them may move (in ``xy``
        and in its row)."""
        records = {slot: json.loads(_record_text(kind, 0, 0, tail)) for slot, kind, tail in select_in(
            self._db, "SELECT slot, kind, tail FROM view_nodes WHERE slot IN", drawn)}
        local = {slot: i for i, slot in enumerate(drawn)}
        positions = np.array([xy[slot] for slot in drawn], dtype=float).reshape(-1, 2)
        movable = np.array([slot in placed for slot in drawn], dtype=bool)
        chosen = headlines_of([[local[m] for m in members if m in local] for members in groups],
                              [records[slot] for slot in drawn], positions, movable)
        moved = [(int(positions[i, 0]), int(positions[i, 1]), drawn[i]) for i in np.flatnonzero(movable)]
        self._db.executemany("UPDATE view_nodes SET x = ?, y = ? WHERE slot = ?", moved)  # only new nodes move: written
        xy.update((slot, (x, y)) for x, y, slot in moved)
        return [drawn[i] for i in chosen]

    def _place_new(self, rows: list[tuple], slot_of: dict[str, int], xy: dict[int, tuple[int, int]]) -> set[int]:
        """Places the nodes without a position (of ``rows``, by slot) beside their neighbours, in ``xy`` and in their
        rows; returns their slots."""
        new = [i for i, row in enumerate(rows) if row[3] is None]
        if not new:
            return set()
        index = {slot: i for i, (slot, *_) in enumerate(rows)}
        placed = np.array([row[3] is not None for row in rows])
        pos = np.array([(row[3] or 0, row[4] or 0) for row in rows], dtype=float).reshape(-1, 2)
        around: dict[int, set[int]] = {i: set() for i in new}
        for u, v, _ in self._graph_edges.ends(rows[i][1] for i in new):
            a, b = index[slot_of[u]], index[slot_of[v]]
            around.setdefault(a, set()).add(b)
            around.setdefault(b, set()).add(a)
        parents = [i for i in around if placed[i]]
        children = {i: self._graph_edges.neighbours(rows[i][1]) - len(around[i]) for i in parents}
        done = placed_beside(pos, placed, {i: sorted(ms) for i, ms in around.items()}, children)
        at = [(int(done[i, 0]), int(done[i, 1]), rows[i][0]) for i in new]
        self._db.executemany("UPDATE view_nodes SET x = ?, y = ? WHERE slot = ?", at)
        self._node_texts.wrote(slot for *_, slot in at)
        xy.update((slot, (x, y)) for x, y, slot in at)
        return {rows[i][0] for i in new}


def _json_text(data: dict[str, Any]) -> str:
    return "".join(json_pieces(data, safe_json))


class _Places(Written):
    """The texts of a table's rows by their integer place (a node's slot, a sentence's place) as a list of the page
    (``kg.row_files.Listed``): item ``i`` is the row at place ``i``, a free place written as 0, up to the last row.
    ``end`` is called before the page is written."""

    def __init__(self, db: sqlite3.Connection, table: str, columns: tuple[str, ...], place: str,
                 most: Callable[[], int], text: Callable[..., str] | None = None):
        self._db, self._table, self._columns, self._place = db, table, columns, place
        self._most, self._text = most, text
        self._max = f"SELECT max({place}) FROM {table}"
        self._end = 0
        super().__init__()  # written: the places changed

    def end(self) -> None:
        """Finds where the list ends, and counts as written the places past it up to ``most()``, the most there
        have been: the blocks that held them in a longer list before are not copied."""
        last = self._db.execute(self._max).fetchone()[0]
        self._end = 0 if last is None else last + 1
        self.wrote(range(self._end, self._most()))

    def _filled(self, rows: Iterable[tuple], start: int, stop: int) -> Iterator[tuple[int, str]]:
        at = start
        for place, *row in rows:
            yield from ((free, "0") for free in range(at, place))
            yield place, row[0] if self._text is None else self._text(*row)
            at = place + 1
        yield from ((free, "0") for free in range(at, stop))

    def between(self, low: int | None, high: int | None) -> list[tuple[int, str]]:
        start, stop = low or 0, self._end if high is None else min(high, self._end)
        rows = between_rows(self._db, self._table, self._place, start, stop, self._columns)
        return list(self._filled(rows, start, stop))

    def batches(self) -> Iterator[list[str]]:
        rows = between_rows(self._db, self._table, self._place, None, None, self._columns)
        yield from chunked((text for _, text in self._filled(rows, 0, self._end)), JSON_BATCH)


class _Positions(Written):
    """Each node's item of the layout file's positions (``kg.export.layout.position_text``), in node order, as a
    list of the file (``kg.row_files.Listed``)."""

    def __init__(self, db: sqlite3.Connection):
        self._db = db
        super().__init__()  # written: the nodes come or gone

    def between(self, low: str | None, high: str | None) -> list[tuple[str, str]]:
        return list(self._texts(low, high))

    def batches(self) -> Iterator[list[str]]:
        yield from chunked((text for _, text in self._texts(None, None)), JSON_BATCH)

    def _texts(self, low: str | None, high: str | None) -> Iterator[tuple[str, str]]:
        for node, x, y in between_rows(self._db, "view_nodes", "node", low, high, ("x", "y")):
            yield node, position_text(node, x, y)


class _SlotsOf:
    """Node -> slot, read a batch at a time."""

    def __init__(self, db: sqlite3.Connection):
        self._db, self._slots = db, {}

    def read(self, nodes: Iterable[str]) -> None:
        wanted = sorted(set(nodes) - self._slots.keys())
        self._slots.update(dict.fromkeys(wanted))  # None: no slot
        self._slots.update(select_in(self._db, "SELECT node, slot FROM view_nodes WHERE node IN", wanted))

    def get(self, node: str) -> int | None:
        if node not in self._slots:
            self.read([node])
        return self._slots[node]

    def __contains__(self, node: str) -> bool:
        return self.get(node) is not None


def _papers_cited(g: nx.MultiDiGraph, change: GraphChange) -> set[str]:
    """The paper nodes the changed records name: claims' papers and relationships' evidence."""
    cited = {paper_node(g.nodes[n]["paper_id"]) for n in change.nodes if n in g and g.nodes[n].get("label") == "Claim"}
    for u, v, k in change.edges:
        if g.has_edge(u, v, k):
            cited.update(paper_node(item["paper"]) for item in g.edges[u, v, k].get("evidence", []))
    return cited

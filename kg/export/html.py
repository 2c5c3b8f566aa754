"""The interactive HTML view: one self-contained page, usable offline.

The page is ``viz/view.html`` with ``viz/view.css``, ``viz/view.js`` and the
vis-network build that pyvis ships inlined, plus the graph as compact JSON in a
``<script type="application/json">`` block. It makes no network request: a
Content-Security-Policy admits only the page's own scripts (by hash) and
``data:`` images, and every string from the graph reaches the DOM as text.

The first screen is a map of the corpus: the entities, grouped into the topics
of ``kg.export.communities`` (each laid out as one disc, coloured and named in a
legend), with readable labels on the leading ones. Papers and claims stay
folded into their entities until asked for. The payload (``view_data``) holds
every node and edge, so search and "expand neighbours" reach the whole graph;
big graphs start with only the ``top`` most connected entities drawn. Positions
(``kg.export.layout``: laid out anew, or kept from the store's last view) and labels
are computed here, deterministically, so the same graph (and kept positions) always
gives the same bytes and no physics has to run in the browser. A Results panel shows the
leaderboards of ``kg.results`` (``kg.export.view_results``), and each entity's card its papers per month.

pyvis is used for its vis-network files only: its ``Network.add_node`` and
``add_edge`` look ids up in Python lists (quadratic; minutes at 20k nodes)
and write full vis options per item, where the page needs short positional
records with shared strings stored once.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import numpy as np
import pyvis

from kg.export.communities import LEADERS, Community, co_occurrence, communities
from kg.export.layout import (GOLDEN_ANGLE, VIEW_H, VIEW_W, Layout, fresh_positions, kept_positions,
                              kept_topic_order)
from kg.export.view_results import results_data, timelines_data
from kg.files import atomic_open, json_pieces
from kg.graph import KnowledgeGraph, paper_label, paper_node
from kg.memory import collection_paused
from kg.records import ENTITY_TYPES
from kg.resolve import MODEL_PARTS
from kg.results.index import ResultsIndex, build_index
from kg.schema import load_schema

if TYPE_CHECKING:
    import networkx as nx
    from IPython.display import HTML

VIZ_DIR = Path(resources.files("kg.viz_data"))  # the repository's viz/, shipped in kg (pyproject.toml)
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
PAYLOAD_VERSION = 4

log = logging.getLogger(__name__)

# Measured with scripts/bench_view.py in headless Chromium (software rendering) on
# generated graphs: drawing everything, one zoom redraw takes ~35 ms at 460 nodes,
# ~90 ms at 2,250 and ~140 ms at 3,300 (~360 ms at 6,500); the 1,500 most connected
# entities of a 6,500- or 14,600-node graph redraw in 55-90 ms and draw first in <1 s.
# Up to 3,500 nodes (a paper graph like the seeds' has ~3,300), every entity is drawn
# at first, and papers and claims can all be shown without the page becoming slow.
ALL_NODES_MAX = 3500
DEFAULT_TOP = 1500
# A graph this small opens with its papers and claims drawn too: one screen shows it all, readably.
UNFOLDED_MAX = 50
BY_PAPERS = -2  # an entity's topic in the payload when the page is to find it from its papers' topics
AUTHORS_SHOWN = 3

# Topics: the biggest communities get a colour and a line in the legend; the rest share one grey group.
TOPICS_MAX = 12
TOPIC_MIN = 3  # members of the smallest community named as a topic
# A topic's disc (kg.export.layout) of n members has a radius of about spacing x sqrt(n), the spacing
# NODE_SPACING canvas pixels, or more where the typical entity drawn is big (SPACING_PER_SIZE times its
# radius: a corpus's most connected entities are all drawn large).
NODE_SPACING = 28.0
SPACING_PER_SIZE = 1.5
# Headline labels: view.js draws them HEADLINE_PX high; they are chosen (and their entities nudged) so that
# none overlaps another when the first screen fits the drawn entities into the graph's area of a 1400x900
# window (VIEW_W x VIEW_H, with vis's 10 % margin and its zoom capped at 1).
HEADLINE_PX = 14.0  # view.js LABEL_PX.headline
HEADLINES_MAX = 40  # view.js LABELS_ON_SCREEN
NUDGE, NUDGE_STEPS = 0.3, 16  # a crowded leader may move up to NUDGE x NUDGE_STEPS font sizes to fit its label
LABEL_CHARS = 40  # view.js truncates entity labels to this
CHAR_WIDTH = 0.6  # of the font size, a generous mean for vis's Arial (Liberation Sans, DejaVu Sans)


def _entity_size(papers: int) -> float:
    """The radius view.js draws an entity with (nodeSize)."""
    return min(42.0, 8.0 + 5.0 * math.sqrt(papers))


_MARKER = re.compile(r"__KG_([A-Z_]+)__")
_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # one for all: json.dumps makes one a call


@dataclass(frozen=True)
class ViewSummary:
    """What a written page holds and draws when it opens."""

    nodes: int
    edges: int
    nodes_drawn: int
    edges_drawn: int
    top: int | None  # entities drawn first, or None when every entity is drawn
    physics: bool
    bytes: int = 0
    kept: int = 0  # nodes drawn where the kept layout had them
    layout: Layout | None = field(default=None, repr=False)  # every node's position, to keep for the next view


def _node_order(kg: KnowledgeGraph) -> tuple[list[str], dict[str, int]]:
    """Entities most connected first (ties by key), then papers, then claims, each sorted (one pass over
    the nodes); and each entity's degree."""
    g = kg.graph
    entity_labels = set(load_schema().entity_labels)
    entities, papers, claims = [], [], []
    for node, label in g.nodes(data="label"):
        if label in entity_labels:
            entities.append(node)
        elif label == "Paper":
            papers.append(node)
        elif label == "Claim":
            claims.append(node)
    degree = dict(g.degree(entities))
    entities.sort(key=lambda n: (-degree[n], n))
    return entities + sorted(papers) + sorted(claims), degree


def _headlines(drawn: list[int], candidates: list[int], positions: np.ndarray, sizes: list[float],
               names: list[str], movable: np.ndarray) -> list[int]:
    """The entities whose labels head the first screen: ``candidates`` in order, each kept when its label
    (``HEADLINE_PX`` high at the first screen's zoom) and dot overlap no label or dot kept before it, or,
    for a ``movable`` one, would not after moving it a little (``positions`` are updated: leaders sit close
    together). Positions kept from the store's last view are not movable.

    The labels are chosen again over the moved positions, none movable, so that they depend on the
    positions alone: a store that keeps them (papers removed) labels what a fresh build of it labels,
    though moving changed the first screen's zoom."""
    _place_headlines(drawn, candidates, positions, sizes, names, movable)
    return _place_headlines(drawn, candidates, positions, sizes, names, np.zeros(len(movable), bool))


def _place_headlines(drawn: list[int], candidates: list[int], positions: np.ndarray, sizes: list[float],
                     names: list[str], movable: np.ndarray) -> list[int]:
    if not drawn:
        return []
    xy = positions[drawn]
    r = np.array([sizes[i] for i in drawn])
    width = float((xy[:, 0] + r).max() - (xy[:, 0] - r).min())
    height = float((xy[:, 1] + r).max() - (xy[:, 1] - r).min())
    scale = min(1.0, VIEW_W / (1.1 * max(width, 1.0)), VIEW_H / (1.1 * max(height, 1.0)))
    font = HEADLINE_PX / scale
    pad = 0.25 * font
    kept: list[int] = []
    boxes: list[tuple[float, float, float, float]] = []

    def free(box: tuple[float, float, float, float]) -> bool:
        return all(box[2] <= b[0] or b[2] <= box[0] or box[3] <= b[1] or b[3] <= box[1] for b in boxes)

    shown: set[str] = set()
    for i in candidates:
        if names[i].casefold() in shown:  # two entities of one name (a Model and a Method): label one
            continue
        half = 0.5 * CHAR_WIDTH * font * min(len(names[i]), LABEL_CHARS) + pad
        for step in range(NUDGE_STEPS + 1 if movable[i] else 1):
            x = float(positions[i, 0]) + NUDGE * font * step * math.cos(step * GOLDEN_ANGLE)
            y = float(positions[i, 1]) + NUDGE * font * step * math.sin(step * GOLDEN_ANGLE)
            top = y + sizes[i] + 3.0
            label = (x - half, top - pad, x + half, top + 1.2 * font + pad)
            dot = (x - sizes[i], y - sizes[i], x + sizes[i], y + sizes[i])
            if free(label) and free(dot):
                positions[i] = (round(x), round(y))
                kept.append(i)
                shown.add(names[i].casefold())
                boxes += [label, dot]
                break
        if len(kept) == HEADLINES_MAX:
            break
    return kept


def headlines_of(groups: list[list[int]], records: list[list[Any]], positions: np.ndarray,
                 movable: np.ndarray) -> list[int]:
    """The entities drawn first whose labels head the first screen (``_headlines``): ``records`` are theirs, most
    connected first, ``positions`` theirs (updated), ``groups`` the topics' members among them, leaders first."""
    papers = [record[5] for record in records]
    return _headlines(list(range(len(records))), _label_candidates(groups, papers, len(records)), positions,
                      [_entity_size(n) for n in papers], [record[4] for record in records], movable)


def _label_candidates(groups: list[list[int]], papers: list[int], drawn: int) -> list[int]:
    """Who gets a headline label first: every topic's leader, then every topic's second, ... up to
    ``LEADERS`` each, then the other drawn entities, named by most papers first."""
    first = [members[rank] for rank in range(LEADERS) for members in groups if rank < len(members)]
    chosen = set(first)
    return first + sorted((i for i in range(drawn) if i not in chosen), key=lambda i: (-papers[i], i))


def resolve_top(top: int | None, n_nodes: int) -> int | None:
    if top is None:
        top = 0 if n_nodes <= ALL_NODES_MAX else DEFAULT_TOP
    if top < 0:
        raise ValueError(f"top must be 0 (draw everything) or a positive number of entities, not {top}")
    return top or None


def view_data(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False,
              results: ResultsIndex | None = None, kept: Layout | None = None) -> dict[str, Any]:
    """The page's payload: every node and edge as short positional records, with the topics and labels
    of the first screen.

    Parameters
    ----------
    kg : the graph.
    top : draw only this many most connected entities at first (0: every entity);
        None picks by size (every entity up to ``ALL_NODES_MAX`` nodes, else ``DEFAULT_TOP``).
        Papers and claims are drawn on demand (expanding, searching, or the page's switch), except in
        graphs of at most ``UNFOLDED_MAX`` nodes, which open with everything drawn.
    physics : let vis physics rework the computed layout as the page opens (it then stops; the page
        has a switch for live physics).
    results : the claim rows and timelines of ``kg``, every entity with a dated paper
        (``build_index(kg, min_papers=1)``), when the caller has them already; else computed here.
    kept : positions to keep (``kg.export.layout``): the nodes it places stay there, the others are placed
        beside their neighbours; None lays every node out anew.

    Returns
    -------
    dict with ``T`` (node types), ``R`` (relationship types), ``s`` (sentences),
    ``n`` (nodes ``[type, x, y, ...]``, by slot: here the entities most connected first, then the papers,
    then the claims), ``o`` (the entities' slots, most connected first), ``e`` (edges
    ``[from, to, rel(, evidence)]``), ``C`` (topics ``[name, members]``), ``c`` (each entity's topic, or
    ``BY_PAPERS`` for an entity beyond the first screen: the page gives it its papers' topic), ``L``
    (headline labels), ``papers`` (drawn at first), ``top`` and ``physics``; the Results panel's leaderboards ``B`` and
    their rows ``b`` (``kg.export.view_results.results_data``), and each entity's papers per month
    ``M``, ``m`` (``timelines_data``). Record layouts are documented in viz/view.js.
    """
    return make_view(kg, top, physics, results, kept).data


@dataclass(frozen=True)
class View:
    """A page's payload as ``view_data`` makes it of a whole graph, with what a store keeps of it to update it
    (``kg.export.kept_view``): the node in each slot of ``n``, the relationship of each record of ``e``, each
    slot's degree, every node's position and how many of them were kept."""

    data: dict[str, Any]
    nodes: list[str]
    edges: list[tuple[str, str, str]]
    degree: list[int]
    layout: Layout
    kept: int


def node_types() -> list[str]:
    """The payload's ``T``: the entity types, then Paper and Claim."""
    return [*load_schema().entity_labels, "Paper", "Claim"]


def make_view(kg: KnowledgeGraph, top: int | None = None, physics: bool = False, results: ResultsIndex | None = None,
              kept: Layout | None = None) -> View:
    """``view_data``'s payload and what a store keeps of it."""
    schema = load_schema()
    g = kg.graph
    order, degree = _node_order(kg)
    n_entities = len(degree)
    index = {node: i for i, node in enumerate(order)}
    types = node_types()
    type_index = {t: i for i, t in enumerate(types)}
    all_edges = sorted(g.edges(keys=True, data=True), key=lambda e: e[:3])  # as a store keeps them: by their ends
    rels = list(schema.relationship_types)  # every type, so that a store's update can add any
    rel_index = {r: i for i, r in enumerate(rels)}
    top = resolve_top(top, len(order))
    drawn = n_entities if top is None else min(top, n_entities)
    if results is None:
        results = build_index(kg, min_papers=1)

    sentences: dict[str, int] = {}

    def sentence(text: str) -> int:
        return sentences.setdefault(text, len(sentences))

    neighbours: list[set[int]] = [set() for _ in order]
    edges = []
    for u, v, rel, data in all_edges:
        a, b = index[u], index[v]
        neighbours[a].add(b)
        neighbours[b].add(a)
        edges.append(edge_record(a, b, rel_index[rel], data, a < n_entities, index.get, sentence))

    nodes = [node_record(g.nodes[node], type_index, index.get, sentence) for node in order]

    # Topics of the entities drawn first: communities of what the first screen shows.
    together = co_occurrence(kg, order[:drawn])
    found = communities(together)
    topics: list[Community] = [c for c in found[:TOPICS_MAX] if len(c.members) >= TOPIC_MIN]
    if kept is not None:
        topics = [topics[t] for t in kept_topic_order([c.members for c in topics], kept.topics)]
    topic = [-1] * drawn + [BY_PAPERS] * (n_entities - drawn)
    for k, community in enumerate(topics):
        for member in community.members:
            topic[index[member]] = k
    weights = {(min(index[u], index[v]), max(index[u], index[v])): float(w)
               for u, v, w in together.edges(data="weight")}
    groups = [[index[m] for m in c.members] for c in topics]
    # The smaller communities keep a disc each (grey): small islands beside the topics they touch.
    smaller = [[index[m] for m in c.members] for c in found if topic[index[c.members[0]]] < 0]
    sizes = [_entity_size(record[5]) for record in nodes[:drawn]]
    spacing = max(NODE_SPACING, SPACING_PER_SIZE * float(np.median(sizes))) if drawn else NODE_SPACING
    adjacent = [sorted(s) for s in neighbours]
    placed = kept_positions(adjacent, order, kept) if kept is not None else None
    if kept is not None and placed is None:
        log.warning("the kept layout places none of this graph's nodes; laying the view out anew")
    if placed is None:
        positions, movable = fresh_positions(adjacent, groups + smaller, weights, spacing), np.ones(len(order), bool)
    else:
        positions, movable = placed
    headline = headlines_of(groups, nodes[:drawn], positions[:drawn], movable[:drawn])  # views: nudges land in them
    xy = positions.tolist()
    for record, (x, y) in zip(nodes, xy):
        record[1:3] = [x, y]
    layout = Layout({node: (x, y) for node, (x, y) in zip(order, xy)},
                    {member: k for k, c in enumerate(topics) for member in c.members})
    data = {
        "v": PAYLOAD_VERSION,
        "T": types,
        "R": rels,
        "top": top or 0,
        "papers": len(order) <= UNFOLDED_MAX,
        "physics": bool(physics),
        "C": [[c.name, members] for c, members in zip(topics, groups)],
        "c": topic,
        "o": list(range(n_entities)),
        "L": headline,
        "s": list(sentences),
        "n": nodes,
        "e": edges,
        **results_data(index, results.rows, claim_links(g)),
        **timelines_data(results, index),
    }
    return View(data, order, [e[:3] for e in all_edges], [degree.get(node, 0) for node in order], layout,
                int(len(order) - movable.sum()))


def edge_record(a: int, b: int, rel: int, data: dict[str, Any], from_entity: bool,
                slot_of: Callable[[str], int | None], sentence: Callable[[str], int]) -> list[Any]:
    """A relationship's record in ``e``, from slot ``a`` to slot ``b``: its evidence, where it comes from an entity,
    the papers' slots and their sentences' places (``node_record``)."""
    record: list[Any] = [a, b, rel]
    if from_entity:
        evidence = []
        for item in data.get("evidence", []):
            paper = slot_of(paper_node(item["paper"]))
            if paper is not None and item.get("text"):
                evidence += [paper, sentence(item["text"])]
        if evidence:
            record.append(evidence)
    return record


def claim_links(g: nx.MultiDiGraph) -> Callable[[str], dict[str, str]]:
    """A claim node's linked nodes by relationship type, in ``g``."""
    return lambda claim: {rel: target for _, target, rel in g.out_edges(claim, keys=True)}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def node_record(data: dict[str, Any], type_index: dict[str, int], slot_of: Callable[[str], int | None],
                sentence: Callable[[str], int]) -> list[Any]:
    """A node's record in ``n`` (positioned at 0, 0), ``slot_of`` giving the slot of a node and ``sentence`` the
    place of a sentence in ``s``."""
    label = data["label"]
    head: list[Any] = [type_index[label], 0, 0]
    if label == "Paper":
        authors = list(data.get("authors") or ())
        shown = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > AUTHORS_SHOWN else "")
        return head + [data["id"], paper_label(data), _text(data.get("date")), _text(data.get("url")), shown]
    if label == "Claim":
        paper = slot_of(paper_node(data.get("paper_id")))
        paper = -1 if paper is None else paper
        fields = ("value", "unit", "metric", "subject", "via", "baseline", "dataset", "qualifier")
        text = data.get("text")
        return head + [paper, *(_text(data.get(f)) for f in fields), sentence(text) if text else -1]
    name = data["name"]
    record = head + [data["key"], name, int(data.get("paper_count") or 0)]
    aliases = [a for a in data.get("aliases") or () if a != name]
    extra = {f: data[f] for f in MODEL_PARTS if data.get(f) not in (None, "", [], {})}
    votes = data.get("type_votes") or {}
    if len(votes) > 1:  # in the types' order, as resolved or as read back from graph.json (keys sorted)
        extra["votes"] = {t: votes[t] for t in ENTITY_TYPES if t in votes}
    if aliases or extra:
        record.append(aliases)
    if extra:
        record.append(extra)
    return record


def safe_json(value: Any) -> str:
    """JSON that cannot end its <script> block or open a comment: <, >, & become \\u escapes."""
    text = _COMPACT.encode(value)
    return _JSON_UNSAFE_RE.sub(lambda m: _JSON_UNSAFE[m.group()], text)


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if re.search(r"</(script|style)|<!--", text, re.IGNORECASE):
        raise ValueError(f"{path}: contains a sequence that would end its inline block")
    return text


def _render(kg: KnowledgeGraph, top: int | None, physics: bool, results: ResultsIndex | None = None,
            kept: Layout | None = None) -> tuple[Iterator[str], ViewSummary]:
    """The page's text in pieces, in order, and what it holds and draws."""
    with collection_paused():  # the payload is a big object graph: full collections would walk it and kg's graph
        view = make_view(kg, top, physics, results, kept)
    data = view.data
    top_n = data["top"] or None
    n_entities = len(data["c"])
    if data["papers"]:  # a graph that small is never in top mode
        n_drawn, edges_drawn = len(data["n"]), len(data["e"])
    else:
        n_drawn = n_entities if top_n is None else min(top_n, n_entities)
        edges_drawn = sum(1 for e in data["e"] if e[0] < n_drawn and e[1] < n_drawn)  # entities come first
    summary = ViewSummary(
        nodes=len(data["n"]), edges=len(data["e"]), nodes_drawn=n_drawn, edges_drawn=edges_drawn,
        top=top_n, physics=data["physics"], kept=view.kept, layout=view.layout,
    )
    return page(json_pieces(data, safe_json)), summary


def page(payload: Iterable[str]) -> Iterator[str]:
    """The template with every marker replaced, the payload's JSON as its ``pieces`` come."""
    # The source-map comment names a file the page does not have; a debugger would ask for it.
    vis_js = re.sub(r"\n//# sourceMappingURL=\S+\s*$", "\n", _read(VIS_DIR / "vis-network.min.js"))
    view_js = _read(VIZ_DIR / "view.js")
    csp = (
        "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
        f"script-src {_csp_hash(vis_js)} {_csp_hash(view_js)}; base-uri 'none'; form-action 'none'"
    )
    parts = {
        "CSP": html.escape(csp, quote=True),
        "VIS_CSS": _read(VIS_DIR / "vis-network.css"),
        "VIEW_CSS": _read(VIZ_DIR / "view.css"),
        "VIS_JS": vis_js,
        "VIEW_JS": view_js,
    }
    template = (VIZ_DIR / "view.html").read_text(encoding="utf-8")
    end = 0
    for marker in _MARKER.finditer(template):
        yield template[end:marker.start()]
        if marker.group(1) == "DATA":
            yield from payload
        else:
            yield parts[marker.group(1)]
        end = marker.end()
    yield template[end:]


def render_html(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False) -> str:
    """The view of ``kg`` as one self-contained HTML document (see ``view_data`` for the options).

    Examples
    --------
    >>> from kg.graph import build_graph
    >>> page = render_html(build_graph([]))
    >>> page.startswith("<!DOCTYPE html>") and "http" not in page.split("<script")[0]
    True
    """
    return "".join(_render(kg, top, physics)[0])


def write_html(kg: KnowledgeGraph, path: str | Path, *, top: int | None = None, physics: bool = False,
               results: ResultsIndex | None = None, kept: Layout | None = None) -> ViewSummary:
    """Write the view of ``kg`` to ``path`` atomically; say what it holds and draws, with the positions
    it drew every node at (``results`` and ``kept``: see ``view_data``). The page is written a piece at a
    time: its whole text is never held."""
    pieces, summary = _render(kg, top, physics, results, kept)
    return ViewSummary(**{**summary.__dict__, "bytes": write_page(pieces, path)})


def write_page(pieces: Iterable[str], path: str | Path) -> int:
    """Writes a page's ``pieces`` to ``path`` atomically; returns its size in bytes."""
    size = 0
    with atomic_open(path, "wb") as f:
        for piece in pieces:
            encoded = piece.encode("utf-8")
            f.write(encoded)
            size += len(encoded)
    return size


def notebook_frame(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False,
                   height: int = 720) -> str:
    """The view as HTML for a notebook's output: the whole page, escaped, as the ``srcdoc`` of an iframe
    sandboxed to its own scripts (and links opening new tabs).

    Each frame carries its own vis-network. Frames could share one copy only through the notebook page,
    by a script there (which untrusted notebooks, nbviewer and GitHub do not run, so every later frame would
    stay blank) or by ``allow-same-origin`` (which would hand the notebook's origin, and its kernel, to the
    frame): a self-contained frame is the one that always draws.
    """
    page = render_html(kg, top=top, physics=physics)
    return (
        f'<div><iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{int(height)}px;border:0" '
        'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"></iframe></div>'
    )


def show_in_notebook(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False,
                     height: int = 720) -> HTML:
    """The view inside a sandboxed iframe, for Jupyter (``display(show_in_notebook(kg, top=200))``);
    a ``kg.Graph`` displays itself this way with the default options."""
    from IPython.display import HTML

    return HTML(notebook_frame(kg, top=top, physics=physics, height=height))

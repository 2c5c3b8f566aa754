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
and labels are computed here, deterministically, so the same graph always gives
the same bytes and no physics has to run in the browser. A Results panel shows the
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
import math
import re
from collections import Counter, deque
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyvis

from kg.export.communities import LEADERS, Community, co_occurrence, communities
from kg.export.view_results import results_data, timelines_data
from kg.files import atomic_open
from kg.graph import KnowledgeGraph, paper_label
from kg.resolve import MODEL_PARTS
from kg.results.index import ResultsIndex, build_index
from kg.schema import load_schema

if TYPE_CHECKING:
    from IPython.display import HTML

VIZ_DIR = Path(resources.files("kg.viz_data"))  # the repository's viz/, shipped in kg (pyproject.toml)
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
PAYLOAD_VERSION = 3

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
AUTHORS_SHOWN = 3

# Topics: the biggest communities get a colour and a line in the legend; the rest share one grey group.
TOPICS_MAX = 12
TOPIC_MIN = 3  # members of the smallest community named as a topic
# A topic's disc: a force layout of its GROUP_FORCE_MAX most connected members (the dense layout costs
# members squared), the rest on a sunflower around them; a disc of n members has a radius of about
# spacing x sqrt(n), the spacing NODE_SPACING canvas pixels, or more where the typical entity drawn is big
# (SPACING_PER_SIZE times its radius: a corpus's most connected entities are all drawn large).
GROUP_FORCE_MAX = 600
NODE_SPACING = 28.0
SPACING_PER_SIZE = 1.5
GROUP_GAP = 90.0
GRAVITY = 3.0
# Headline labels: view.js draws them HEADLINE_PX high; they are chosen (and their entities nudged) so that
# none overlaps another when the first screen fits the drawn entities into the graph's area of a 1400x900
# window (VIEW_W x VIEW_H, with vis's 10 % margin and its zoom capped at 1).
VIEW_W, VIEW_H = 760.0, 840.0
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


def _node_order(kg: KnowledgeGraph) -> list[str]:
    """Entities most connected first (ties by key), then papers, then claims, each sorted."""
    g = kg.graph
    entities = sorted((n for n, _ in kg.entities()), key=lambda n: (-g.degree(n), n))
    papers = sorted(n for n, _ in kg.papers())
    claims = sorted(n for n, _ in kg.claims())
    return entities + papers + claims


def _force_layout(n: int, pairs: np.ndarray, weights: np.ndarray, iterations: int) -> np.ndarray:
    """Fruchterman-Reingold on a dense matrix, plus a pull to the centre growing with distance,
    so parts that share no edge sit beside the main component instead of far around it."""
    rng = np.random.default_rng(0)
    pos = rng.random((n, 2)) - 0.5
    if n == 1:
        return np.zeros((1, 2))
    adjacency = np.zeros((n, n))
    if len(pairs):
        np.add.at(adjacency, (pairs[:, 0], pairs[:, 1]), weights)
        np.add.at(adjacency, (pairs[:, 1], pairs[:, 0]), weights)
    adjacency = np.minimum(adjacency, 4.0)
    k = math.sqrt(1.0 / n)
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.hypot(delta[..., 0], delta[..., 1]), 0.01)
        force = k * k / distance**2 - adjacency * distance / k
        displacement = np.einsum("ijk,ij->ik", delta, force) - GRAVITY * pos
        length = np.maximum(np.linalg.norm(displacement, axis=1), 0.01)
        pos += displacement * (temperature / length)[:, None]
        temperature -= cooling
    return pos - pos.mean(axis=0)


GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _group_layout(members: list[int], weights: list[tuple[int, int, float]], spacing: float) -> np.ndarray:
    """One group's disc around (0, 0): its leading members by force layout, the rest on a sunflower.
    ``weights`` are the group's own pairs ``(a, b, weight)``."""
    n = len(members)
    forced = members[:GROUP_FORCE_MAX]
    local = {m: i for i, m in enumerate(forced)}
    inside = sorted((local[a], local[b], w) for a, b, w in weights if a in local and b in local)
    pairs = np.array([(a, b) for a, b, _ in inside], dtype=int).reshape(-1, 2)
    pos = np.zeros((n, 2))
    xy = _force_layout(len(forced), pairs, np.array([w for _, _, w in inside], dtype=float),
                       iterations=120 if len(forced) < 300 else 80)
    # Scale by the bulk, not the extremes, so a few far members do not crowd the rest.
    bulk = float(np.quantile(np.hypot(xy[:, 0], xy[:, 1]), 0.9))
    pos[:len(forced)] = xy / bulk * spacing * math.sqrt(len(forced)) if bulk > 0 else xy
    for k in range(len(forced), n):
        radius = spacing * math.sqrt(k + 0.5)
        pos[k] = (radius * math.cos(k * GOLDEN_ANGLE), radius * math.sin(k * GOLDEN_ANGLE))
    return pos


def _pack(radii: list[float], affinity: np.ndarray) -> np.ndarray:
    """Centres for discs of ``radii`` (biggest first), none overlapping: each next disc goes where it
    touches one already placed, nearest the middle and the discs it shares most papers with."""
    angles = np.linspace(0, 2 * math.pi, 48, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    centres = np.zeros((len(radii), 2))
    placed_r = np.array(radii, dtype=float)
    for g in range(1, len(radii)):
        reach = placed_r[:g] + placed_r[g] + GROUP_GAP
        candidates = (centres[:g, None, :] + reach[:, None, None] * ring[None, :, :]).reshape(-1, 2)
        gaps = np.hypot(*(candidates[:, None, :] - centres[None, :g, :]).transpose(2, 0, 1)) - reach[None, :]
        fits = candidates[(gaps >= -1e-6).all(axis=1)]
        pull = affinity[g, :g]
        target = (pull @ centres[:g]) / pull.sum() if pull.sum() > 0 else np.zeros(2)
        # Distances on the view's aspect, so the discs fill the screen's shape rather than a circle.
        squash = VIEW_W / VIEW_H
        cost = (np.hypot(fits[:, 0], fits[:, 1] * squash)
                + np.hypot(fits[:, 0] - target[0], (fits[:, 1] - target[1]) * squash))
        centres[g] = fits[int(np.argmin(cost))]
    return centres


def _layout(neighbours: list[list[int]], groups: list[list[int]], weights: dict[tuple[int, int], float],
            spacing: float) -> np.ndarray:
    """Positions in vis pixels: each group a disc (``_group_layout``), the discs packed side by side,
    then every other node placed breadth-first around the nodes that reach it (near-linear)."""
    n = len(neighbours)
    pos = np.zeros((n, 2))
    placed = np.zeros(n, dtype=bool)
    group_of = {m: g for g, members in enumerate(groups) for m in members}
    affinity = np.zeros((len(groups), len(groups)))
    inside: list[list[tuple[int, int, float]]] = [[] for _ in groups]
    for (a, b), w in weights.items():
        ga, gb = group_of.get(a), group_of.get(b)
        if ga is None or gb is None:
            continue
        if ga == gb:
            inside[ga].append((a, b, w))
        else:
            affinity[ga, gb] += w
            affinity[gb, ga] += w
    discs = [_group_layout(members, pairs, spacing) for members, pairs in zip(groups, inside)]
    radii = [float(np.hypot(d[:, 0], d[:, 1]).max()) + 40.0 for d in discs]
    for members, disc, centre in zip(groups, discs, _pack(radii, affinity)):
        pos[members] = disc + centre
        placed[members] = True
    children = np.zeros(n, dtype=int)
    extent = float(np.abs(pos).max()) if groups else 0.0

    def spread(queue: deque) -> None:
        nonlocal extent
        while queue:
            parent = queue.popleft()
            for child in neighbours[parent]:
                if placed[child]:
                    continue
                centre = pos[[m for m in neighbours[child] if placed[m]]].mean(axis=0)
                k = children[parent]
                children[parent] += 1
                radius = 45.0 + 9.0 * math.sqrt(k)
                pos[child] = centre + (radius * math.cos(k * GOLDEN_ANGLE), radius * math.sin(k * GOLDEN_ANGLE))
                placed[child] = True
                extent = max(extent, abs(pos[child, 0]), abs(pos[child, 1]))
                queue.append(child)

    spread(deque(m for members in groups for m in members))
    islands = 0
    outside = extent + 150.0
    for root in range(n):
        if placed[root]:
            continue
        # A part the groups do not reach: seed it on a spiral outside everything placed so far.
        radius = outside + 60.0 * math.sqrt(islands)
        pos[root] = (radius * math.cos(islands * GOLDEN_ANGLE), radius * math.sin(islands * GOLDEN_ANGLE))
        placed[root] = True
        islands += 1
        spread(deque([root]))
    return np.rint(pos).astype(int)


def _headlines(drawn: list[int], candidates: list[int], positions: np.ndarray, sizes: list[float],
               names: list[str]) -> list[int]:
    """The entities whose labels head the first screen: ``candidates`` in order, each kept when its label
    (``HEADLINE_PX`` high at the first screen's zoom) and dot overlap no label or dot kept before it, or
    would not after moving it a little (``positions`` are updated: leaders sit close together)."""
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
        for step in range(NUDGE_STEPS + 1):
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


def _label_candidates(groups: list[list[int]], papers: list[int], drawn: int) -> list[int]:
    """Who gets a headline label first: every topic's leader, then every topic's second, ... up to
    ``LEADERS`` each, then the other drawn entities, named by most papers first."""
    first = [members[rank] for rank in range(LEADERS) for members in groups if rank < len(members)]
    chosen = set(first)
    return first + sorted((i for i in range(drawn) if i not in chosen), key=lambda i: (-papers[i], i))


def _resolve_top(top: int | None, n_nodes: int) -> int | None:
    if top is None:
        top = 0 if n_nodes <= ALL_NODES_MAX else DEFAULT_TOP
    if top < 0:
        raise ValueError(f"top must be 0 (draw everything) or a positive number of entities, not {top}")
    return top or None


def _topic_of_others(kg: KnowledgeGraph, index: dict[str, int], drawn: int, topic: list[int]) -> None:
    """Give each entity beyond the first ``drawn`` the topic its papers name most among the drawn ones
    (ties: the lower topic), so an entity brought into view later wears its neighbours' colour."""
    if drawn == len(topic):
        return
    g = kg.graph
    votes: dict[int, Counter[int]] = {}
    for paper, _ in kg.papers():
        named = [index[v] for v in g.successors(paper) if index[v] < len(topic)]
        present = Counter(topic[i] for i in named if i < drawn and topic[i] >= 0)
        if present:
            for i in named:
                if i >= drawn:
                    votes.setdefault(i, Counter()).update(present)
    for i, counter in votes.items():
        topic[i] = min(counter, key=lambda t: (-counter[t], t))


def view_data(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False,
              results: ResultsIndex | None = None) -> dict[str, Any]:
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

    Returns
    -------
    dict with ``T`` (node types), ``R`` (relationship types), ``s`` (sentences),
    ``n`` (nodes ``[type, x, y, ...]``), ``e`` (edges ``[from, to, rel(, evidence)]``),
    ``C`` (topics ``[name, members]``), ``c`` (each entity's topic), ``L`` (headline labels),
    ``papers`` (drawn at first), ``top`` and ``physics``; the Results panel's leaderboards ``B`` and
    their rows ``b`` (``kg.export.view_results.results_data``), and each entity's papers per month
    ``M``, ``m`` (``timelines_data``). Record layouts are documented in viz/view.js.
    """
    schema = load_schema()
    g = kg.graph
    order = _node_order(kg)
    index = {node: i for i, node in enumerate(order)}
    types = [*schema.entity_labels, "Paper", "Claim"]
    type_index = {t: i for i, t in enumerate(types)}
    present = {k for _, _, k in g.edges(keys=True)}
    rels = [r for r in schema.relationship_types if r in present]
    rel_index = {r: i for i, r in enumerate(rels)}
    n_entities = sum(1 for node in order if g.nodes[node]["label"] in schema.entity_labels)
    top = _resolve_top(top, len(order))
    drawn = n_entities if top is None else min(top, n_entities)
    if results is None:
        results = build_index(kg, min_papers=1)

    sentences: dict[str, int] = {}

    def sentence(text: str) -> int:
        return sentences.setdefault(text, len(sentences))

    neighbours: list[set[int]] = [set() for _ in order]
    edges = []
    for u, v, rel, data in sorted(g.edges(keys=True, data=True), key=lambda e: (index[e[0]], index[e[1]], e[2])):
        a, b = index[u], index[v]
        neighbours[a].add(b)
        neighbours[b].add(a)
        record: list[Any] = [a, b, rel_index[rel]]
        if g.nodes[u]["label"] in schema.entity_labels:
            evidence = []
            for item in data.get("evidence", []):
                paper = index.get(f"paper:{item['paper']}")
                if paper is not None and item.get("text"):
                    evidence += [paper, sentence(item["text"])]
            if evidence:
                record.append(evidence)
        edges.append(record)

    nodes = [_node_record(g.nodes[node], type_index, index, sentence) for node in order]

    # Topics of the entities drawn first: communities of what the first screen shows.
    together = co_occurrence(kg, order[:drawn])
    found = communities(together)
    topics: list[Community] = [c for c in found[:TOPICS_MAX] if len(c.members) >= TOPIC_MIN]
    topic = [-1] * n_entities
    for k, community in enumerate(topics):
        for member in community.members:
            topic[index[member]] = k
    _topic_of_others(kg, index, drawn, topic)
    weights = {(min(index[u], index[v]), max(index[u], index[v])): float(w)
               for u, v, w in together.edges(data="weight")}
    groups = [[index[m] for m in c.members] for c in topics]
    # The smaller communities keep a disc each (grey): small islands beside the topics they touch.
    smaller = [[index[m] for m in c.members] for c in found if topic[index[c.members[0]]] < 0]
    names = [record[4] for record in nodes[:n_entities]]
    sizes = [_entity_size(record[5]) for record in nodes[:n_entities]]
    spacing = max(NODE_SPACING, SPACING_PER_SIZE * float(np.median(sizes[:drawn]))) if drawn else NODE_SPACING
    positions = _layout([sorted(s) for s in neighbours], groups + smaller, weights, spacing)
    papers = [record[5] for record in nodes[:n_entities]]
    headline = _headlines(list(range(drawn)), _label_candidates(groups, papers, drawn), positions, sizes, names)
    for record, (x, y) in zip(nodes, positions.tolist()):
        record[1:3] = [x, y]
    return {
        "v": PAYLOAD_VERSION,
        "T": types,
        "R": rels,
        "top": top or 0,
        "papers": len(order) <= UNFOLDED_MAX,
        "physics": bool(physics),
        "C": [[c.name, members] for c, members in zip(topics, groups)],
        "c": topic,
        "L": headline,
        "s": list(sentences),
        "n": nodes,
        "e": edges,
        **results_data(kg, index, results.rows),
        **timelines_data(results, index, n_entities),
    }


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _node_record(data: dict[str, Any], type_index: dict[str, int], index: dict[str, int], sentence) -> list[Any]:
    label = data["label"]
    head: list[Any] = [type_index[label], 0, 0]
    if label == "Paper":
        authors = list(data.get("authors") or ())
        shown = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > AUTHORS_SHOWN else "")
        return head + [data["id"], paper_label(data), _text(data.get("date")), _text(data.get("url")), shown]
    if label == "Claim":
        paper = index.get(f"paper:{data.get('paper_id')}", -1)
        fields = ("value", "unit", "metric", "subject", "via", "baseline", "dataset", "qualifier")
        text = data.get("text")
        return head + [paper, *(_text(data.get(f)) for f in fields), sentence(text) if text else -1]
    name = data["name"]
    record = head + [data["key"], name, int(data.get("paper_count") or 0)]
    aliases = [a for a in data.get("aliases") or () if a != name]
    extra = {f: data[f] for f in MODEL_PARTS if data.get(f) not in (None, "", [], {})}
    votes = data.get("type_votes") or {}
    if len(votes) > 1:
        extra["votes"] = votes
    if aliases or extra:
        record.append(aliases)
    if extra:
        record.append(extra)
    return record


def _script_json(data: dict[str, Any]) -> str:
    """JSON that cannot end its <script> block or open a comment: <, >, & become \\u escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return re.sub("[<>&\u2028\u2029]", lambda m: _JSON_UNSAFE[m.group()], text)


def _csp_hash(script: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode() + "'"


def _read(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    if re.search(r"</(script|style)|<!--", text, re.IGNORECASE):
        raise ValueError(f"{path}: contains a sequence that would end its inline block")
    return text


def _render(kg: KnowledgeGraph, top: int | None, physics: bool,
            results: ResultsIndex | None = None) -> tuple[str, ViewSummary]:
    data = view_data(kg, top=top, physics=physics, results=results)
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
        "DATA": _script_json(data),
        "VIS_JS": vis_js,
        "VIEW_JS": view_js,
    }
    template = (VIZ_DIR / "view.html").read_text(encoding="utf-8")
    page = _MARKER.sub(lambda m: parts[m.group(1)], template)
    top_n = data["top"] or None
    n_entities = len(data["c"])
    if data["papers"]:  # a graph that small is never in top mode
        n_drawn, edges_drawn = len(data["n"]), len(data["e"])
    else:
        n_drawn = n_entities if top_n is None else min(top_n, n_entities)
        edges_drawn = sum(1 for e in data["e"] if e[0] < n_drawn and e[1] < n_drawn)  # entities come first
    summary = ViewSummary(
        nodes=len(data["n"]), edges=len(data["e"]), nodes_drawn=n_drawn, edges_drawn=edges_drawn,
        top=top_n, physics=data["physics"],
    )
    return page, summary


def render_html(kg: KnowledgeGraph, *, top: int | None = None, physics: bool = False) -> str:
    """The view of ``kg`` as one self-contained HTML document (see ``view_data`` for the options).

    Examples
    --------
    >>> from kg.graph import build_graph
    >>> page = render_html(build_graph([]))
    >>> page.startswith("<!DOCTYPE html>") and "http" not in page.split("<script")[0]
    True
    """
    return _render(kg, top, physics)[0]


def write_html(kg: KnowledgeGraph, path: str | Path, *, top: int | None = None, physics: bool = False,
               results: ResultsIndex | None = None) -> ViewSummary:
    """Write the view of ``kg`` to ``path`` atomically; say what it holds and draws (``results``: see
    ``view_data``)."""
    page, summary = _render(kg, top, physics, results)
    encoded = page.encode("utf-8")
    with atomic_open(path, "wb") as f:
        f.write(encoded)
    return ViewSummary(**{**summary.__dict__, "bytes": len(encoded)})


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

"""The interactive HTML view: one self-contained page, usable offline.

The page is ``viz/view.html`` with ``viz/view.css``, ``viz/view.js`` and the
vis-network build that pyvis ships inlined, plus the graph as compact JSON in a
``<script type="application/json">`` block. It makes no network request: a
Content-Security-Policy admits only the page's own scripts (by hash) and
``data:`` images, and every string from the graph reaches the DOM as text.

The payload (``view_data``) holds every node and edge, so search and "expand
neighbours" reach the whole graph, but big graphs start with only the ``top``
most connected entities drawn. Positions are computed here, deterministically,
so the same graph always gives the same bytes and big graphs need no physics.

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
from collections import deque
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyvis

from kg.files import atomic_open
from kg.graph import KnowledgeGraph, paper_label
from kg.schema import load_schema

if TYPE_CHECKING:
    from IPython.display import HTML

VIZ_DIR = Path(resources.files("kg.viz_data"))  # the repository's viz/, shipped in kg (pyproject.toml)
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"
PAYLOAD_VERSION = 1

# Measured with scripts/bench_view.py in headless Chromium (software rendering) on
# generated graphs: drawing everything, one zoom redraw takes ~35 ms at 460 nodes,
# ~90 ms at 2,250 and ~140 ms at 3,300 (~360 ms at 6,500); the 1,500 most connected
# entities of a 6,500- or 14,600-node graph redraw in 55-90 ms and draw first in <1 s.
# Up to 3,500 nodes, a paper graph like the seeds' (~2,900) is drawn whole: ~1 s to
# the first frame and ~150 ms a redraw are still smooth to use.
ALL_NODES_MAX = 3500
DEFAULT_TOP = 1500
# Physics refines the layout before the first frame (150 iterations, then it stops):
# first frame at 1.1 s for 180 nodes, 1.8 s for 460, 3.2 s for 1,130, against
# 0.4-0.7 s without. Above this many drawn nodes the page starts without it.
PHYSICS_MAX = 500
# Size of the set laid out by force simulation; the rest is placed around it.
FORCE_LAYOUT_MAX = 700
GRAVITY = 3.0
CO_MENTION_MAX = 30  # entities of one paper that attract each other in the layout
AUTHORS_SHOWN = 3

ENTITY_EXTRA_FIELDS = ("family", "size", "version", "variant")
_MARKER = re.compile(r"__KG_([A-Z_]+)__")
_JSON_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


@dataclass(frozen=True)
class ViewSummary:
    """What a written page holds and draws when it opens."""

    nodes: int
    edges: int
    nodes_drawn: int
    edges_drawn: int
    top: int | None  # entities drawn first, or None when everything is drawn
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


def _layout(neighbours: list[list[int]], core: int, pairs_weights: dict[tuple[int, int], float]) -> np.ndarray:
    """Positions in vis pixels: a force layout of the ``core`` first nodes, the rest placed
    breadth-first around the nodes that reach them (near-linear, deterministic)."""
    n = len(neighbours)
    pos = np.zeros((n, 2))
    placed = np.zeros(n, dtype=bool)
    if core:
        pairs = np.array(sorted(pairs_weights), dtype=int).reshape(-1, 2)
        weights = np.array([pairs_weights[p] for p in sorted(pairs_weights)], dtype=float)
        forced = _force_layout(core, pairs, weights, iterations=120 if core < 300 else 80)
        # Scale by the bulk, not the extremes, so a few far nodes do not shrink the rest.
        bulk = float(np.quantile(np.hypot(forced[:, 0], forced[:, 1]), 0.9))
        pos[:core] = forced / max(bulk, 1e-9) * (100.0 + 65.0 * math.sqrt(core))
        placed[:core] = True
    children = np.zeros(n, dtype=int)
    golden = math.pi * (3 - math.sqrt(5))
    extent = float(np.abs(pos).max()) if core else 0.0

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
                pos[child] = centre + (radius * math.cos(k * golden), radius * math.sin(k * golden))
                placed[child] = True
                extent = max(extent, abs(pos[child, 0]), abs(pos[child, 1]))
                queue.append(child)

    spread(deque(range(core)))
    islands = 0
    outside = extent + 150.0
    for root in range(n):
        if placed[root]:
            continue
        # A part the core does not reach: seed it on a spiral outside everything placed so far.
        radius = outside + 60.0 * math.sqrt(islands)
        pos[root] = (radius * math.cos(islands * golden), radius * math.sin(islands * golden))
        placed[root] = True
        islands += 1
        spread(deque([root]))
    return np.rint(pos).astype(int)


def _resolve_top(top: int | None, n_nodes: int) -> int | None:
    if top is None:
        top = 0 if n_nodes <= ALL_NODES_MAX else DEFAULT_TOP
    if top < 0:
        raise ValueError(f"top must be 0 (draw everything) or a positive number of entities, not {top}")
    return top or None


def view_data(kg: KnowledgeGraph, *, top: int | None = None, physics: bool | None = None) -> dict[str, Any]:
    """The page's payload: every node and edge as short positional records.

    Parameters
    ----------
    kg : the graph.
    top : draw only this many most connected entities at first (0: everything);
        None picks by size (everything up to ``ALL_NODES_MAX`` nodes, else ``DEFAULT_TOP``).
    physics : refine the layout with vis physics as the page opens (it then stops; the page
        has a switch for live physics); None turns it on up to ``PHYSICS_MAX`` drawn nodes.

    Returns
    -------
    dict with ``T`` (node types), ``R`` (relationship types), ``s`` (sentences),
    ``n`` (nodes ``[type, x, y, ...]``), ``e`` (edges ``[from, to, rel(, evidence)]``),
    ``top`` and ``physics``. Record layouts are documented in viz/view.js.
    """
    schema = load_schema()
    g = kg.graph
    order = _node_order(kg)
    index = {node: i for i, node in enumerate(order)}
    types = [*schema.entity_labels, "Paper", "Claim"]
    type_index = {t: i for i, t in enumerate(types)}
    rels = [r for r in schema.relationship_types if r in {k for _, _, k in g.edges(keys=True)}]
    rel_index = {r: i for i, r in enumerate(rels)}
    n_entities = sum(1 for node in order if g.nodes[node]["label"] in schema.entity_labels)
    top = _resolve_top(top, len(order))

    sentences: dict[str, int] = {}

    def sentence(text: str) -> int:
        return sentences.setdefault(text, len(sentences))

    neighbours: list[set[int]] = [set() for _ in order]
    edges = []
    attraction: dict[tuple[int, int], float] = {}
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
            pair = (min(a, b), max(a, b))
            attraction[pair] = attraction.get(pair, 0.0) + 1.0
        edges.append(record)

    nodes = [_node_record(g.nodes[node], type_index, index, sentence) for node in order]
    adjacency = [sorted(s) for s in neighbours]

    if len(order) <= FORCE_LAYOUT_MAX:
        core = len(order)
        for a, near in enumerate(adjacency):
            for b in near:
                if a < b:
                    attraction.setdefault((a, b), 1.0)
    else:
        core = min(n_entities, FORCE_LAYOUT_MAX)
        attraction = {p: w for p, w in attraction.items() if p[1] < core}
        # Entities named by the same papers attract, so topics cluster even where
        # the abstracts state few entity-to-entity relations.
        for paper in range(n_entities, len(order)):
            if nodes[paper][0] != type_index["Paper"]:
                continue
            named = [m for m in adjacency[paper] if m < core][:CO_MENTION_MAX]
            for i, a in enumerate(named):
                for b in named[i + 1:]:
                    attraction[(a, b)] = attraction.get((a, b), 0.0) + 0.5
    positions = _layout(adjacency, core, attraction)
    for record, (x, y) in zip(nodes, positions.tolist()):
        record[1:3] = [x, y]

    drawn = len(order) if top is None else min(top, n_entities)
    return {
        "v": PAYLOAD_VERSION,
        "T": types,
        "R": rels,
        "top": top or 0,
        "physics": bool(drawn <= PHYSICS_MAX if physics is None else physics),
        "s": list(sentences),
        "n": nodes,
        "e": edges,
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
    extra = {f: data[f] for f in ENTITY_EXTRA_FIELDS if data.get(f) not in (None, "", [], {})}
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


def _render(kg: KnowledgeGraph, top: int | None, physics: bool | None) -> tuple[str, ViewSummary]:
    data = view_data(kg, top=top, physics=physics)
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
    n_entity_types = len(data["T"]) - 2
    n_drawn = len(data["n"]) if top_n is None else min(top_n, sum(1 for r in data["n"] if r[0] < n_entity_types))
    edges_drawn = len(data["e"]) if top_n is None else sum(1 for e in data["e"] if e[0] < n_drawn and e[1] < n_drawn)
    summary = ViewSummary(
        nodes=len(data["n"]), edges=len(data["e"]), nodes_drawn=n_drawn, edges_drawn=edges_drawn,
        top=top_n, physics=data["physics"],
    )
    return page, summary


def render_html(kg: KnowledgeGraph, *, top: int | None = None, physics: bool | None = None) -> str:
    """The view of ``kg`` as one self-contained HTML document (see ``view_data`` for the options).

    Examples
    --------
    >>> from kg.graph import build_graph
    >>> page = render_html(build_graph([]))
    >>> page.startswith("<!DOCTYPE html>") and "http" not in page.split("<script")[0]
    True
    """
    return _render(kg, top, physics)[0]


def write_html(kg: KnowledgeGraph, path: str | Path, *, top: int | None = None,
               physics: bool | None = None) -> ViewSummary:
    """Write the view of ``kg`` to ``path`` atomically; say what it holds and draws."""
    page, summary = _render(kg, top, physics)
    encoded = page.encode("utf-8")
    with atomic_open(path, "wb") as f:
        f.write(encoded)
    return ViewSummary(**{**summary.__dict__, "bytes": len(encoded)})


def notebook_frame(kg: KnowledgeGraph, *, top: int | None = None, physics: bool | None = None,
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


def show_in_notebook(kg: KnowledgeGraph, *, top: int | None = None, physics: bool | None = None,
                     height: int = 720) -> HTML:
    """The view inside a sandboxed iframe, for Jupyter (``display(show_in_notebook(kg, top=200))``);
    a ``kg.Graph`` displays itself this way with the default options."""
    from IPython.display import HTML

    return HTML(notebook_frame(kg, top=top, physics=physics, height=height))

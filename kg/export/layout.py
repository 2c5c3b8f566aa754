"""Where the view draws each node: laid out anew, or kept from the store's last view.

**Anew** (``fresh_positions``): each topic a disc (a force layout of its leading members, the rest
on a sunflower), the discs packed side by side, then every other node placed breadth-first
around the nodes that reach it, and parts that nothing placed reaches on a spiral outside.

**Kept** (``kept_positions``): a store keeps the positions its last view drew in
``graph.layout.json`` (``layout_path``), written in the same version as the view. On the next
build, update or removal, a node that was there keeps its position exactly, so the picture a user
learned stays where it was; a new node goes beside its placed neighbours (their mean, plus a
sunflower offset around the first of them, so siblings do not pile up), new parts that reach no
old node go on the spiral outside, and then only the new nodes are relaxed: pushed off the nodes
they overlap and pulled towards their neighbours. Both are deterministic: the same graph and the
same kept positions give the same positions.

The topics are found anew on each view, but keep their colours: the layout also keeps each topic
member's colour (its topic's place in the legend), and a topic found again takes the colour of the
kept topic it shares most members with (``kept_topic_order``).
"""
from __future__ import annotations

import json
import logging
import math
from collections import Counter, defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kg.files import atomic_open

LAYOUT_VERSION = 1
LAYOUT_SUFFIX = ".layout.json"

# A topic's disc: a force layout of its GROUP_FORCE_MAX most connected members (the dense layout costs
# members squared), the rest on a sunflower around them.
GROUP_FORCE_MAX = 600
GROUP_GAP = 90.0
GRAVITY = 3.0
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
# The first screen: the graph's area of a 1400x900 window (vis's 10 % margin taken off).
VIEW_W, VIEW_H = 760.0, 840.0
# Relaxing new nodes: each step moves every new node PULL of the way towards REST canvas pixels from the mean
# of its neighbours (the first ring of their sunflower) and off the nodes nearer than CLEARANCE (about the gap
# between two drawn entities). Pulled all the way, the children of one hub would pile up on it.
RELAX_STEPS = 8
CLEARANCE = 36.0
PULL = 0.2
REST = 45.0
# Each step costs about as much as the pairs of nodes in touching cells, ~125 per new node where the sunflowers
# are dense: an update of more than RELAX_WORK / RELAX_STEPS new nodes relaxes in fewer steps (at least one).
RELAX_WORK = 40_000

log = logging.getLogger(__name__)


def layout_path(graph_path: str | Path) -> Path:
    """Where a store keeps its view's positions: ``graph.layout.json`` beside ``graph.json``."""
    path = Path(graph_path)
    return path.with_name(path.stem + LAYOUT_SUFFIX)


# The file is {"positions": {node: [x, y], ...}, "topics": {node: topic, ...}, "version": LAYOUT_VERSION}, compact,
# its keys sorted: the positions are a list of rows a store writes as it writes its other files (kg.row_files).
POSITIONS_START = '{"positions":{'


def position_text(node: str, x: int, y: int) -> str:
    """A node's item of the layout file's positions."""
    return f"{json.dumps(node, ensure_ascii=False)}:[{x},{y}]"


def positions_end(topics: dict[str, int]) -> str:
    """The layout file after its positions."""
    return f'}},"topics":{json.dumps(topics, ensure_ascii=False, separators=(",", ":"), sort_keys=True)},' \
           f'"version":{LAYOUT_VERSION}}}'


@dataclass(frozen=True)
class Layout:
    """Each node's position in the view, in canvas pixels, by node id; and each topic member's topic
    (its place in the legend, which gives its colour)."""

    positions: dict[str, tuple[int, int]]
    topics: dict[str, int] = field(default_factory=dict)

    def save(self, path: str | Path) -> None:
        with atomic_open(path) as f:
            f.write(POSITIONS_START + ",".join(position_text(node, *xy) for node, xy in sorted(self.positions.items()))
                    + positions_end(self.topics))

    @classmethod
    def load(cls, path: str | Path) -> Layout | None:
        """The positions kept in ``path``; None when there is no file, and, with a warning saying why,
        when it cannot be read, is not a layout or was written by another layout version: the view is
        then laid out anew, never refused."""
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as err:
            log.warning("%s: cannot read the kept layout (%s); laying the view out anew", path, err)
            return None
        if not isinstance(data, dict) or data.get("version") != LAYOUT_VERSION:
            log.warning("%s: not a layout of version %d; laying the view out anew", path, LAYOUT_VERSION)
            return None
        positions = data.get("positions")
        if not isinstance(positions, dict) or not all(
                isinstance(xy, list) and len(xy) == 2 and all(type(c) is int for c in xy) for xy in positions.values()):
            log.warning("%s: its positions are not pairs of whole numbers; laying the view out anew", path)
            return None
        topics = data.get("topics", {})  # absent from the layouts of kg before topics kept their colours
        if not isinstance(topics, dict) or not all(type(k) is int and k >= 0 for k in topics.values()):
            log.warning("%s: its topics are not whole numbers; finding their colours anew", path)
            topics = {}
        return cls({node: (xy[0], xy[1]) for node, xy in positions.items()}, topics)


def kept_topic_order(members: list[list[str]], kept: dict[str, int]) -> list[int]:
    """The order to list topics (each its members' node ids) in, so that a topic found again keeps
    its colour: each takes the place ``kept`` gave most of its members, the topics sharing most
    members choosing first; a new topic, or one whose place went to a closer match or is beyond
    the list, takes the first free place, in the order given."""
    n = len(members)
    shared = sorted((-count, t, k) for t, group in enumerate(members)
                    for k, count in Counter(kept[m] for m in group if m in kept).items() if k < n)
    place: dict[int, int] = {}
    taken: set[int] = set()
    for _, t, k in shared:
        if t not in place and k not in taken:
            place[t] = k
            taken.add(k)
    free = iter(k for k in range(n) if k not in taken)
    for t in range(n):
        if t not in place:
            place[t] = next(free)
    order = [0] * n
    for t, k in place.items():
        order[k] = t
    return order


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


class _Placing:
    """Nodes placed one at a time, breadth-first, in plain Python lists (numpy costs more per single
    node than the arithmetic itself)."""

    def __init__(self, pos: np.ndarray, placed: np.ndarray, neighbours: Mapping[int, list[int]] | list[list[int]],
                 children: Mapping[int, int] | list[int]):
        self.xy: list[list[float]] = pos.tolist()
        self.placed: list[bool] = placed.tolist()
        self._extent = float(np.abs(pos[placed]).max()) if placed.any() else 0.0  # the largest |coordinate| placed
        self.neighbours = neighbours
        self.children = children  # how many nodes each node has placed around itself

    def spread(self, queue: deque) -> None:
        """Place every node the queue's nodes reach, breadth-first: each at the mean of its placed
        neighbours plus the next point of a sunflower around the node that reached it."""
        xy, placed, children = self.xy, self.placed, self.children
        while queue:
            parent = queue.popleft()
            for child in self.neighbours[parent]:
                if placed[child]:
                    continue
                around = [xy[m] for m in self.neighbours[child] if placed[m]]
                k = children[parent]
                children[parent] += 1
                radius = 45.0 + 9.0 * math.sqrt(k)
                xy[child] = [sum(p[0] for p in around) / len(around) + radius * math.cos(k * GOLDEN_ANGLE),
                             sum(p[1] for p in around) / len(around) + radius * math.sin(k * GOLDEN_ANGLE)]
                self._extent = max(self._extent, abs(xy[child][0]), abs(xy[child][1]))
                placed[child] = True
                queue.append(child)

    def islands(self) -> None:
        """Seed each part that no placed node reaches on a spiral outside everything placed, and spread it."""
        outside = self._extent + 150.0
        islands = 0
        for root, done in enumerate(self.placed):
            if done:
                continue
            radius = outside + 60.0 * math.sqrt(islands)
            self.xy[root] = [radius * math.cos(islands * GOLDEN_ANGLE), radius * math.sin(islands * GOLDEN_ANGLE)]
            self.placed[root] = True
            islands += 1
            self.spread(deque([root]))


def fresh_positions(neighbours: list[list[int]], groups: list[list[int]], weights: dict[tuple[int, int], float],
                    spacing: float) -> np.ndarray:
    """Positions in canvas pixels, laid out anew: each group a disc (``_group_layout``), the discs packed
    side by side, then every other node placed breadth-first around the nodes that reach it (near-linear)."""
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
    placing = _Placing(pos, placed, neighbours, [0] * n)
    placing.spread(deque(m for members in groups for m in members))
    placing.islands()
    return np.rint(np.array(placing.xy)).astype(int)


def kept_positions(neighbours: list[list[int]], ids: list[str],
                   kept: Layout) -> tuple[np.ndarray, np.ndarray] | None:
    """Positions in canvas pixels with the kept ones unchanged, and which nodes are new; None when
    ``kept`` holds none of ``ids`` (nothing to keep: lay out anew)."""
    n = len(ids)
    pos = np.zeros((n, 2))
    placed = np.zeros(n, dtype=bool)
    for i, node in enumerate(ids):
        xy = kept.positions.get(node)
        if xy is not None:
            pos[i] = xy
            placed[i] = True
    if not placed.any():
        return None
    parents = {m for i in np.flatnonzero(~placed) for m in neighbours[i] if placed[m]}
    children = {p: sum(1 for m in neighbours[p] if placed[m]) for p in parents}
    return placed_beside(pos, placed, neighbours, children), ~placed


def placed_beside(pos: np.ndarray, placed: np.ndarray, neighbours: Mapping[int, list[int]] | list[list[int]],
                  children: dict[int, int]) -> np.ndarray:
    """``pos`` in canvas pixels with every node not ``placed`` placed beside its neighbours and relaxed (the others
    unchanged). ``neighbours`` needs the lists of the nodes to place and of their placed neighbours (only the nodes
    to place among those: the others are passed over), and ``children`` how many placed neighbours each of those
    has: an old node's new neighbours continue the sunflower after the neighbours it had."""
    new = np.flatnonzero(~placed)
    if len(new):
        placing = _Placing(pos, placed, neighbours, defaultdict(int, children))
        placing.spread(deque(sorted(children)))
        placing.islands()
        pos = np.array(placing.xy)
        _relax(pos, new, neighbours)
    return np.rint(pos).astype(int)


def _cells(xy: np.ndarray) -> np.ndarray:
    """The CLEARANCE-sized cell of each position, as one integer."""
    cells = np.floor(xy / CLEARANCE).astype(np.int64)
    return cells[:, 0] * CELL_ROW + cells[:, 1]


CELL_ROW = 1 << 32  # cells of one column are numbered apart from the next column's
AROUND = np.array([dx * CELL_ROW + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)


def _close_pairs(pos: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (new node, other node) pair in the same or touching cells."""
    cells = _cells(pos)
    order = np.argsort(cells, kind="stable")
    sorted_cells = cells[order]
    sources, others = [], []
    for offset in AROUND:
        target = cells[new] + offset
        low = np.searchsorted(sorted_cells, target, "left")
        counts = np.searchsorted(sorted_cells, target, "right") - low
        total = int(counts.sum())
        starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
        sources.append(np.repeat(new, counts))
        others.append(order[starts + np.arange(total)])
    source, other = np.concatenate(sources), np.concatenate(others)
    keep = source != other
    return source[keep], other[keep]


def _sums(groups: np.ndarray, xy: np.ndarray, n: int) -> np.ndarray:
    """The sum of the rows of ``xy`` in each of ``n`` groups."""
    return np.stack([np.bincount(groups, xy[:, 0], n), np.bincount(groups, xy[:, 1], n)], axis=1)


def _relax(pos: np.ndarray, new: np.ndarray, neighbours: Mapping[int, list[int]] | list[list[int]]) -> None:
    """Move the ``new`` nodes only: ``RELAX_STEPS`` times, every new node at once is pulled ``PULL`` of the way
    towards the ``REST`` distance from its neighbours' mean, then pushed off the nodes nearer than ``CLEARANCE``
    by their mean overlap."""
    linked = [neighbours[i] for i in new.tolist()]
    counts = np.array([len(m) for m in linked])
    owner = np.repeat(np.arange(len(new)), counts)
    flat = np.fromiter((m for ms in linked for m in ms), dtype=np.int64, count=int(counts.sum()))
    has = counts > 0
    slot = np.zeros(len(pos), dtype=np.int64)
    slot[new] = np.arange(len(new))
    for step in range(max(1, min(RELAX_STEPS, RELAX_WORK // len(new)))):
        towards = _sums(owner, pos[flat], len(new))[has] / counts[has, None] - pos[new[has]]
        length = np.maximum(np.hypot(towards[:, 0], towards[:, 1]), 1e-9)
        pos[new[has]] += PULL * (np.maximum(length - REST, 0.0) / length)[:, None] * towards
        source, other = _close_pairs(pos, new)
        delta = pos[source] - pos[other]
        distance = np.hypot(delta[:, 0], delta[:, 1])
        close = distance < CLEARANCE
        source, delta, distance = source[close], delta[close], distance[close]
        # Nodes on the very same point part along a direction of their own.
        angle = (source + step) * GOLDEN_ANGLE
        same = distance < 1e-9
        direction = np.where(same[:, None], np.stack([np.cos(angle), np.sin(angle)], axis=1),
                             delta / np.maximum(distance, 1e-9)[:, None])
        push = _sums(slot[source], (CLEARANCE - distance)[:, None] * direction, len(new))
        pushed = np.bincount(slot[source], minlength=len(new))
        moved = pushed > 0
        pos[new[moved]] += push[moved] / pushed[moved, None]

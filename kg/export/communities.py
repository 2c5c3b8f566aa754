"""Topics of a graph: communities of the entities that papers name together, each named by its leaders.

Two entities co-occur when one paper names both (any role); the weight of the pair is the number
of such papers. Communities are networkx's Louvain partition of that weighted graph with a fixed
seed. Measured on the seeds graph (2,505 entities, 18,081 co-occurring pairs): Louvain reaches a
modularity of 0.55 in 0.4 s, greedy modularity 0.51 in 17 s, so Louvain both separates topics
better and is the only one of the two fast enough for the corpus (it is near-linear in the pairs).

Modularity has a resolution limit: in a big graph, entities that nearly every paper names ("LLMs",
"accuracy") glue distinct topics into one. On the 1,500 most connected entities of the 23k-paper
corpus, Louvain puts 778 of them into a single community. So a community holding more than a
quarter of the graph (and over ``SPLIT_MIN`` entities) is split by Louvain on its own subgraph,
where those hubs no longer dominate (the corpus's 778 become 349, 186, 135 and 108: LLM basics,
RL and chain of thought, GPT-4o evaluations, code generation); one with no structure inside, such
as a clique, stays whole. The seeds graph's biggest community holds 17 %, and is not split.

Louvain visits nodes in an order drawn from its seed and from the graph's insertion order, and its
intermediate sets of nodes iterate by hash: the graph it sees is therefore rebuilt with integer
nodes (whose hash is fixed) in sorted order, so the same graph always gives the same communities.
"""
from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx

from kg.schema import load_schema

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

SEED = 0
LEADERS = 3  # members that name a community
LARGEST = 0.25  # share of the nodes above which a community is split, when it also has over SPLIT_MIN
SPLIT_MIN = 100
NAME_SEPARATOR = " \u00b7 "


@dataclass(frozen=True)
class Community:
    """A set of entities named together, its leaders (most connected inside it) first."""

    members: tuple[Hashable, ...]
    name: str


def co_occurrence(kg: KnowledgeGraph, entities: Iterable[str] | None = None) -> nx.Graph:
    """Entities (with their ``name``) linked when papers name both, ``weight`` the number of those papers.

    ``entities`` (node ids) limits the graph to those; by default it holds every entity.

    Examples
    --------
    >>> from kg.graph import build_graph
    >>> co_occurrence(build_graph([])).number_of_nodes()
    0
    """
    g = kg.graph
    roles = set(load_schema().role_relationships.values())
    kept = {n for n, _ in kg.entities()} if entities is None else set(entities)
    pairs: Counter[tuple[str, str]] = Counter()
    for paper, _ in kg.papers():
        named = sorted(v for v, by_rel in g.adj[paper].items() if v in kept and not roles.isdisjoint(by_rel))
        pairs.update(itertools.combinations(named, 2))
    graph = nx.Graph()
    graph.add_nodes_from((n, {"name": g.nodes[n]["name"]}) for n in sorted(kept))
    graph.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(pairs.items()))
    return graph


def communities(graph: nx.Graph, *, seed: int = SEED, resolution: float = 1.0, leaders: int = LEADERS,
                largest: float = LARGEST) -> list[Community]:
    """The Louvain communities of a weighted graph, biggest first, each named by its leading members.

    A community with more than ``largest`` of the nodes and more than ``SPLIT_MIN`` is replaced by
    the Louvain communities of its own subgraph, when there are several (and so on, down).
    A member's rank is its weighted degree inside its community (ties: its weighted degree in the
    whole graph, then the node); the name joins the ``name`` attributes (else the nodes) of the
    first ``leaders`` members, skipping one that only repeats an earlier name ("Transformers"
    after "Transformer").

    Parameters
    ----------
    graph : undirected graph, edge attribute ``weight`` (1 when absent); nodes must be sortable.
    seed : Louvain's random seed; the same graph and seed give the same communities.
    resolution : above 1 favours smaller communities, below 1 bigger ones.
    leaders : how many members name a community.
    largest : share of the nodes above which a community is split (1: never).

    Returns
    -------
    list of Community, by size (ties: by first leader); every node is in exactly one.

    Examples
    --------
    >>> g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("x", "y"), ("y", "z"), ("x", "z"), ("c", "x")])
    >>> [c.name for c in communities(g)]
    ['c · a · b', 'x · y · z']
    """
    nodes = sorted(graph.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    numbered = _numbered(range(len(nodes)), sorted(
        (min(index[u], index[v]), max(index[u], index[v]), w) for u, v, w in graph.edges(data="weight", default=1)
    ))
    strength = dict(numbered.degree(weight="weight"))
    limit = max(SPLIT_MIN, largest * len(nodes))
    parts, found = [], []
    todo = nx.community.louvain_communities(numbered, weight="weight", resolution=resolution, seed=seed)
    while todo:
        part = todo.pop(0)
        if len(part) > limit:
            members = sorted(part)
            inside = _numbered(members, sorted((min(u, v), max(u, v), w)
                                               for u, v, w in numbered.edges(members, data="weight") if v in part))
            pieces = nx.community.louvain_communities(inside, weight="weight", resolution=resolution, seed=seed)
            if len(pieces) > 1:
                todo += pieces
                continue
        parts.append(part)
    for part in parts:
        inner = {i: sum(d["weight"] for j, d in numbered.adj[i].items() if j in part) for i in part}
        ranked = tuple(nodes[i] for i in sorted(part, key=lambda i: (-inner[i], -strength[i], i)))
        found.append(Community(ranked, _name(graph, ranked, leaders)))
    found.sort(key=lambda c: (-len(c.members), index[c.members[0]]))
    return found


def _numbered(nodes: Iterable[int], edges: list[tuple[int, int, float]]) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_weighted_edges_from(edges)
    return graph


def _name(graph: nx.Graph, members: tuple[Hashable, ...], leaders: int) -> str:
    names: list[str] = []
    seen: set[str] = set()
    for node in members:
        name = str(graph.nodes[node].get("name", node))
        folded = name.casefold().rstrip("s")
        if folded in seen:
            continue
        seen.add(folded)
        names.append(name)
        if len(names) == leaders:
            break
    return NAME_SEPARATOR.join(names)

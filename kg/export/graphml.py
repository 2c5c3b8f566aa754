"""GraphML through networkx, for Gephi, yEd, Cytoscape and ``nx.read_graphml``.

GraphML holds strings, numbers and booleans only, one type per attribute
name, so lists and dicts (aliases, papers, evidence) are written as JSON
strings, an attribute whose values mix numbers is written as double (or as
string when it mixes more), ``None`` is left out, and characters XML 1.0
cannot hold become U+FFFD. Edge ids are the relationship types, so
``nx.read_graphml`` gives back the same MultiDiGraph keys.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("entity:bert", label="Model", key="bert", aliases=["BERT"], family=None)
>>> flat = graphml_graph(KnowledgeGraph(g))
>>> flat.nodes["entity:bert"]
{'label': 'Model', 'key': 'bert', 'aliases': '["BERT"]'}
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterator

import networkx as nx

from kg.export.rows import json_text
from kg.files import atomic_open
from kg.graph import KnowledgeGraph

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _flat(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        return value
    text = value if isinstance(value, str) else json_text(value)
    return _NOT_XML.sub("\ufffd", text)


def _one_type(attributes: list[dict[str, Any]]) -> None:
    """Give every attribute name a single GraphML type, in place."""
    kinds: dict[str, set[type]] = defaultdict(set)
    for data in attributes:
        for name, value in data.items():
            kinds[name].add(type(value))
    for name, seen in kinds.items():
        if len(seen) == 1:
            continue
        cast = float if seen <= {int, float} else str
        for data in attributes:
            if name in data:
                data[name] = cast(data[name])


def graphml_graph(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """A copy of the graph whose attributes GraphML can hold."""
    g = nx.MultiDiGraph()
    nodes = [(n, {k: _flat(v) for k, v in d.items() if v is not None}) for n, d in sorted(kg.graph.nodes(data=True))]
    edges = [(u, v, key, {k: _flat(x) for k, x in d.items() if x is not None})
             for u, v, key, d in sorted(kg.graph.edges(keys=True, data=True), key=lambda e: e[:3])]
    _one_type([d for _, d in nodes])
    _one_type([d for *_, d in edges])
    g.add_nodes_from(nodes)
    g.add_edges_from(edges)
    return g


def generate_graphml(kg: KnowledgeGraph) -> Iterator[str]:
    """The lines of the GraphML document (without the XML declaration)."""
    yield from nx.generate_graphml(graphml_graph(kg))


def write_graphml(kg: KnowledgeGraph, path: str | Path) -> None:
    """Write ``kg`` as GraphML to ``path`` (atomically)."""
    with atomic_open(path) as f:
        f.write('<?xml version="1.0" encoding="utf-8"?>\n')
        for line in generate_graphml(kg):
            f.write(line + "\n")

"""The knowledge graph: built from extractions, saved as node-link JSON, loaded back.

Node ids are ``paper:<id>``, ``entity:<key>`` and ``claim:<id>``; every node has
a ``label`` (``Paper``, ``Claim`` or one entity type) and the properties of the
schema. Edges are keyed by their relationship type, so two nodes share at most
one edge of each type, carrying the ids of the papers that state it and the
evidence (sentence and offsets) for each.
"""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

import networkx as nx

from kg.errors import StoreError
from kg.files import atomic_open, compact_json, json_pieces
from kg.memory import collection_paused
from kg.records import Claim, Extraction
from kg.resolve import (MODEL_PARTS, ResolutionChange, Resolution, ResolvedEntity, canonical_key, clean_surface,
                        resolve)
from kg.results.comparable import comparable
from kg.schema import load_schema

FORMAT_VERSION = 1
NODE_FIELD = "node"  # node-link's name for the node id; "id" is a Paper and Claim property
# Relationship types renamed since stores were first written, old name -> new: a store keeps loading.
# ON was a Cypher keyword (a claim's dataset is now MEASURED_ON).
RENAMED_RELATIONSHIPS = {"ON": "MEASURED_ON"}
GRAPH_HEADER = {"format": "kg", "version": FORMAT_VERSION}  # node-link's "graph": what the file is
LABEL_WORDS = 8  # of an untitled paper's abstract, to show it by


def paper_node(paper_id: str) -> str:
    return f"paper:{paper_id}"


def entity_node(key: str) -> str:
    return f"entity:{key}"


def claim_node(claim_id: str) -> str:
    return f"claim:{claim_id}"


def claim_id(paper_id: str, claim: Claim) -> str:
    digest = hashlib.sha1(f"{paper_id}|{claim.start}|{claim.end}|{claim.value}".encode()).hexdigest()
    return "c-" + digest[:16]


def paper_label(paper: Mapping[str, Any]) -> str:
    """How a Paper node is shown: its title, or for an untitled paper the first words of its abstract."""
    if paper.get("title"):
        return paper["title"]
    words = (paper.get("abstract") or "").split()
    if not words:
        return paper["id"]
    return " ".join(words[:LABEL_WORDS]) + ("…" if len(words) > LABEL_WORDS else "")


@dataclass
class KnowledgeGraph:
    """A MultiDiGraph with the kg graph model, plus the queries every front end needs."""

    graph: nx.MultiDiGraph

    def nodes_with_label(self, *labels: str) -> Iterator[tuple[str, dict[str, Any]]]:
        wanted = set(labels)
        return ((n, d) for n, d in self.graph.nodes(data=True) if d["label"] in wanted)

    def papers(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return self.nodes_with_label("Paper")

    def entities(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return self.nodes_with_label(*load_schema().entity_labels)

    def claims(self) -> Iterator[tuple[str, dict[str, Any]]]:
        return self.nodes_with_label("Claim")

    def node_counts(self) -> dict[str, int]:
        counts = Counter(d["label"] for _, d in self.graph.nodes(data=True))
        return dict(sorted(counts.items()))

    def relationship_counts(self) -> dict[str, int]:
        counts = Counter(k for _, _, k in self.graph.edges(keys=True))
        return dict(sorted(counts.items()))

    def to_data(self) -> dict[str, Any]:
        """Node-link data in a fixed order, so equal graphs give equal bytes."""
        nodes = [{NODE_FIELD: n, **self.graph.nodes[n]} for n in sorted(self.graph.nodes)]
        edges = [
            {"source": u, "target": v, "key": k, **d}
            for u, v, k, d in sorted(self.graph.edges(keys=True, data=True), key=lambda e: e[:3])
        ]
        return {
            "directed": True,
            "multigraph": True,
            "graph": dict(GRAPH_HEADER),
            "nodes": nodes,
            "edges": edges,
        }

    def save(self, path: str | Path) -> None:
        """Write the node-link data: the bytes of ``json.dumps`` of it, keys sorted, a batch of nodes or edges
        at a time (``kg.files.json_pieces``)."""
        data = self.to_data()
        with atomic_open(path) as f:
            for piece in json_pieces(dict(sorted(data.items())), compact_json):
                f.write(piece)
            f.write("\n")

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> KnowledgeGraph:
        data = _with_current_types(data)
        return cls(nx.node_link_graph(data, directed=True, multigraph=True, name=NODE_FIELD, edges="edges"))

    @classmethod
    def load(cls, path: str | Path) -> KnowledgeGraph:
        with collection_paused():  # a graph is one big object graph (kg.memory)
            return cls._load(path)

    @classmethod
    def _load(cls, path: str | Path) -> KnowledgeGraph:
        try:
            # Decoded whole (json.load reads it whole too), so the offset of a bad byte is the file's.
            data = json.loads(Path(path).read_bytes().decode("utf-8"))
        except UnicodeDecodeError as err:
            raise StoreError(f"{path}: not a kg graph file: not UTF-8 text ({err.reason} at byte {err.start})") from None
        except json.JSONDecodeError as err:
            raise StoreError(f"{path}:{err.lineno}: not a kg graph file: {err.msg}") from None
        if not isinstance(data, dict) or data.get("graph", {}).get("format") != "kg":
            raise StoreError(f"{path}: not a kg graph file (no 'graph.format: kg')")
        return cls.from_data(data)


def _with_current_types(data: dict[str, Any]) -> dict[str, Any]:
    """Node-link ``data`` with the edges of a renamed relationship type under its current name."""
    edges = data.get("edges")
    if not isinstance(edges, list):
        return data
    current = [_current_type(edge) for edge in edges]
    return data if current == edges else {**data, "edges": current}


def _current_type(edge: Any) -> Any:
    renamed = RENAMED_RELATIONSHIPS.get(edge.get("key")) if isinstance(edge, dict) else None
    return {**edge, "key": renamed, "type": renamed} if renamed else edge


def _ensure_edge(g: nx.MultiDiGraph, u: str, v: str, rel: str) -> dict[str, Any]:
    if not g.has_edge(u, v, key=rel):
        g.add_edge(u, v, key=rel, type=rel, papers=[], evidence=[])
    return g.edges[u, v, rel]


def _add_edge(g: nx.MultiDiGraph, u: str, v: str, rel: str, evidence: dict[str, Any]) -> None:
    data = _ensure_edge(g, u, v, rel)
    if evidence["paper"] not in data["papers"]:
        data["papers"].append(evidence["paper"])
    if evidence not in data["evidence"]:
        data["evidence"].append(evidence)


def _sort_edge_lists(edges: Iterable[dict[str, Any]]) -> None:
    for data in edges:
        data["papers"].sort()
        data["evidence"].sort(key=lambda e: (e["paper"], e["start"], e["end"]))


def _entity_attributes(entity: ResolvedEntity) -> dict[str, Any]:
    model_parts = {p: getattr(entity, p) for p in MODEL_PARTS if getattr(entity, p)}
    return dict(label=entity.type, key=entity.key, name=entity.name, aliases=list(entity.aliases),
                alias_counts=entity.alias_counts, alias_keys=list(entity.alias_keys),
                type_votes=entity.type_votes, paper_count=len(entity.paper_ids), **model_parts)


def _add_entities(g: nx.MultiDiGraph, resolution: Resolution) -> None:
    for key, entity in resolution.entities.items():
        g.add_node(entity_node(key), **_entity_attributes(entity))


def _mention_evidence(g: nx.MultiDiGraph, key: str) -> list[dict[str, Any]]:
    """The evidence of every paper's mentions of an entity."""
    return [evidence for source, _, data in g.in_edges(entity_node(key), data=True)
            if source.startswith("paper:") for evidence in data["evidence"]]


def _add_family(g: nx.MultiDiGraph, variant: str, family: str) -> None:
    """VARIANT_OF from a name, with the variant's mentions as evidence."""
    _ensure_edge(g, entity_node(variant), entity_node(family), "VARIANT_OF")
    for evidence in _mention_evidence(g, variant):
        _add_edge(g, entity_node(variant), entity_node(family), "VARIANT_OF", evidence)


def _paper_nodes(extraction: Extraction) -> Iterator[tuple[str, dict[str, Any]]]:
    """A paper's node and its claims', which no other paper changes."""
    pid = extraction.paper.id
    yield paper_node(pid), {"label": "Paper", **extraction.paper.to_dict()}
    for claim in extraction.claims:
        cid = claim_id(pid, claim)
        yield claim_node(cid), {"label": "Claim", "id": cid, "paper_id": pid, **claim.to_dict(),
                                **comparable(claim).to_dict()}


def _paper_edges(extraction: Extraction, resolution: Resolution) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """What a paper states, as (source, target, relationship type, evidence), its names resolved."""
    pid = extraction.paper.id
    schema = load_schema()
    for entity in extraction.entities:
        key = resolution.key_of(pid, entity.name)
        if key is None:
            continue
        for mention in entity.mentions:
            evidence = {"paper": pid, "text": mention.text, "start": mention.start, "end": mention.end}
            yield paper_node(pid), entity_node(key), schema.role_relationships[entity.role], evidence
    for claim in extraction.claims:
        cid = claim_id(pid, claim)
        evidence = {"paper": pid, "text": claim.text, "start": claim.text_start, "end": claim.text_end}
        yield paper_node(pid), claim_node(cid), "REPORTS", evidence
        for field_name, rel in schema.claim_relationships.items():
            key = resolution.key_of(pid, getattr(claim, field_name))
            if key is not None:
                yield claim_node(cid), entity_node(key), rel, evidence
    for relation in extraction.relations:
        head, tail = resolution.key_of(pid, relation.head), resolution.key_of(pid, relation.tail)
        if head is None or tail is None or head == tail:
            continue
        evidence = {"paper": pid, "text": relation.evidence, "start": relation.start, "end": relation.end}
        yield entity_node(head), entity_node(tail), relation.type, evidence


def _add_paper(g: nx.MultiDiGraph, extraction: Extraction, resolution: Resolution) -> None:
    g.add_nodes_from(_paper_nodes(extraction))
    for u, v, rel, evidence in _paper_edges(extraction, resolution):
        _add_edge(g, u, v, rel, evidence)


def names_looked_up(extraction: Extraction, resolution: Resolution) -> set[str]:
    """The keys a paper's claims and relations find by name alone, not among the paper's own entities: its
    graph changes when an entity of such a key appears or goes."""
    pid = extraction.paper.id
    names = [getattr(claim, f) for claim in extraction.claims for f in load_schema().claim_relationships]
    names += [name for relation in extraction.relations for name in (relation.head, relation.tail)]
    return {canonical_key(name) for name in names
            if name and (pid, clean_surface(name)) not in resolution.keys}


@dataclass
class GraphChange:
    """The nodes and relationships a patch added, changed or removed."""

    nodes: set[str]
    edges: set[tuple[str, str, str]]


class GraphPatch:
    """How ``change`` turns the graph of its papers before into the graph after, as ``build_graph`` of them
    would make it, in the time of what changed: what each paper states before and after, and the family
    links to redo. ``reads`` names the part of the graph it needs, ``apply`` does it.

    ``restated`` are the papers that stay but resolve differently: ``change.moved``, and the papers whose
    claims or relations look up by name (``names_looked_up``) a key whose entity appeared or went.
    """

    def __init__(self, change: ResolutionChange, added: list[Extraction], removed: list[Extraction],
                 restated: list[Extraction]):
        self.change, self.added, self.removed = change, added, removed
        before, after = change.before, change.after
        self.unsaid = [edge for x in (*removed, *restated) for edge in _paper_edges(x, before)]
        self.said = [edge for x in (*added, *restated) for edge in _paper_edges(x, after)]
        self.old_links, self.new_links = set(before.variant_of), set(after.variant_of)
        mentioned = {v for u, v, _, _ in self.unsaid + self.said if u.startswith("paper:")}
        self.relinked = self.old_links ^ self.new_links | {
            link for link in self.old_links | self.new_links if entity_node(link[0]) in mentioned}

    def reads(self) -> tuple[set[str], set[tuple[str, str, str]], set[str]]:
        """The nodes and relationships it reads, and the nodes whose every relationship it reads."""
        nodes = {entity_node(key) for key in self.change.entities}
        edges = {edge[:3] for edge in self.unsaid + self.said}
        edges |= {(entity_node(v), entity_node(f), "VARIANT_OF") for v, f in self.relinked}
        around = {entity_node(v) for v, _ in self.relinked}
        around |= {entity_node(key) for key in self.change.entities if key not in self.change.after.entities}
        return nodes, edges, around

    def apply(self, kg: KnowledgeGraph) -> GraphChange:
        g, after = kg.graph, self.change.after
        touched: set[tuple[str, str, str]] = set()
        # A link's own evidence is its variant's mentions, which change with the papers: taken off, put on again.
        for variant, family in self.relinked & self.old_links:
            u, v = entity_node(variant), entity_node(family)
            for evidence in _mention_evidence(g, variant):
                _remove_evidence(g, u, v, "VARIANT_OF", evidence, touched)
        for u, v, rel, evidence in self.unsaid:
            _remove_evidence(g, u, v, rel, evidence, touched)
        for variant, family in self.relinked & self.old_links:  # a link of a variant no paper mentions held none
            edge = (entity_node(variant), entity_node(family), "VARIANT_OF")
            if g.has_edge(*edge) and not g.edges[edge]["evidence"]:
                g.remove_edge(*edge)
                touched.add(edge)
        nodes = {node for x in self.removed for node, _ in _paper_nodes(x)}
        g.remove_nodes_from(nodes)
        for key in self.change.entities:
            node = entity_node(key)
            nodes.add(node)
            if key not in after.entities:
                touched.update(g.in_edges(node, keys=True))
                touched.update(g.out_edges(node, keys=True))
                g.remove_node(node)
            elif node in g:
                attributes = g.nodes[node]
                attributes.clear()
                attributes.update(_entity_attributes(after.entities[key]))
            else:
                g.add_node(node, **_entity_attributes(after.entities[key]))
        for x in self.added:
            g.add_nodes_from(_paper_nodes(x))
            nodes.update(paper_node for paper_node, _ in _paper_nodes(x))
        for u, v, rel, evidence in self.said:
            _add_edge(g, u, v, rel, evidence)
            touched.add((u, v, rel))
        emptied = {(v, f) for v, f in self.new_links if (entity_node(v), entity_node(f), "VARIANT_OF") in touched
                   and not g.has_edge(entity_node(v), entity_node(f), key="VARIANT_OF")}
        for variant, family in self.relinked & self.new_links | emptied:
            _add_family(g, variant, family)
            touched.add((entity_node(variant), entity_node(family), "VARIANT_OF"))
        present = [g.edges[edge] for edge in touched if g.has_edge(*edge)]
        for data in present:
            data["papers"] = sorted({e["paper"] for e in data["evidence"]})
        _sort_edge_lists(present)
        return GraphChange(nodes, touched)


def _remove_evidence(g: nx.MultiDiGraph, u: str, v: str, rel: str, evidence: dict[str, Any],
                     touched: set[tuple[str, str, str]]) -> None:
    """Takes a statement's evidence off its relationship, and the relationship when none is left."""
    if not g.has_edge(u, v, key=rel):
        return
    data = g.edges[u, v, rel]
    if evidence in data["evidence"]:
        data["evidence"].remove(evidence)
    touched.add((u, v, rel))
    if not data["evidence"]:
        g.remove_edge(u, v, key=rel)


def build_graph(extractions: Iterable[Extraction], resolution: Resolution | None = None) -> KnowledgeGraph:
    """The graph of a set of extractions: a pure function of the set, whatever its order.

    ``resolution`` is the set's resolution when it was computed elsewhere (on a
    cluster); by default it is computed here.
    """
    by_id = {e.paper.id: e for e in extractions}
    ordered = [by_id[pid] for pid in sorted(by_id)]
    resolution = resolution or resolve(ordered)
    g = nx.MultiDiGraph()
    _add_entities(g, resolution)
    for extraction in ordered:
        _add_paper(g, extraction, resolution)
    for variant, family in resolution.variant_of:
        _add_family(g, variant, family)
    _sort_edge_lists(data for _, _, data in g.edges(data=True))
    return KnowledgeGraph(g)

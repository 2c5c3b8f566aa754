"""The graph as typed rows, grouped the way graph databases load them.

Every exporter (Bolt loader, Cypher script, neo4j-admin CSV) reads these rows,
so they agree on what a node or relationship is and on how each property is
stored. Labels and relationship types are checked against ``kg.schema``;
nothing from the data becomes a label, a type or a property name unchecked.

Property values are made storable by Neo4j (a primitive, or a list of one
kind of primitive): a dict becomes a JSON string; a list holding dicts,
lists or mixed kinds becomes a list of JSON strings, one per element, so
they can still be merged element by element; ``None`` is dropped.

A relationship's evidence (the spans of paper text that state it) is the
exception: each span becomes an ``Evidence`` node, keyed by a digest of the
span, and the relationship's ``evidence`` lists those keys. Cypher reads the
sentences with a plain ``MATCH`` (docs/cypher.md says why nodes); a span that
states several relationships (a claim's clause states all of the claim's) is
one node.

Examples
--------
>>> import networkx as nx
>>> g = nx.MultiDiGraph()
>>> g.add_node("paper:p1", label="Paper", id="p1", title="T", authors=["A", "B"], date=None)
>>> g.add_node("entity:bert", label="Model", key="bert", name="BERT", alias_counts={"BERT": 2})
>>> g.add_edge("paper:p1", "entity:bert", key="USES", type="USES", papers=["p1"],
...            evidence=[{"paper": "p1", "text": "uses BERT", "start": 0, "end": 9}])
'USES'
>>> rows = graph_rows(KnowledgeGraph(g))
>>> [(group.labels, group.rows[0].properties) for group in rows.nodes]  # doctest: +NORMALIZE_WHITESPACE
[(('Paper',), {'authors': ['A', 'B'], 'title': 'T'}),
 (('Evidence',), {'end': 9, 'paper_id': 'p1', 'start': 0, 'text': 'uses BERT'}),
 (('Entity', 'Model'), {'alias_counts': '{"BERT":2}', 'name': 'BERT'})]
>>> rows.relationships[0].rows[0].merged["evidence"] == [rows.nodes[1].rows[0].key]
True
"""
from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from functools import cache
from dataclasses import dataclass, field
from typing import Any, Mapping, Union

from kg.errors import StoreError
from kg.graph import NODE_FIELD, KnowledgeGraph
from kg.schema import Schema, load_schema

Primitive = Union[str, int, float, bool]
Value = Union[Primitive, list]

ENTITY = "Entity"
EVIDENCE = "Evidence"
EVIDENCE_PROPERTY = "evidence"  # an edge's spans in the store; the keys of their Evidence nodes in exports
# Nodes and relationships that gather facts from many papers: their list
# properties (aliases, papers, evidence) are unioned with what a database
# already holds, so loading more input adds to them instead of replacing them.
# Paper and Claim nodes are one paper's record and are replaced as a whole.
MERGING_GROUPS = frozenset({ENTITY})
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_EDGE_FIELDS = frozenset({"type"})  # what an edge carries that is not a property: its type is the relationship's


@dataclass(frozen=True)
class NodeRow:
    """One node: its key, the properties to set, and the lists to union."""

    key: str
    properties: Mapping[str, Value] = field(default_factory=dict)
    merged: Mapping[str, list] = field(default_factory=dict)


@dataclass(frozen=True)
class NodeGroup:
    """The nodes of one label, keyed within ``key_label`` (Paper, Claim, Evidence or Entity)."""

    label: str
    key_label: str
    key: str
    rows: tuple[NodeRow, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.key_label,) if self.label == self.key_label else (self.key_label, self.label)


@dataclass(frozen=True)
class RelationshipRow:
    start: str
    end: str
    properties: Mapping[str, Value] = field(default_factory=dict)
    merged: Mapping[str, list] = field(default_factory=dict)


@dataclass(frozen=True)
class RelationshipGroup:
    """The relationships of one type between two key labels (Paper, Claim or Entity)."""

    type: str
    start_label: str
    start_key: str
    end_label: str
    end_key: str
    rows: tuple[RelationshipRow, ...]

    @property
    def name(self) -> str:
        return f"{self.type} ({self.start_label}->{self.end_label})"


@dataclass(frozen=True)
class GraphRows:
    nodes: tuple[NodeGroup, ...]
    relationships: tuple[RelationshipGroup, ...]

    def node_counts(self) -> dict[str, int]:
        return {g.label: len(g.rows) for g in self.nodes}

    def relationship_counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for g in self.relationships:
            counts[g.type] += len(g.rows)
        return dict(sorted(counts.items()))

    def row_counts(self) -> dict[str, int]:
        """Rows per label and per relationship group (by its name): what a load's progress is counted against."""
        return self.node_counts() | {g.name: len(g.rows) for g in self.relationships}


def json_text(value: Any) -> str:
    """Compact, key-sorted JSON: equal values give equal strings, so they merge."""
    return _JSON.encode(value)


_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
_PRIMITIVE_TYPES = frozenset({str, int, float, bool})
_DICT = {dict}


def _kind(value: Any) -> type | None:
    if type(value) in _PRIMITIVE_TYPES:
        return type(value)
    if isinstance(value, bool):
        return bool
    if isinstance(value, (int, float, str)):
        return type(value)
    return None


def _kinds(values: list | tuple) -> set:
    """The primitive types of ``values``; ``None`` stands for any other type."""
    kinds = set(map(type, values))
    if kinds <= _PRIMITIVE_TYPES:
        return kinds
    if kinds == _DICT:  # per-paper items such as evidence: the common case, so no look at each
        return {None}
    return {_kind(v) for v in values}


def storable(value: Any) -> Value | None:
    """``value`` as Neo4j can store it, or ``None`` when it is to be dropped."""
    if type(value) in _PRIMITIVE_TYPES or value is None:
        return value
    if isinstance(value, (list, tuple)):
        kinds = _kinds(value)
        if not value or (len(kinds) == 1 and None not in kinds):
            return list(value)
        if kinds == {int, float}:
            return [float(v) for v in value]
        return list(map(json_text, value))
    if _kind(value) is not None:
        return value
    if isinstance(value, Mapping):
        return json_text(value)
    raise StoreError(f"cannot store a {type(value).__name__} as a graph property")


@cache
def property_name(name: str) -> str:
    if not isinstance(name, str) or not IDENTIFIER.match(name):
        raise StoreError(f"property name {name!r} is not a plain identifier")
    return name


@cache
def _property_names(names: tuple[str, ...], skipped: frozenset[str]) -> tuple[str, ...]:
    """``names`` less ``skipped``, sorted and checked: nodes and edges mostly share a few sets of names."""
    return tuple(property_name(name) for name in sorted(names) if name not in skipped)


def _split_properties(data: Mapping[str, Any], skipped: frozenset[str], merging: bool) -> tuple[dict, dict]:
    properties: dict[str, Value] = {}
    merged: dict[str, list] = {}
    for name in _property_names(tuple(data), skipped):
        value = storable(data[name])
        if value is None:
            continue
        if merging and isinstance(value, list):
            merged[name] = value
        else:
            properties[name] = value
    return properties, merged


def evidence_key(span: Mapping[str, Any]) -> str:
    """The key of the Evidence node of one span (``paper``, ``start``, ``end``, ``text``): the same span gives the
    same key in every build, and two texts at one place (a paper whose text changed) two keys."""
    identity = f"{span['paper']!r}|{span['start']!r}|{span['end']!r}|{span['text']!r}"
    return "e-" + hashlib.sha1(identity.encode("utf-8")).hexdigest()[:16]


def _evidence_rows(kg: KnowledgeGraph) -> dict[str, NodeRow]:
    """An Evidence node row for every span any edge holds as evidence, by key."""
    found: dict[str, NodeRow] = {}
    for u, v, rel_type, data in kg.graph.edges(keys=True, data=True):
        for span in data.get(EVIDENCE_PROPERTY) or ():
            key = _checked_evidence_key(span, u, v, rel_type)
            if key not in found:
                properties, _ = _split_properties(
                    {"end": span["end"], "paper_id": span["paper"], "start": span["start"], "text": span["text"]},
                    frozenset(), merging=False)
                found[key] = NodeRow(key, properties)
    return found


def _checked_evidence_key(span: Any, u: str, v: str, rel_type: str) -> str:
    try:
        return evidence_key(span)
    except (KeyError, TypeError):
        raise StoreError(f"edge {u!r}-[{rel_type}]->{v!r} has evidence that is not a span (paper, start, end, "
                         f"text): {span!r:.100}") from None


def key_label_of(label: str, schema: Schema) -> str:
    """The label a node's key is unique within: its own, or Entity for entity types."""
    schema.check_label(label)
    return ENTITY if label in schema.entity_labels else label


def key_property(key_label: str, schema: Schema) -> str:
    return property_name(schema.node_labels[key_label]["key"])


def node_groups(kg: KnowledgeGraph, schema: Schema | None = None) -> tuple[NodeGroup, ...]:
    """Node rows per label, in schema order, each sorted by key."""
    schema = schema or load_schema()
    by_label: dict[str, list[NodeRow]] = defaultdict(list)
    keys: set[tuple[str, str]] = set()  # (key label, key): a loader may CREATE each without a look for it
    for node, data in kg.graph.nodes(data=True):
        label = data.get("label")
        if label in (ENTITY, EVIDENCE) or label not in schema.labels:
            raise StoreError(f"node {node!r} has label {label!r}, which is not the label of a stored node")
        key_label = key_label_of(label, schema)
        key_name = key_property(key_label, schema)
        key = data.get(key_name)
        if not isinstance(key, str) or not key:
            raise StoreError(f"node {node!r} ({label}) has no {key_name!r}")
        if (key_label, key) in keys:
            raise StoreError(f"node {node!r} ({label}) has the {key_name} {key!r} of another {key_label} node")
        keys.add((key_label, key))
        properties, merged = _split_properties(data, frozenset({"label", NODE_FIELD, key_name}),
                                               key_label in MERGING_GROUPS)
        by_label[label].append(NodeRow(key, properties, merged))
    by_label[EVIDENCE] = list(_evidence_rows(kg).values())
    order = [label for label in schema.labels if label != ENTITY]
    return tuple(
        NodeGroup(label, key_label_of(label, schema), key_property(key_label_of(label, schema), schema),
                  tuple(sorted(by_label[label], key=lambda r: r.key)))
        for label in order if by_label.get(label)
    )


def _check_endpoint(rel_type: str, end: str, key_label: str, schema: Schema) -> None:
    allowed = schema.relationship_types[rel_type]["from" if end == "start" else "to"]
    if key_label not in allowed:
        raise StoreError(f"a {rel_type} relationship cannot {'start' if end == 'start' else 'end'} at a {key_label}")


def relationship_groups(kg: KnowledgeGraph, schema: Schema | None = None) -> tuple[RelationshipGroup, ...]:
    """Relationship rows per (type, start key label, end key label), in schema order."""
    schema = schema or load_schema()
    nodes = kg.graph.nodes
    keyed: dict[str, tuple[str, str]] = {}  # node label -> (key label, key property)

    def key_of(node: str) -> tuple[str, str]:
        data = nodes[node]
        label = data["label"]
        if label not in keyed:
            key_label = key_label_of(label, schema)
            keyed[label] = (key_label, key_property(key_label, schema))
        key_label, key_name = keyed[label]
        return key_label, data[key_name]

    checked: set[tuple[str, str, str]] = set()
    by_group: dict[tuple[str, str, str], list[RelationshipRow]] = defaultdict(list)
    for u, v, rel_type, data in kg.graph.edges(keys=True, data=True):
        if data.get("type", rel_type) != rel_type:
            raise StoreError(f"edge {u!r}->{v!r} is keyed {rel_type!r} but typed {data.get('type')!r}")
        start_label, start = key_of(u)
        end_label, end = key_of(v)
        if (rel_type, start_label, end_label) not in checked:
            schema.check_relationship(rel_type)
            _check_endpoint(rel_type, "start", start_label, schema)
            _check_endpoint(rel_type, "end", end_label, schema)
            checked.add((rel_type, start_label, end_label))
        if data.get(EVIDENCE_PROPERTY):
            data = {**data, EVIDENCE_PROPERTY: [_checked_evidence_key(span, u, v, rel_type)
                                                for span in data[EVIDENCE_PROPERTY]]}
        properties, merged = _split_properties(data, _EDGE_FIELDS, merging=True)
        by_group[(rel_type, start_label, end_label)].append(RelationshipRow(start, end, properties, merged))
    type_order = {t: i for i, t in enumerate(schema.relationship_types)}
    label_order = {label: i for i, label in enumerate(schema.labels)}
    return tuple(
        RelationshipGroup(t, s, key_property(s, schema), e, key_property(e, schema),
                          tuple(sorted(rows, key=lambda r: (r.start, r.end))))
        for (t, s, e), rows in sorted(by_group.items(),
                                      key=lambda item: (type_order[item[0][0]], label_order[item[0][1]],
                                                        label_order[item[0][2]]))
    )


def graph_rows(kg: KnowledgeGraph, schema: Schema | None = None) -> GraphRows:
    schema = schema or load_schema()
    return GraphRows(node_groups(kg, schema), relationship_groups(kg, schema))

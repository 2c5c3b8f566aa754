"""What a change of the store asks of the embedded database: the rows to write and the rows to delete.

Loading a store's graph into the embedded FalkorDB is the slow part of a query on a
changed store (8,000 corpus papers: 86 s, nearly all of it the server
writing 320,000 rows), while a day's update changes a small share of the rows. So
the engine keeps, beside its saved database, a digest of every row it wrote
(:mod:`kg.export.rows`: a node with its labels and properties, a relationship with
its ends and properties). When the store changes, only the rows whose digest is
new or differs are written, each exactly as its row says (as ``kg export neo4j
--sync`` writes), and the rows that are gone are deleted.

Nodes are known by their key label and key, so an entity that changes type is
rewritten in place (its labels replaced), keeping its relationships.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from kg.export.rows import (GraphRows, NodeGroup, NodeRow, RelationshipGroup, RelationshipRow, json_text,
                            key_property)
from kg.files import atomic_open
from kg.schema import load_schema

DIGESTS_VERSION = 1
# Past this share of the rows to write or delete, the store is loaded anew. An update writes rows faster than a
# full load does (8,000 papers, 2,000 of them added back: 83,775 rows in 8.3 s, where a full load writes 322,983
# in 78 s), so it pays until most rows change; past half, the full load's known cost is taken.
MAX_CHANGED_SHARE = 0.5


def _digest(*parts: object) -> str:
    return hashlib.sha1(json_text(parts).encode("utf-8")).hexdigest()[:20]


def _relationship_group_id(group: RelationshipGroup) -> str:
    return json_text([group.type, group.start_label, group.end_label])


@dataclass(frozen=True)
class RowDigests:
    """A digest of each row a database was written with.

    ``nodes``: key label -> key -> digest; ``relationships``: the group's [type, start key label, end key
    label] as JSON -> [start key, end key] as JSON -> digest."""

    nodes: dict[str, dict[str, str]]
    relationships: dict[str, dict[str, str]]

    @classmethod
    def of(cls, rows: GraphRows) -> RowDigests:
        nodes: dict[str, dict[str, str]] = {}
        for group in rows.nodes:
            held = nodes.setdefault(group.key_label, {})
            for row in group.rows:
                held[row.key] = _digest(group.labels, row.properties, row.merged)
        relationships = {
            _relationship_group_id(group): {json_text([row.start, row.end]): _digest(row.properties, row.merged)
                                            for row in group.rows}
            for group in rows.relationships}
        return cls(nodes, relationships)

    @property
    def count(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.relationships.values()))

    @classmethod
    def read(cls, path: Path) -> RowDigests | None:
        """The digests saved at ``path``; None when there are none, or none this version of kg can read."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != DIGESTS_VERSION:
                return None
            return cls(data["nodes"], data["relationships"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, path: Path) -> None:
        data = {"version": DIGESTS_VERSION, "nodes": self.nodes, "relationships": self.relationships}
        with atomic_open(path) as f:  # one string: json.dump would encode it in Python, a few bytes a write
            f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


@dataclass(frozen=True)
class Delta:
    """The rows to write (new, or changed) and the rows to delete (gone: keys only)."""

    write: GraphRows
    delete: GraphRows

    @property
    def count(self) -> int:
        return sum(len(group.rows) for rows in (self.write, self.delete)
                   for group in (*rows.nodes, *rows.relationships))


def delta(held: RowDigests, rows: GraphRows, digests: RowDigests) -> Delta:
    """What turns a database written with the rows ``held`` digests into one written with ``rows``
    (whose digests, ``RowDigests.of(rows)``, are ``digests``)."""
    nodes = []
    for group in rows.nodes:
        before, now = held.nodes.get(group.key_label, {}), digests.nodes[group.key_label]
        changed = tuple(row for row in group.rows if before.get(row.key) != now[row.key])
        if changed:
            nodes.append(NodeGroup(group.label, group.key_label, group.key, changed))
    relationships = []
    for group in rows.relationships:
        group_id = _relationship_group_id(group)
        before = held.relationships.get(group_id, {})
        # ``of`` made a group's digests in the order of its rows, whose ends are distinct: pair them up
        changed = tuple(row for row, (ends, now) in zip(group.rows, digests.relationships[group_id].items())
                        if before.get(ends) != now)
        if changed:
            relationships.append(RelationshipGroup(group.type, group.start_label, group.start_key, group.end_label,
                                                   group.end_key, changed))
    return Delta(GraphRows(tuple(nodes), tuple(relationships)), _gone(held, digests))


def _gone(held: RowDigests, digests: RowDigests) -> GraphRows:
    """The keys ``held`` has and ``digests`` lacks, as rows to delete; labels and types checked against the
    schema, since they come from a file."""
    schema = load_schema()
    nodes = []
    for key_label, keys in sorted(held.nodes.items()):
        gone = sorted(set(keys) - set(digests.nodes.get(key_label, ())))
        if gone:
            schema.check_label(key_label)
            nodes.append(NodeGroup(key_label, key_label, key_property(key_label, schema), tuple(map(NodeRow, gone))))
    relationships = []
    for group_id, ends in sorted(held.relationships.items()):
        gone = sorted(set(ends) - set(digests.relationships.get(group_id, ())))
        if gone:
            rel_type, start_label, end_label = json.loads(group_id)
            schema.check_relationship(rel_type)
            relationships.append(RelationshipGroup(
                rel_type, schema.check_label(start_label), key_property(start_label, schema),
                schema.check_label(end_label), key_property(end_label, schema),
                tuple(RelationshipRow(*json.loads(pair)) for pair in gone)))
    return GraphRows(tuple(nodes), tuple(relationships))

"""Deleting kg's data from a Bolt server: all of it (:func:`wipe`), or what the graph no longer holds (a load
with ``sync``: :func:`delete_stale`). Nodes of other labels stay."""
from __future__ import annotations

import neo4j
from neo4j import exceptions as neo4j_errors

from kg.export.cypher import delete_statements
from kg.export.neo4j.connection import Neo4jConnection, explain, open_connection, run
from kg.export.neo4j.servers import BatchLimits
from kg.export.rows import GraphRows, NodeGroup, NodeRow, RelationshipGroup, RelationshipRow, key_property
from kg.graph import RENAMED_RELATIONSHIPS
from kg.schema import Schema, load_schema

WIPE_BATCH = 10_000


def _stale(tx: neo4j.ManagedTransaction, held: GraphRows) -> GraphRows:
    """kg's nodes and relationships that the database has and ``held`` lacks, as rows of their keys."""
    schema = load_schema()
    held_nodes = {(group.key_label, row.key) for group in held.nodes for row in group.rows}
    nodes = []
    for label in schema.node_labels:
        key = key_property(label, schema)
        found = {r["key"] for r in tx.run(f"MATCH (n:{label}) WHERE n.{key} IS NOT NULL RETURN n.{key} AS key")}
        stale = sorted((k for k in found if (label, k) not in held_nodes), key=repr)
        if stale:
            nodes.append(NodeGroup(label, label, key, tuple(map(NodeRow, stale))))
    held_relationships = {(group.type, group.start_label, group.end_label, row.start, row.end)
                          for group in held.relationships for row in group.rows}
    relationships = []
    for rel_type, ends in _kg_relationship_types(schema):
        for start_label in ends["from"]:
            for end_label in ends["to"]:
                start_key, end_key = key_property(start_label, schema), key_property(end_label, schema)
                found = {(r["start"], r["end"]) for r in tx.run(
                    f"MATCH (a:{start_label})-[:{rel_type}]->(b:{end_label}) "
                    f"RETURN a.{start_key} AS start, b.{end_key} AS end")}
                stale = sorted(((s, e) for s, e in found if s is not None and e is not None
                                and (rel_type, start_label, end_label, s, e) not in held_relationships), key=repr)
                if stale:
                    relationships.append(RelationshipGroup(rel_type, start_label, start_key, end_label, end_key,
                                                           tuple(RelationshipRow(s, e) for s, e in stale)))
    return GraphRows(tuple(nodes), tuple(relationships))


def _kg_relationship_types(schema: Schema) -> list[tuple[str, dict]]:
    """The schema's relationship types with their ends, and the old names of renamed ones with the new one's."""
    renamed = [(old, schema.relationship_types[new]) for old, new in RENAMED_RELATIONSHIPS.items()]
    return [*schema.relationship_types.items(), *renamed]


def delete_stale(session: neo4j.Session, connection: Neo4jConnection, held: GraphRows,
                 limits: BatchLimits) -> tuple[int, int]:
    """Delete kg's nodes and relationships that ``held`` lacks; (nodes, relationships) deleted."""
    stale = session.execute_read(_stale, held)
    nodes = relationships = 0
    for statement in delete_statements(stale, batch_size=limits.rows, batch_bytes=limits.bytes,
                                       query_limit=limits.query_limit):
        counters = session.execute_write(run, statement.query, rows=connection.parameters(statement.rows))
        nodes += counters.nodes_deleted
        relationships += counters.relationships_deleted
    return nodes, relationships


def wipe(*, uri: str | None = None, user: str | None = None, password: str | None = None,
         database: str | None = None, connection: Neo4jConnection | None = None,
         batch_size: int = WIPE_BATCH) -> int:
    """Delete kg's nodes (Paper, Claim, Evidence, Entity of any type) and their relationships, in batches.

    Nodes with other labels stay. Returns the number of nodes deleted.
    """
    schema = load_schema()
    labels = [schema.check_label(label) for label in schema.node_labels]
    connection, owned = open_connection(connection, uri, user, password, database)
    deleted = 0
    try:
        with connection.session() as session:
            for label in labels:
                query = f"MATCH (n:{label}) WITH n LIMIT $limit DETACH DELETE n"
                while True:
                    gone = session.execute_write(run, query, limit=batch_size).nodes_deleted
                    deleted += gone
                    if gone == 0:
                        break
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as err:
        raise explain(err, connection.uri, connection.user, connection.database) from None
    finally:
        if owned:
            connection.close()
    return deleted

"""The constraints and indexes kg MERGEs on: constraints.cypher on Neo4j, indexes on the same keys on FalkorDB."""
from __future__ import annotations

import logging
import re
from typing import Collection

import neo4j

from kg.export.neo4j.connection import Neo4jConnection, run
from kg.export.neo4j.servers import NEO4J
from kg.export.rows import property_name
from kg.schema import constraints_cypher, load_schema

log = logging.getLogger(__name__)

_KEYED = re.compile(r"FOR\s*\(\s*(\w+)\s*:\s*(\w+)\s*\)\s*(?:REQUIRE|ON)\s*\(?\s*\1\.(\w+)", re.IGNORECASE)


def schema_indexes() -> list[tuple[str, str]]:
    """(label, property) of every constraint and index in ``schema/constraints.cypher``."""
    schema = load_schema()
    found = []
    for statement in constraints_cypher():
        match = _KEYED.search(statement)
        if match:
            found.append((schema.check_label(match.group(2)), property_name(match.group(3))))
    return found


def index_statements(skipped: Collection[tuple[str, str]] = ()) -> list[str]:
    """``CREATE INDEX`` on each key of :func:`schema_indexes` but the (label, property) pairs ``skipped``: what
    FalkorDB, which takes no constraints, gets instead."""
    return [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
            for label, prop in dict.fromkeys(schema_indexes()) if (label, prop) not in skipped]


def _existing_indexes(tx: neo4j.ManagedTransaction) -> set[tuple[str, str]]:
    result = tx.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    return {(r["label"], p) for r in result for p in r["properties"]}


def ensure_schema(connection: Neo4jConnection) -> list[str]:
    """Create the constraints and indexes kg MERGEs on (FalkorDB: indexes only); return the statements run."""
    with connection.session() as session:
        if connection.server.kind == NEO4J:
            statements = constraints_cypher()
        else:
            statements = index_statements(session.execute_read(_existing_indexes))
            log.warning("FalkorDB takes no constraints: indexing the keys instead "
                        "(keys stay unique while one load runs at a time)")
        for statement in statements:
            session.execute_write(run, statement)
    return statements

"""Queries on a Bolt server (Neo4j, or FalkorDB's Bolt port) through the official driver, in a read transaction.

The server is given by the ``uri`` argument or ``NEO4J_URI``; credentials come from ``NEO4J_USERNAME``
(or ``NEO4J_USER``) and ``NEO4J_PASSWORD``, the database from ``NEO4J_DATABASE``. Connecting, and what
FalkorDB's Bolt port needs, are the Neo4j exporter's (:mod:`kg.export.neo4j`).
"""
from __future__ import annotations

import os
from typing import Any, Mapping

from kg.errors import Neo4jExportError, QueryError
from kg.query.params import check_params
from kg.query.result import QueryResult, plain


def bolt_settings(uri: str | None, user: str | None, password: str | None,
                  database: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    """(uri, user, password, database): those given, else the ``NEO4J_*`` variables'."""
    env = os.environ
    return (uri or env.get("NEO4J_URI") or None,
            user or env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or None,
            password or env.get("NEO4J_PASSWORD"),
            database or env.get("NEO4J_DATABASE") or None)


def _neo4j_value(value: Any) -> Any:
    from neo4j.graph import Node, Path as Neo4jPath, Relationship

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels), **_neo4j_value(dict(value))}
    if isinstance(value, Relationship):
        return {"_type": value.type, **_neo4j_value(dict(value))}
    if isinstance(value, Neo4jPath):
        return {"nodes": [_neo4j_value(n) for n in value.nodes],
                "relationships": [_neo4j_value(r) for r in value.relationships]}
    if hasattr(value, "iso_format"):  # neo4j.time Date, DateTime, Duration, ...
        return value.iso_format()
    return plain(value, _neo4j_value)


def query_neo4j(cypher: str, params: Mapping[str, Any] | None, *, uri: str, user: str | None = None,
                password: str | None = None, database: str | None = None) -> QueryResult:
    """Run ``cypher`` in a read transaction on a Bolt server (Neo4j, or FalkorDB's Bolt port)."""
    from neo4j import exceptions as neo4j_errors

    from kg.export.neo4j import DEFAULT_LIMITS, FALKORDB, connect, explain, falkordb_query_fits

    check_params(params)
    try:
        connection = connect(uri, user, password, database)
    except Neo4jExportError as err:
        raise QueryError(str(err)) from None
    with connection:
        parameters = dict(params or {})
        if connection.server.kind == FALKORDB:
            if not falkordb_query_fits(cypher, parameters):
                raise QueryError(f"a query and parameters over {DEFAULT_LIMITS[FALKORDB].query_limit:,} bytes "
                                 f"would crash FalkorDB's Bolt port at {connection.display_uri}")
            parameters = connection.parameters((parameters,))[0]

        def read(tx):
            result = tx.run(cypher, parameters)
            return list(result.keys()), [[_neo4j_value(v) for v in record.values()] for record in result]

        try:
            with connection.session() as session:
                columns, rows = session.execute_read(read)
        except neo4j_errors.Neo4jError as err:
            if (err.code or "").startswith("Neo.ClientError.Statement") or isinstance(err, neo4j_errors.DatabaseError):
                message = (err.message or str(err)).strip() or err.code
                raise QueryError(f"query failed: {message.splitlines()[0]}") from None
            raise QueryError(str(explain(err, uri, user, database))) from None
        except neo4j_errors.DriverError as err:
            raise QueryError(str(explain(err, uri, user, database))) from None
    return QueryResult(columns, rows)

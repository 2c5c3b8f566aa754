"""Cypher over a kg store: on a Neo4j when one is given, else on a private embedded FalkorDB.

``run_query(cypher)`` runs a read-only query and returns its columns and rows,
with nodes, relationships and paths turned into plain dicts and lists.

One concept a module:

- :mod:`~kg.query.params`: ``--param NAME=VALUE`` read as JSON where it is JSON;
- :mod:`~kg.query.bolt`: the query on a Bolt server (a Neo4j given by ``uri`` or ``NEO4J_URI``);
- :mod:`~kg.query.embedded`: the query on the store itself, its graph loaded once and cached beside it;
- :mod:`~kg.query.delta`: the rows a change of the store writes into that cache, and those it deletes;
- :mod:`~kg.query.server`: the embedded engine's process, started for a call and stopped after it;
- :mod:`~kg.query.result` and :mod:`~kg.query.output`: the rows as plain data, printed as a table, JSON or CSV.

Errors the user can act on are :class:`kg.errors.QueryError`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

from kg.errors import QueryError
from kg.query.bolt import bolt_settings, query_neo4j
from kg.query.embedded import EmbeddedGraph, load_graph
from kg.query.output import FORMATTERS, format_csv, format_json, format_result, format_table, value_text
from kg.query.params import parse_param, parse_params
from kg.query.result import QueryResult
from kg.query.server import ENGINE_MISSING

DEFAULT_GRAPH = Path("out") / "graph.json"


def run_query(cypher: str, *, graph_path: str | Path | None = None, params: Mapping[str, Any] | None = None,
              uri: str | None = None, user: str | None = None, password: str | None = None,
              database: str | None = None, notify: Callable[[str], None] | None = None) -> QueryResult:
    """Run a read-only Cypher query on a Neo4j (``uri`` or ``NEO4J_URI``) or on the local store.

    Parameters
    ----------
    cypher : the query; values belong in ``params`` and are referenced as ``$name``.
    graph_path : the store's ``graph.json`` (default ``out/graph.json``), used without a Neo4j.
    params : query parameters, e.g. ``{"key": "llama", "limit": 5}``.
    uri, user, password, database : the Neo4j to use; default to ``NEO4J_*`` variables.
    notify : called with a line to show when the store's graph has to be loaded into the embedded engine, or
        brought up to date after the store changed (seconds to minutes on a big store).

    Raises
    ------
    QueryError : bad Cypher (the server's message, one line), no graph file, server unreachable.
    """
    uri, user, password, database = bolt_settings(uri, user, password, database)
    if uri:
        return query_neo4j(cypher, params, uri=uri, user=user, password=password, database=database)
    with EmbeddedGraph(Path(graph_path) if graph_path else DEFAULT_GRAPH, notify=notify) as engine:
        return engine.query(cypher, params)


__all__ = [
    "DEFAULT_GRAPH", "ENGINE_MISSING", "EmbeddedGraph", "FORMATTERS", "QueryError", "QueryResult", "format_csv",
    "format_json", "format_result", "format_table", "load_graph", "parse_param", "parse_params", "query_neo4j",
    "run_query", "value_text",
]

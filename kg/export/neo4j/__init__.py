"""Load the graph into a Bolt server (Neo4j, or FalkorDB's Bolt port) with the official driver.

One concept a module:

- :mod:`~kg.export.neo4j.servers`: the servers kg knows and how much one statement may carry on each;
- :mod:`~kg.export.neo4j.connection`: the driver, what serves it, and the driver's errors as one line;
- :mod:`~kg.export.neo4j.falkordb`: FalkorDB's Bolt port and what kg does about its ways (escaping,
  the 4 KB buffer, the stalled socket after a client leaves);
- :mod:`~kg.export.neo4j.constraints`: the constraints and indexes kg MERGEs on;
- :mod:`~kg.export.neo4j.load`: the load itself (idempotent, batched, ``sync`` to mirror the graph);
- :mod:`~kg.export.neo4j.ahead`: the relationships' statements made in a forked process meanwhile;
- :mod:`~kg.export.neo4j.delete`: deleting kg's nodes (``wipe``) or what the graph no longer holds;
- :mod:`~kg.export.neo4j.plan`: the dry run.

Errors the user can act on are :class:`kg.errors.Neo4jExportError`.

Examples
--------
>>> import networkx as nx
>>> from kg.graph import KnowledgeGraph
>>> plan = plan_export(KnowledgeGraph(nx.MultiDiGraph()))
>>> plan.statements, plan.batch_bytes
(0, 2000000)
"""
from kg.export.neo4j.connection import Neo4jConnection, ServerInfo, connect, display_uri, explain
from kg.export.neo4j.constraints import ensure_schema, schema_indexes
from kg.export.neo4j.delete import wipe
from kg.export.neo4j.falkordb import falkordb_query_fits
from kg.export.neo4j.load import GroupLoad, LoadSummary, export_to_neo4j
from kg.export.neo4j.plan import ExportPlan, plan_export
from kg.export.neo4j.servers import DEFAULT_LIMITS, FALKORDB, NEO4J, BatchLimits, batch_limits

__all__ = [
    "DEFAULT_LIMITS", "FALKORDB", "NEO4J", "BatchLimits", "ExportPlan", "GroupLoad", "LoadSummary", "Neo4jConnection",
    "ServerInfo", "batch_limits", "connect", "display_uri", "ensure_schema", "explain", "export_to_neo4j",
    "falkordb_query_fits", "plan_export", "schema_indexes", "wipe",
]

"""Bolt load speed: kg's batched export against a naive loop of one MERGE per row.

    python scripts/bench_neo4j.py [--graph graph.json | --papers 5000 --corpus PATH]
                                  [--uri bolt://host:7687 --user U --password P --database D --allow-wipe]
                                  [--naive-rows 20000]

One run, one server, one driver connection:

1. kg: ``export_to_neo4j`` with the server's default batch limits into an
   emptied database (wall time of the whole call: rows, schema, statements);
   then the same load again, which must create nothing (idempotent).
2. naive: kg's nodes deleted, then one auto-commit ``session.run`` per row in
   one session, with the same rows (:mod:`kg.export.rows`) and the same MERGE
   semantics: ``MERGE (n:Label {key: $key}) SET n += $props`` for nodes (an
   entity: ``MERGE (n:Entity {key: $key}) SET n:Model SET n += $props``),
   ``MATCH (a ...) MATCH (b ...) MERGE (a)-[r:T]->(b) SET r += $props`` for
   relationships. It gets the same key indexes as kg. On FalkorDB its strings
   are escaped as kg's are, and rows whose parameters alone would pass the
   server's ~4 KB query buffer (which crashes it) are left out and counted.

When the graph has more rows than ``--naive-rows``, the naive loop is timed on a
fixed sample: the first rows (by key) of every label and relationship group, in
proportion to its size. The sampled nodes are timed first; then the rest of the
nodes are loaded untimed (kg's loader) so that the sampled relationships find
their ends as in a full load; then the sampled relationships are timed.

The graph: ``--graph`` (a graph.json), else the first ``--papers`` papers of the
corpus built with ``kg.build.build_store(..., BuildOptions(html=False, jobs=2))``
in a temporary directory (the extraction cache makes a rerun cheap).

The server: ``--uri`` (or NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD,
NEO4J_DATABASE): it deletes kg's nodes (Paper, Claim, Entity) there, so it
wants ``--allow-wipe``. Without one, a private FalkorDB is started
(scripts/falkordb_server.py) and stopped at the end.
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import math
import os
import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import networkx as nx
import neo4j

from kg.export.cypher import literal_size
from kg.export.neo4j import (DEFAULT_LIMITS, FALKORDB, Neo4jConnection, connect, ensure_schema, export_to_neo4j,
                             wipe)
from kg.export.rows import GraphRows, graph_rows
from kg.graph import KnowledgeGraph

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parents[1] / "shared" / "corpora" / "arxiv-ml-abstracts.jsonl.gz"
BAR = 8.0  # kg at least this many times the naive loop, on FalkorDB


# --- the graph ------------------------------------------------------------------------

def build_graph_of(corpus: Path, papers: int, jobs: int, store: Path | None) -> Path:
    from kg.build import BuildOptions, build_store

    work = Path(tempfile.mkdtemp(prefix="kg-bench-neo4j-"))
    source = work / "papers.jsonl.gz"
    with gzip.open(corpus, "rt") as f, gzip.open(source, "wt") as out:
        out.writelines(islice(f, papers))
    out_dir = store or work / "store"
    started = time.perf_counter()
    report = build_store([str(source)], out_dir, BuildOptions(html=False, jobs=jobs))
    print(f"built       {report.store_papers:,} papers ({report.extracted:,} extracted, "
          f"{report.cache_hits:,} from the cache) in {time.perf_counter() - started:.0f} s", flush=True)
    return report.outputs["graph"]


# --- the naive loader -------------------------------------------------------------------

def naive_rows(rows: GraphRows) -> tuple[list[tuple[str, dict]], list[tuple[str, dict]]]:
    """(query, parameters) per node row and per relationship row, in load order."""
    nodes, relationships = [], []
    for g in rows.nodes:
        query = f"MERGE (n:{g.key_label} {{{g.key}: $key}})"
        if g.label != g.key_label:
            query += f" SET n:{g.label}"
        query += " SET n += $props"
        nodes.append([(query, {"key": r.key, "props": {**r.properties, **r.merged}}) for r in g.rows])
    for g in rows.relationships:
        query = (f"MATCH (a:{g.start_label} {{{g.start_key}: $start}}) MATCH (b:{g.end_label} {{{g.end_key}: $end}}) "
                 f"MERGE (a)-[r:{g.type}]->(b) SET r += $props")
        relationships.append([(query, {"start": r.start, "end": r.end, "props": {**r.properties, **r.merged}})
                              for r in g.rows])
    return nodes, relationships


def sample(groups: list[list], share: float) -> list:
    """The first ceil(share * size) rows of each group (all when share >= 1)."""
    return [row for group in groups for row in group[:math.ceil(min(share, 1.0) * len(group))]]


def prepare(connection: Neo4jConnection, items: list[tuple[str, dict]]) -> tuple[list[tuple[str, dict]], int]:
    """Parameters as the server needs them; on FalkorDB, without rows that would crash it. (items, left out)"""
    limit = DEFAULT_LIMITS[FALKORDB].query_limit if connection.server.kind == FALKORDB else None
    kept = []
    for query, params in items:
        if limit is not None and len(query) + literal_size(params) + 32 > limit:
            continue
        kept.append((query, connection.parameters((params,))[0]))
    return kept, len(items) - len(kept)


def run_naive(session: neo4j.Session, items: list[tuple[str, dict]]) -> float:
    started = time.perf_counter()
    for query, params in items:
        session.run(query, params).consume()
    return time.perf_counter() - started


def count(connection: Neo4jConnection, query: str) -> int:
    with connection.session() as session:
        return session.execute_read(lambda tx: tx.run(query).single()[0])


# --- the run ---------------------------------------------------------------------------------

def rust_extension() -> str:
    try:
        from importlib.metadata import version

        return f"neo4j-rust-ext {version('neo4j-rust-ext')}" if importlib.util.find_spec("neo4j._rust") else "none"
    except Exception:  # noqa: BLE001 - only for the report
        return "none"


def bench(kg: KnowledgeGraph, connection: Neo4jConnection, naive_limit: int) -> None:
    rows = graph_rows(kg)
    node_total = sum(rows.node_counts().values())
    total = node_total + sum(rows.relationship_counts().values())
    print(f"graph       {node_total:,} nodes, {total - node_total:,} relationships ({total:,} rows)")
    print(f"server      {connection.display_uri} ({connection.server.kind}, says {connection.server.agent}); "
          f"driver neo4j {neo4j.__version__}, rust extension: {rust_extension()}", flush=True)

    wipe(connection=connection)
    started = time.perf_counter()
    first = export_to_neo4j(kg, connection=connection)
    kg_seconds = time.perf_counter() - started
    kg_rate = total / kg_seconds
    limits = DEFAULT_LIMITS[connection.server.kind]
    print(f"kg          {kg_rate:10,.0f} rows/s  {total:,} rows in {kg_seconds:.2f} s, {first.statements:,} "
          f"statements (batches of <= {limits.rows:,} rows, {limits.bytes:,} bytes)", flush=True)
    started = time.perf_counter()
    second = export_to_neo4j(kg, connection=connection)
    again = time.perf_counter() - started
    print(f"kg again    {again:.2f} s ({total / again:,.0f} rows/s); created {second.nodes_created} nodes, "
          f"{second.relationships_created} relationships" + (" (idempotent)" if second.nodes_created ==
                                                                 second.relationships_created == 0 else " (!)"))

    nodes, relationships = naive_rows(rows)
    share = 1.0 if not naive_limit or total <= naive_limit else naive_limit / total
    node_items, node_skipped = prepare(connection, sample(nodes, share))
    rel_items, rel_skipped = prepare(connection, sample(relationships, share))
    wipe(connection=connection)
    ensure_schema(connection)  # the naive loop gets kg's key indexes too
    with connection.session() as session:
        node_seconds = run_naive(session, node_items)
        if share < 1.0:  # the other nodes, untimed, so that the sampled relationships find their ends
            nodes_only = nx.MultiDiGraph()
            nodes_only.add_nodes_from(kg.graph.nodes(data=True))
            export_to_neo4j(KnowledgeGraph(nodes_only), connection=connection)
        rel_seconds = run_naive(session, rel_items)
    made = count(connection, "MATCH ()-[r]->() RETURN count(r)")
    if made != len(rel_items):
        print(f"warning: the naive loop left {made:,} relationships for {len(rel_items):,} rows", file=sys.stderr)
    naive_total = len(node_items) + len(rel_items)
    naive_seconds = node_seconds + rel_seconds
    naive_rate = naive_total / naive_seconds
    what = ("all rows" if share >= 1.0 else
            f"a sample of {naive_total:,} rows: the first {share:.1%} (by key) of every label and relationship "
            "group; the other nodes loaded untimed before the relationships")
    print(f"naive       {naive_rate:10,.0f} rows/s  {naive_total:,} rows in {naive_seconds:.2f} s "
          f"(nodes {len(node_items) / node_seconds:,.0f} rows/s, relationships "
          f"{len(rel_items) / rel_seconds:,.0f} rows/s)")
    print(f"            timed on {what}")
    if node_skipped or rel_skipped:
        print(f"            left out {node_skipped + rel_skipped:,} rows whose parameters alone pass FalkorDB's "
              f"~4 KB query buffer ({node_skipped} nodes, {rel_skipped} relationships): sent one by one they "
              "would crash it")
    ratio = kg_rate / naive_rate
    bar = f" (bar {BAR:.0f}x: {'met' if ratio >= BAR else 'NOT met'})" if connection.server.kind == FALKORDB else ""
    print(f"ratio       {ratio:.1f}x{bar}")
    wipe(connection=connection)


def load_falkordb_server():
    spec = importlib.util.spec_from_file_location("falkordb_server", HERE / "falkordb_server.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, help="a graph.json (default: build one from the corpus)")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--papers", type=int, default=5_000, help="the first N papers of the corpus")
    parser.add_argument("--jobs", type=int, default=2, help="extraction processes for the build")
    parser.add_argument("--store", type=Path, help="build into (and keep) this store instead of a temporary one")
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI"), help="a Bolt server (default: private FalkorDB)")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USERNAME") or os.environ.get("NEO4J_USER"))
    parser.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"))
    parser.add_argument("--database", default=os.environ.get("NEO4J_DATABASE"))
    parser.add_argument("--allow-wipe", action="store_true", help="let it delete kg's nodes on --uri")
    parser.add_argument("--naive-rows", type=int, default=20_000,
                        help="time the naive loop on a sample of about this many rows (0: all)")
    args = parser.parse_args()
    if args.uri and not args.allow_wipe:
        parser.error(f"this deletes every Paper, Claim and Entity node on {args.uri}: add --allow-wipe")

    temporary = None
    if args.graph:
        graph_path = args.graph
    else:
        if not args.corpus.exists():
            parser.error(f"{args.corpus}: corpus not found (pass --corpus or --graph)")
        graph_path = build_graph_of(args.corpus, args.papers, args.jobs, args.store)
        temporary = None if args.store else graph_path.parent.parent
    server = None
    try:
        kg = KnowledgeGraph.load(graph_path)
        uri = args.uri
        if not uri:
            server = load_falkordb_server().start_falkordb()
            uri = server.uri
        with connect(uri, args.user, args.password, args.database) as connection:
            bench(kg, connection, args.naive_rows)
    finally:
        if server is not None:
            server.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

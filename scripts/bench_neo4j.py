"""Bolt load speed: kg's batched export against a naive loop of one MERGE per row.

    python scripts/bench_neo4j.py [--graph graph.json | --papers 5000 --corpus PATH]
                                  [--uri bolt://host:7687 --user U --password P --database D --allow-wipe]
                                  [--naive-rows 20000] [--repeat 3] [--no-ahead]

One server, one driver connection, ``--repeat`` rounds of:

1. kg: ``export_to_neo4j`` with the server's default batch limits into an
   emptied database (wall time of the whole call: rows, schema, statements;
   on Linux the relationships' statements are made ahead in a forked process,
   as by default, unless ``--no-ahead``); then the same load again, which must
   create nothing (idempotent).
2. naive: kg's nodes deleted, then one auto-commit ``session.run`` per row in
   one session, with the same rows (:mod:`kg.export.rows`) and the same MERGE
   semantics: ``MERGE (n:Label {key: $key}) SET n += $props`` for nodes (an
   entity: ``MERGE (n:Entity {key: $key}) SET n:Model SET n += $props``),
   ``MATCH (a ...) MATCH (b ...) MERGE (a)-[r:T]->(b) SET r += $props`` for
   relationships. It gets the same key indexes as kg. On FalkorDB its strings
   are escaped as kg's are, and rows that would pass the server's ~4 KB query
   buffer (which crashes it) are left out and counted.

It prints every round, the range over the rounds, and per label and
relationship group the rows, parameter bytes, statements and time of the
fastest kg round beside the naive loop's rows/s for the same group.

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
import importlib.util
import math
import os
import shutil
import sys
import tempfile
import time
from itertools import groupby
from pathlib import Path

import networkx as nx
import neo4j
from falkordb_server import start_falkordb
from shared_data import corpus_option, first_papers, papers_option

from kg.export.neo4j import (DEFAULT_LIMITS, FALKORDB, LoadSummary, Neo4jConnection, connect, ensure_schema,
                             export_to_neo4j, falkordb_query_fits, wipe)
from kg.export.rows import GraphRows, graph_rows
from kg.graph import KnowledgeGraph

BAR = 8.0  # kg at least this many times the naive loop, on FalkorDB


# --- the graph ------------------------------------------------------------------------

def build_graph_of(corpus: Path, papers: int, jobs: int, store: Path | None) -> Path:
    from kg.build import BuildOptions, build_store

    work = Path(tempfile.mkdtemp(prefix="kg-bench-neo4j-"))
    source = first_papers(corpus, papers, work / "papers.jsonl.gz")
    out_dir = store or work / "store"
    started = time.perf_counter()
    report = build_store([str(source)], out_dir, BuildOptions(html=False, jobs=jobs))
    print(f"built       {report.store_papers:,} papers ({report.extracted:,} extracted, "
          f"{report.cache_hits:,} from the cache) in {time.perf_counter() - started:.0f} s", flush=True)
    return report.outputs["graph"]


# --- the naive loader -------------------------------------------------------------------

Item = tuple[str, str, dict]  # (label or relationship group, query, parameters)


def naive_rows(rows: GraphRows) -> tuple[list[list[Item]], list[list[Item]]]:
    """(group, query, parameters) per node row and per relationship row, by group, in load order."""
    nodes, relationships = [], []
    for g in rows.nodes:
        query = f"MERGE (n:{g.key_label} {{{g.key}: $key}})"
        if g.label != g.key_label:
            query += f" SET n:{g.label}"
        query += " SET n += $props"
        nodes.append([(g.label, query, {"key": r.key, "props": {**r.properties, **r.merged}}) for r in g.rows])
    for g in rows.relationships:
        query = (f"MATCH (a:{g.start_label} {{{g.start_key}: $start}}) MATCH (b:{g.end_label} {{{g.end_key}: $end}}) "
                 f"MERGE (a)-[r:{g.type}]->(b) SET r += $props")
        relationships.append([(g.name, query, {"start": r.start, "end": r.end,
                                               "props": {**r.properties, **r.merged}}) for r in g.rows])
    return nodes, relationships


def sample(groups: list[list], share: float) -> list:
    """The first ceil(share * size) rows of each group (all when share >= 1)."""
    return [row for group in groups for row in group[:math.ceil(min(share, 1.0) * len(group))]]


def prepare(connection: Neo4jConnection, items: list[Item]) -> tuple[list[Item], int]:
    """Parameters as the server needs them; on FalkorDB, without rows that would crash it. (items, left out)"""
    falkordb = connection.server.kind == FALKORDB
    kept = [(name, query, connection.parameters((params,))[0]) for name, query, params in items
            if not falkordb or falkordb_query_fits(query, params)]
    return kept, len(items) - len(kept)


def run_naive(session: neo4j.Session, items: list[Item]) -> dict[str, tuple[int, float]]:
    """(rows, seconds) per group."""
    timed: dict[str, tuple[int, float]] = {}
    for name, group in groupby(items, key=lambda item: item[0]):
        started = time.perf_counter()
        done = 0
        for _, query, params in group:
            session.run(query, params).consume()
            done += 1
        rows, seconds = timed.get(name, (0, 0.0))
        timed[name] = (rows + done, seconds + time.perf_counter() - started)
    return timed


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


def load_kg(kg: KnowledgeGraph, connection: Neo4jConnection, total: int, ahead: bool | None,
            ) -> tuple[LoadSummary, float, float]:
    """kg's load into an emptied database, then again: (first summary, seconds, seconds again)."""
    wipe(connection=connection)
    started = time.perf_counter()
    first = export_to_neo4j(kg, connection=connection, ahead=ahead)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = export_to_neo4j(kg, connection=connection, ahead=ahead)
    again = time.perf_counter() - started
    idempotent = second.nodes_created == second.relationships_created == 0
    print(f"kg          {total / seconds:10,.0f} rows/s  {total:,} rows in {seconds:.2f} s, {first.statements:,} "
          f"statements; again {again:.2f} s ({total / again:,.0f} rows/s), created {second.nodes_created} nodes, "
          f"{second.relationships_created} relationships" + (" (idempotent)" if idempotent else " (!)"), flush=True)
    return first, seconds, again


def load_naive(kg: KnowledgeGraph, connection: Neo4jConnection, node_items: list[Item], rel_items: list[Item],
               share: float) -> dict[str, tuple[int, float]]:
    """The naive loop into an emptied database: (rows, seconds) per group."""
    wipe(connection=connection)
    ensure_schema(connection)  # the naive loop gets kg's key indexes too
    with connection.session() as session:
        timed = run_naive(session, node_items)
        if share < 1.0:  # the other nodes, untimed, so that the sampled relationships find their ends
            nodes_only = nx.MultiDiGraph()
            nodes_only.add_nodes_from(kg.graph.nodes(data=True))
            export_to_neo4j(KnowledgeGraph(nodes_only), connection=connection)
        timed.update(run_naive(session, rel_items))
    made = count(connection, "MATCH ()-[r]->() RETURN count(r)")
    if made != len(rel_items):
        print(f"warning: the naive loop left {made:,} relationships for {len(rel_items):,} rows", file=sys.stderr)
    rows, seconds = sum(r for r, _ in timed.values()), sum(s for _, s in timed.values())
    print(f"naive       {rows / seconds:10,.0f} rows/s  {rows:,} rows in {seconds:.2f} s", flush=True)
    return timed


def rate(rows: float, seconds: float) -> str:
    return f"{rows / seconds:,.0f}" if seconds > 0 else "-"


def span(values: list[float], unit: str = "", digits: int = 0) -> str:
    low, high = min(values), max(values)
    return f"{low:,.{digits}f}{unit}" if len(values) == 1 else f"{low:,.{digits}f}-{high:,.{digits}f}{unit}"


def bench(kg: KnowledgeGraph, connection: Neo4jConnection, naive_limit: int, repeat: int,
          ahead: bool | None) -> None:
    rows = graph_rows(kg)
    node_total = sum(rows.node_counts().values())
    total = node_total + sum(rows.relationship_counts().values())
    limits = DEFAULT_LIMITS[connection.server.kind]
    print(f"graph       {node_total:,} nodes, {total - node_total:,} relationships ({total:,} rows)")
    print(f"server      {connection.display_uri} ({connection.server.kind}, says {connection.server.agent}); "
          f"driver neo4j {neo4j.__version__}, rust extension: {rust_extension()}")
    print(f"kg limits   batches of <= {limits.rows:,} rows and {limits.bytes:,} bytes"
          + (f", <= {limits.query_limit:,} bytes of query and rows" if limits.query_limit else "")
          + f", {limits.transaction} statements a transaction", flush=True)

    nodes, relationships = naive_rows(rows)
    share = 1.0 if not naive_limit or total <= naive_limit else naive_limit / total
    node_items, node_skipped = prepare(connection, sample(nodes, share))
    rel_items, rel_skipped = prepare(connection, sample(relationships, share))
    naive_total = len(node_items) + len(rel_items)
    what = ("all rows" if share >= 1.0 else
            f"a sample of {naive_total:,} rows: the first {share:.1%} (by key) of every label and relationship "
            "group; the other nodes loaded untimed before the relationships")
    print(f"naive       timed on {what}")
    if node_skipped or rel_skipped:
        print(f"            left out {node_skipped + rel_skipped:,} rows that pass FalkorDB's ~4 KB query buffer "
              f"({node_skipped} nodes, {rel_skipped} relationships): sent one by one they would crash it")

    kg_runs, naive_runs = [], []
    for round_ in range(1, repeat + 1):
        print(f"-- round {round_} of {repeat}")
        kg_runs.append(load_kg(kg, connection, total, ahead))
        naive_runs.append(load_naive(kg, connection, node_items, rel_items, share))
    wipe(connection=connection)

    kg_rates = [total / seconds for _, seconds, _ in kg_runs]
    again = [seconds for _, _, seconds in kg_runs]
    naive_rates = [sum(r for r, _ in t.values()) / sum(s for _, s in t.values()) for t in naive_runs]
    ratios = [k / n for k, n in zip(kg_rates, naive_rates)]
    best, _, _ = max(kg_runs, key=lambda run: total / run[1])
    print(f"-- per group: the fastest kg round; naive over all {repeat} rounds")
    print(f"{'group':32} {'rows':>7} {'KB':>6} {'stmts':>6} {'kg s':>6} {'kg rows/s':>10} {'naive rows/s':>13}")
    for name, group in best.groups.items():
        naive_rows_, naive_seconds = (sum(t.get(name, (0, 0.0))[i] for t in naive_runs) for i in (0, 1))
        print(f"{name:32} {group.rows:7,} {group.parameter_bytes / 1000:6,.0f} {group.statements:6,} "
              f"{group.seconds:6.2f} {rate(group.rows, group.seconds):>10} {rate(naive_rows_, naive_seconds):>13}")
    print(f"{'(rows, schema and the rest)':32} {'':7} {'':6} {'':6} "
          f"{best.seconds - sum(g.seconds for g in best.groups.values()):6.2f}")
    print(f"kg          {span(kg_rates)} rows/s over {repeat} rounds; again {span(again, ' s', 1)}")
    print(f"naive       {span(naive_rates)} rows/s")
    bar = (f" (bar {BAR:.0f}x: {'met' if min(ratios) >= BAR else 'NOT met' if max(ratios) < BAR else 'met in some rounds'})"
           if connection.server.kind == FALKORDB else "")
    print(f"ratio       {span(ratios, 'x', 1)} (kg over naive, round by round){bar}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graph", type=Path, help="a graph.json (default: build one from the corpus)")
    corpus_option(parser)
    papers_option(parser, 5_000)
    parser.add_argument("--jobs", type=int, default=2, help="extraction processes for the build")
    parser.add_argument("--store", type=Path, help="build into (and keep) this store instead of a temporary one")
    parser.add_argument("--uri", default=os.environ.get("NEO4J_URI"), help="a Bolt server (default: private FalkorDB)")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USERNAME") or os.environ.get("NEO4J_USER"))
    parser.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"))
    parser.add_argument("--database", default=os.environ.get("NEO4J_DATABASE"))
    parser.add_argument("--allow-wipe", action="store_true", help="let it delete kg's nodes on --uri")
    parser.add_argument("--naive-rows", type=int, default=20_000,
                        help="time the naive loop on a sample of about this many rows (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of kg and naive loads (the machine is shared)")
    parser.add_argument("--no-ahead", dest="ahead", action="store_const", const=False, default=None,
                        help="make every statement in the loader's process (default: as export_to_neo4j decides)")
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
            server = start_falkordb()
            uri = server.uri
        with connect(uri, args.user, args.password, args.database) as connection:
            bench(kg, connection, args.naive_rows, args.repeat, args.ahead)
    finally:
        if server is not None:
            server.close()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

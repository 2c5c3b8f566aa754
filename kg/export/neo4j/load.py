"""The load: the graph's rows written as batched statements through one session.

The statements are those of :mod:`kg.export.cypher` (MERGE on keys, lists
unioned), sent with their rows as the ``$rows`` parameter, in batches capped
by rows and bytes (:mod:`kg.export.neo4j.servers`), all through one session's
``execute_write`` (managed transactions of a few statements each, retried whole
on transient errors, which the statements are idempotent for). Loading is
idempotent: the same graph twice changes nothing; a bigger graph adds the
difference; an interrupted load is finished by running it again.

The MERGE is the costly way to write what is not there yet, so the loader
uses what it knows. A key label (Paper, Claim, Evidence, Entity) with no node
when the load begins gets its nodes by plain CREATE, labels and properties at
once (on a first load, every node). Other nodes are first sent to a statement
that creates only the missing ones; the full MERGE follows for a batch only
when some of its nodes were there, and while a label's nodes keep being found
the MERGE is sent alone. A batch of nodes that were all created is remembered:
relationships at those nodes cannot be there yet, so they are CREATEd without
the MERGE's look for one (on a first load, every relationship). A transaction
the driver runs again after a transient error writes by the look-first
statements alone, since FalkorDB keeps what the failed attempt wrote. Two
loads running into one database at the same time could both create a node or
a relationship; kg loads are meant to run one at a time.

A load with ``sync`` makes the database hold what the graph holds: it reads
the keys of kg's nodes and relationships in the database, deletes by key, in
batches under the same caps, those the graph lacks
(:func:`kg.export.neo4j.delete.delete_stale`), then writes lists as the graph
has them instead of adding to them. Run again, it finds nothing to delete.

A load is a ping-pong between the loader and the server, so on a big graph
the relationships' statements (most of them) are made ahead in a forked
process (:mod:`kg.export.neo4j.ahead`) while the loader makes and sends the
nodes'; the client's share of the time falls by about a third.
"""
from __future__ import annotations

import gc
import logging
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, count
from typing import Callable, Iterator

import neo4j
from neo4j import exceptions as neo4j_errors

from kg.errors import Neo4jExportError
from kg.export.cypher import Statement
from kg.export.neo4j.ahead import can_fork, forks_safely, made_ahead
from kg.export.neo4j.connection import Neo4jConnection, ServerInfo, explain, open_connection, os_reason, run
from kg.export.neo4j.constraints import ensure_schema
from kg.export.neo4j.delete import delete_stale
from kg.export.neo4j.falkordb import escape_strings, lossy_floats
from kg.export.neo4j.servers import FALKORDB, BatchLimits, batch_limits, statements
from kg.export.rows import GraphRows, graph_rows, node_groups, relationship_groups
from kg.graph import KnowledgeGraph
from kg.memory import collection_paused
from kg.schema import load_schema

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (label or relationship group, rows done, rows in it)
AHEAD_FROM = 10_000  # nodes and relationships: below it, forking costs more than it saves


@dataclass
class GroupLoad:
    """One label's or relationship group's share of a load."""

    rows: int = 0
    statements: int = 0  # sent: a batch of nodes may take two
    parameter_bytes: int = 0
    seconds: float = 0.0  # making its statements and running them

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class LoadSummary:
    """What a load did. ``nodes_matched``: rows that found their node already there."""

    uri: str
    server: str
    nodes: int = 0
    relationships: int = 0
    nodes_created: int = 0
    relationships_created: int = 0
    properties_set: int = 0
    labels_added: int = 0
    statements: int = 0
    largest_statement_bytes: int = 0
    seconds: float = 0.0
    groups: dict[str, GroupLoad] = field(default_factory=dict)
    synced: bool = False  # what the graph no longer holds was deleted first (the counts below)
    nodes_deleted: int = 0
    relationships_deleted: int = 0

    @property
    def rows_by_name(self) -> dict[str, int]:
        return {name: group.rows for name, group in self.groups.items()}

    @property
    def nodes_matched(self) -> int:
        return self.nodes - self.nodes_created

    @property
    def rows_per_second(self) -> float:
        return (self.nodes + self.relationships) / self.seconds if self.seconds > 0 else 0.0

    def add(self, statement: Statement, sent: list[neo4j.SummaryCounters], seconds: float) -> None:
        """``statement`` was written by the queries whose counters are ``sent``, in ``seconds``."""
        self.statements += len(sent)
        self.largest_statement_bytes = max(self.largest_statement_bytes, statement.parameter_bytes)
        for counters in sent:
            self.nodes_created += counters.nodes_created
            self.relationships_created += counters.relationships_created
            self.properties_set += counters.properties_set
            self.labels_added += counters.labels_added
        if statement.writes_nodes:
            self.nodes += statement.completes
        else:
            self.relationships += statement.completes
        group = self.groups.setdefault(statement.name, GroupLoad())
        group.rows += statement.completes
        group.statements += len(sent)
        group.parameter_bytes += statement.parameter_bytes * len(sent)
        group.seconds += seconds

    def __str__(self) -> str:
        deleted = (f", {self.nodes_deleted} nodes and {self.relationships_deleted} relationships the graph no "
                   "longer holds deleted" if self.synced else "")
        return (f"{self.nodes} nodes ({self.nodes_created} new), {self.relationships} relationships "
                f"({self.relationships_created} new), {self.properties_set} properties set{deleted}; "
                f"{self.statements} statements in {self.seconds:.2f} s ({self.rows_per_second:,.0f} rows/s) "
                f"to {self.uri} ({self.server})")


def _collect_results() -> None:
    """Free the results of the transaction just run (with the rows they hold) while the collector is paused
    (``collection_paused``: each is left in a reference cycle with the rows it sent):
    only what was made since the last call is looked at. Without it a load's memory grows with all it sent
    (5,000 papers: 81 MB at the peak, 41 MB with it)."""
    gc.collect(0)


@dataclass(frozen=True)
class _Ready:
    """A statement, its rows as the server takes them, and how many of their floats the server will round."""

    statement: Statement
    rows: list
    rounded: int


@dataclass(frozen=True)
class _Prepared:
    """A statement ready to send, and which of its rows a first attempt may CREATE."""

    ready: _Ready
    new: list[bool]  # per row: known not to be in the database (Statement.rows_known_new)


def _server_rows(rows: tuple[list, ...], server: ServerInfo) -> tuple[list[list], int]:
    """A statement's rows as ``server`` takes them, and how many of their floats it will round.

    The loader's hot path: rows hold primitives and lists of primitives
    (:mod:`kg.export.rows`), so a list of strings is looked at as one text.
    """
    escaping, rounding = server.escape_strings, server.kind == FALKORDB
    if not escaping and not rounding:
        return list(rows), 0
    sent, rounded = [], 0
    for row in rows:
        values = []
        for value in row:
            kind = type(value)
            if kind is str:
                if escaping:
                    value = escape_strings(value)
            elif kind is list and set(map(type, value)) == {str}:
                if escaping:
                    text = "".join(value)
                    if "'" in text or "\\" in text:
                        value = list(map(escape_strings, value))
            else:
                if rounding:
                    rounded += lossy_floats(value)
                if escaping:
                    value = escape_strings(value)
            values.append(value)
        sent.append(values)
    return sent, rounded


def _empty_key_labels(tx: neo4j.ManagedTransaction) -> set[str]:
    """The key labels (Paper, Entity, Claim, Evidence) without a node in the database."""
    return {label for label in load_schema().node_labels
            if not list(tx.run(f"MATCH (n:{label}) RETURN 1 LIMIT 1"))}


def _write(tx: neo4j.ManagedTransaction, batch: _Prepared, creating: dict[str, bool], first_attempt: bool,
           ) -> list[neo4j.SummaryCounters]:
    """Run a batch: rows known to be new by the create query, on a first attempt. Other nodes by the
    create-missing query while their label's nodes keep being new, the MERGE if needed; other relationships
    by the MERGE."""
    statement, rows = batch.ready.statement, batch.ready.rows
    if statement.create_query is None:
        return [run(tx, statement.query, rows=rows)]
    new_rows = [row for row, new in zip(rows, batch.new) if new] if first_attempt else []
    if len(new_rows) == len(rows):
        return [run(tx, statement.create_query, rows=rows)]
    sent = [run(tx, statement.create_query, rows=new_rows)] if new_rows else []
    old_rows = [row for row, new in zip(rows, batch.new) if not new] if new_rows else rows
    if not statement.writes_nodes:
        return [*sent, run(tx, statement.query, rows=old_rows)]
    if creating.get(statement.name, True):
        sent.append(run(tx, statement.create_missing_query, rows=old_rows))
        if sent[-1].nodes_created == len(old_rows):
            return sent
    sent.append(run(tx, statement.query, rows=old_rows))
    creating[statement.name] = sum(c.nodes_created for c in sent) > 0
    return sent


def _write_all(tx: neo4j.ManagedTransaction, batches: list[_Prepared], creating: dict[str, bool],
               attempts: Iterator[int]) -> list[list[neo4j.SummaryCounters]]:
    """One transaction's batches. The driver runs it again whole after a transient error; FalkorDB does not
    roll back the statements a failed attempt ran, so an attempt after the first writes by MERGE alone."""
    first_attempt = next(attempts) == 0
    return [_write(tx, batch, creating, first_attempt) for batch in batches]


def _transactions(ready: Iterator[_Ready], size: int) -> Iterator[list[_Ready]]:
    """Consecutive statements of one label or group, ``size`` together, more only to keep a value's parts in one
    transaction (run again, it writes the value over from its first part)."""
    chunk: list[_Ready] = []
    for item in ready:
        statement = item.statement
        if chunk and not statement.continues and (len(chunk) >= size or statement.name != chunk[0].statement.name):
            yield chunk
            chunk = []
        chunk.append(item)
    if chunk:
        yield chunk


def _node_statements(kg: KnowledgeGraph, limits: BatchLimits, server: ServerInfo, exact: bool,
                     ) -> Iterator[dict[str, int] | _Ready]:
    yield from _ready(GraphRows(node_groups(kg), ()), limits, server, exact)


def _relationship_statements(kg: KnowledgeGraph, limits: BatchLimits, server: ServerInfo, exact: bool,
                             ) -> Iterator[dict[str, int] | _Ready]:
    yield from _ready(GraphRows((), relationship_groups(kg)), limits, server, exact)


def _ready(rows: GraphRows, limits: BatchLimits, server: ServerInfo, exact: bool,
           ) -> Iterator[dict[str, int] | _Ready]:
    """The rows of each label or group (a dict), then the statements that write them, ready for ``server``."""
    yield rows.row_counts()
    for statement in statements(rows, limits, exact):
        yield _Ready(statement, *_server_rows(statement.rows, server))


def _counted(outgoing: Iterator[dict[str, int] | _Ready], totals: dict[str, int]) -> Iterator[_Ready]:
    """The statements of ``outgoing``; the rows per group that come before them go to ``totals``."""
    for item in outgoing:
        if isinstance(item, dict):
            totals.update(item)
        else:
            yield item


def _ahead(kg: KnowledgeGraph, ahead: bool | None) -> bool:
    if ahead is None:
        return forks_safely() and kg.graph.number_of_nodes() + kg.graph.number_of_edges() >= AHEAD_FROM
    if ahead and not can_fork():
        raise Neo4jExportError("making statements ahead needs a platform that forks (Linux)")
    return ahead


def export_to_neo4j(kg: KnowledgeGraph, *, uri: str | None = None, user: str | None = None,
                    password: str | None = None, database: str | None = None,
                    connection: Neo4jConnection | None = None, batch_size: int | None = None,
                    batch_bytes: int | None = None, progress: Progress | None = None,
                    ahead: bool | None = None, sync: bool = False) -> LoadSummary:
    """Write ``kg`` to a Bolt server: schema first, then nodes, then relationships.

    Give ``uri`` (and ``user``/``password``/``database``) or an open
    ``connection``. ``batch_size``/``batch_bytes`` override the server's
    defaults (:data:`kg.export.neo4j.servers.DEFAULT_LIMITS`). ``progress(name, done, total)`` is called
    after each statement with the label or relationship group it wrote.
    ``ahead`` makes the relationships' statements in a forked process while
    the loader makes and sends the nodes' (:mod:`kg.export.neo4j.ahead`); by default on
    Linux, in a process with no other thread, for graphs of
    :data:`AHEAD_FROM` nodes and relationships or more.
    ``sync`` makes the database hold what ``kg`` holds: kg's nodes and
    relationships that ``kg`` lacks are deleted first (with the relationships
    of a type renamed since), and lists are written as ``kg`` has them rather
    than added to (:func:`kg.export.cypher.write_statements`, ``exact``).
    Running it again changes nothing.
    Raises :class:`Neo4jExportError` for problems the user can fix.
    """
    ahead = _ahead(kg, ahead)
    connection, owned = open_connection(connection, uri, user, password, database)
    try:
        limits = batch_limits(connection.server.kind, batch_size, batch_bytes)
        nodes = _node_statements(kg, limits, connection.server, sync)
        make_relationships = partial(_relationship_statements, kg, limits, connection.server, sync)
        held = graph_rows(kg) if sync else None
        with (collection_paused(),
              made_ahead(make_relationships) if ahead else nullcontext(make_relationships()) as relationships):
            return _load(chain(nodes, relationships), connection, limits, progress, held)
    finally:
        if owned:
            connection.close()


def _load(outgoing: Iterator[dict[str, int] | _Ready], connection: Neo4jConnection, limits: BatchLimits,
          progress: Progress | None, held: GraphRows | None = None) -> LoadSummary:
    """Send ``outgoing``; first, given the rows the database is to hold, delete what it holds beyond them."""
    summary = LoadSummary(connection.display_uri, connection.server.kind)
    started = time.perf_counter()
    done: Counter[str] = Counter()
    creating: dict[str, bool] = {}
    created: dict[str, set[str]] = {}  # key label -> keys of the nodes this load created
    lossy = 0
    try:
        ensure_schema(connection)
        totals: dict[str, int] = {}
        with connection.session() as session:
            if held is not None:
                summary.synced = True
                summary.nodes_deleted, summary.relationships_deleted = delete_stale(session, connection, held, limits)
            empty = session.execute_read(_empty_key_labels)
            previous = time.perf_counter()
            for chunk in _transactions(_counted(outgoing, totals), limits.transaction):
                batches = [_Prepared(item, item.statement.rows_known_new(created, empty)) for item in chunk]
                lossy += sum(item.rounded for item in chunk)
                written = session.execute_write(_write_all, batches, creating, count())
                _collect_results()
                seconds = (time.perf_counter() - previous) / len(chunk)
                previous = time.perf_counter()
                for item, sent in zip(chunk, written):
                    statement = item.statement
                    if (statement.writes_nodes and statement.completes
                            and sum(c.nodes_created for c in sent) == len(statement.rows)):
                        created.setdefault(statement.key_labels[0], set()).update(row[0] for row in statement.rows)
                    summary.add(statement, sent, seconds)
                    if statement.completes:
                        done[statement.name] += statement.completes
                        if progress is not None:
                            progress(statement.name, done[statement.name], totals[statement.name])
    except neo4j_errors.ServiceUnavailable as err:
        raise Neo4jExportError(f"lost {connection.display_uri} after {summary.statements} statements "
                               f"({os_reason(err) or 'no answer'}); loading is idempotent: run it again "
                               "to finish") from None
    except neo4j_errors.Neo4jError as err:
        raise explain(err, connection.uri, connection.user, connection.database) from None
    summary.seconds = time.perf_counter() - started
    if lossy:
        log.warning("FalkorDB's Bolt port keeps six decimals of float parameters: %d values were rounded", lossy)
    return summary

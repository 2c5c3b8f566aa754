"""Command-line options no other test uses: each run shows in its output or files that the option took effect."""
import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import spacy.util
from click.testing import CliRunner
from conftest import TEST_LABEL, database_state, expected_state
from samples import sample_graph

from kg.cache import ExtractionCache
from kg.cli import main
from kg.export.neo4j import export_to_neo4j
from kg.export.rows import graph_rows
from kg.extractions import load_extractions
from kg.extractor import default_model
from kg.graph import KnowledgeGraph
from kg.lookup import describe_entity, find_entity, format_entity
from kg.schema import load_schema

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
EXAMPLE_IDS = [json.loads(line)["id"] for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]


def _kg(*args: str, cache: Path | None = None, answer: str | None = None):
    """``kg args`` in this process; ``cache`` is the extraction cache to use, ``answer`` what is typed at a prompt."""
    env = {"KG_CACHE_DIR": str(cache)} if cache else None
    return CliRunner().invoke(main, [str(a) for a in args], env=env, input=answer)


def _paper_ids(graph_path: Path) -> list[str]:
    return sorted(d["id"] for _, d in KnowledgeGraph.load(graph_path).papers())


def _csv_rows(text: str) -> list[list[str]]:
    """The records of ``kg query --format csv`` output (the blank line it ends with is a known bug, tested below)."""
    rows = list(csv.reader(io.StringIO(text)))
    return rows[:-1] if rows and rows[-1] == [] else rows


def _extractors(store: Path) -> set[str]:
    return {e.extractor for e in load_extractions(store / "extractions.jsonl")}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A store built from the examples with no option but -j 1 and --no-html."""
    out = tmp_path_factory.mktemp("options-store")
    result = _kg("build", EXAMPLES, "-o", out, "-j", "1", "--no-html")
    assert result.exit_code == 0, result.output
    return out, result


@pytest.fixture(scope="module")
def graph_path(store):
    return store[0] / "graph.json"


# --- build --model ---

def _installed_model_folder() -> Path:
    """The data folder of the default model: spaCy loads it by path, under another name than the package's."""
    package = spacy.util.get_package_path(default_model())
    return next(p for p in package.iterdir() if (p / "config.cfg").is_file())


def test_cli_options_build_model_is_the_model_extraction_runs_with(tmp_path):
    cache = tmp_path / "cache"
    first = _kg("build", EXAMPLES, "-o", tmp_path / "default", "-j", "1", "--no-html", cache=cache)
    again = _kg("build", EXAMPLES, "-o", tmp_path / "again", "-j", "1", "--no-html", cache=cache)
    by_path = _kg("build", EXAMPLES, "-o", tmp_path / "by-path", "-j", "1", "--no-html",
                  "--model", _installed_model_folder(), cache=cache)
    for result in (first, again, by_path):
        assert result.exit_code == 0, result.output
    assert "extracted   0 papers; 14 from the cache" in again.output  # the same model: nothing extracted again
    assert "extracted   14 papers; 0 from the cache" in by_path.output  # another model: extracted anew
    assert _extractors(tmp_path / "default") == _extractors(tmp_path / "again")
    assert len(_extractors(tmp_path / "by-path")) == 1
    assert _extractors(tmp_path / "by-path") != _extractors(tmp_path / "default")
    # The same model's files, loaded by path: the same graph.
    assert (tmp_path / "by-path" / "graph.json").read_bytes() == (tmp_path / "default" / "graph.json").read_bytes()


def test_cli_options_build_model_unknown_is_one_line_naming_it(tmp_path):
    result = _kg("build", EXAMPLES, "-o", tmp_path / "out", "-j", "1", "--model", "kg_no_such_model",
                 cache=tmp_path / "cache")
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot load spaCy model 'kg_no_such_model'")
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "out" / "graph.json").exists()


# --- build --engine ---

def test_cli_options_build_engine_dask_runs_extraction_on_the_cluster(store, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=":0") as cluster:
        result = _kg("build", EXAMPLES, "-o", tmp_path / "dask", "--engine", "dask", "--scheduler",
                     cluster.scheduler_address, "--no-cache", "--no-html")
        ran = set(cluster.scheduler.task_prefixes)
    assert result.exit_code == 0, result.output
    assert "extracted   14 papers; 0 from the cache" in result.output
    assert {"extract_chunk", "tally"} <= ran  # the cluster extracted and tallied
    assert (tmp_path / "dask" / "graph.json").read_bytes() == (store[0] / "graph.json").read_bytes()


def test_cli_options_build_engine_local_runs_nothing_on_a_cluster(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  dashboard_address=":0") as cluster:
        result = _kg("build", EXAMPLES, "-o", tmp_path / "local", "--engine", "local", "--scheduler",
                     cluster.scheduler_address, "-j", "1", "--no-cache", "--no-html")
        ran = set(cluster.scheduler.task_prefixes)
    assert result.exit_code == 0, result.output
    assert "extracted   14 papers" in result.output and ran == set()


def test_cli_options_build_engine_unknown_is_a_usage_error(tmp_path):
    result = _kg("build", EXAMPLES, "-o", tmp_path / "out", "--engine", "spark")
    assert result.exit_code == 2 and "Invalid value for '--engine'" in result.output


# --- build --format ---

@pytest.mark.parametrize("name,fmt,papers,problem", [
    ("papers.txt", None, 0, "papers.txt:1: skipped 14 lines: not a title followed by its abstract"),  # by name
    ("papers.txt", "jsonl", 14, None),
    ("papers.jsonl", None, 14, None),
    ("papers.jsonl", "csv", 0, "papers.jsonl:1: CSV header names no abstract column"),
    ("papers.jsonl", "daily", 0, "papers.jsonl:1: skipped 14 lines"),
])
def test_cli_options_build_format_overrides_detection(tmp_path, name, fmt, papers, problem):
    source = tmp_path / name
    shutil.copy(EXAMPLES, source)
    result = _kg("build", source, "-o", tmp_path / "out", "-j", "1", "--no-html",
                 *(["--format", fmt] if fmt else []))
    if papers:
        assert result.exit_code == 0, result.output
        assert f"{papers} distinct papers, 0 skipped" in result.output
        assert _paper_ids(tmp_path / "out" / "graph.json") == sorted(EXAMPLE_IDS)
    else:
        assert result.exit_code == 1
        assert f"skipped  {source.parent}/{problem}" in result.stderr
        assert "Error: no usable paper was read from the inputs" in result.stderr


def test_cli_options_build_format_unknown_is_a_usage_error(tmp_path):
    result = _kg("build", EXAMPLES, "-o", tmp_path / "out", "--format", "yaml")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.output


# --- build -v ---

def test_cli_options_build_verbose_adds_stage_times_and_memory(store, tmp_path):
    result = _kg("build", EXAMPLES, "-o", tmp_path / "out", "-j", "1", "-v")
    assert result.exit_code == 0, result.output
    stages = next(line for line in result.output.splitlines() if line.startswith("stages"))
    assert [part.split()[0] for part in stages.removeprefix("stages").split(",")] == [
        "read+extract", "update", "graph", "write", "html", "index"]
    assert all(part.strip().endswith(" s") for part in stages.removeprefix("stages").split(","))
    assert any(line.startswith("peak RSS") and "MB (this process)" in line for line in result.output.splitlines())
    quiet = store[1].output
    assert "stages" not in quiet and "peak RSS" not in quiet


# --- - for standard input ---

def test_cli_options_build_reads_standard_input(store, tmp_path):
    result = _kg("build", "-", "-o", tmp_path / "out", "-j", "1", "--no-html", answer=EXAMPLES.read_bytes())
    assert result.exit_code == 0, result.output
    assert "14 distinct papers, 0 skipped" in result.output
    kg = KnowledgeGraph.load(tmp_path / "out" / "graph.json")
    assert sorted(d["source"] for _, d in kg.papers()) == sorted(f"<stdin>:{n}" for n in range(1, 15))
    assert kg.node_counts() == KnowledgeGraph.load(store[0] / "graph.json").node_counts()


def test_cli_options_build_reads_standard_input_besides_a_file(tmp_path):
    first = json.loads(EXAMPLES.read_text(encoding="utf-8").splitlines()[0])
    extra = {"id": "kg-stdin-1", "title": "A paper only on standard input",
             "abstract": "We propose Stdin-Net and evaluate it on PipeBench."}
    result = _kg("build", EXAMPLES, "-", "-o", tmp_path / "out", "-j", "1", "--no-html",
                 answer=json.dumps(first) + "\n" + json.dumps(extra) + "\n")
    assert result.exit_code == 0, result.output
    assert "16 entries, 15 distinct papers" in result.output  # the first paper twice: once
    assert _paper_ids(tmp_path / "out" / "graph.json") == sorted(EXAMPLE_IDS + ["kg-stdin-1"])


def test_cli_options_extract_reads_standard_input(tmp_path):
    result = _kg("extract", "-", "-j", "1", answer=EXAMPLES.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == EXAMPLE_IDS


# --- extract to standard output ---

def test_cli_options_extract_to_stdout_streams_records_and_reports_on_stderr():
    result = _kg("extract", EXAMPLES, "-j", "1")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == EXAMPLE_IDS
    assert all({"entities", "claims", "relations", "extractor"} <= set(r) for r in records)
    summary = result.stderr.strip().splitlines()
    assert len(summary) == 1 and summary[0].startswith("extracted 14 papers, 0 skipped, ")
    assert "->" not in summary[0]


def test_cli_options_extract_dash_output_is_stdout_and_a_file_is_named(tmp_path):
    dash = _kg("extract", EXAMPLES, "-j", "1", "-o", "-")
    to_file = _kg("extract", EXAMPLES, "-j", "1", "-o", tmp_path / "pred.jsonl")
    assert dash.exit_code == 0 and to_file.exit_code == 0, (dash.output, to_file.output)
    assert dash.stdout == (tmp_path / "pred.jsonl").read_text(encoding="utf-8")
    assert to_file.stdout == "" and f"-> {tmp_path / 'pred.jsonl'}" in to_file.stderr
    assert not (Path.cwd() / "-").exists()


# --- entities --min-papers ---

@pytest.mark.parametrize("min_papers", [0, 1, 2, 3])
def test_cli_options_entities_min_papers_lists_entities_named_by_that_many(graph_path, min_papers):
    result = _kg("entities", "--graph", graph_path, "--min-papers", min_papers, "--json")
    assert result.exit_code == 0, result.output
    listed = [row["key"] for row in json.loads(result.output)]
    data = json.loads(graph_path.read_text(encoding="utf-8"))
    entity_labels = set(load_schema().entity_labels)
    expected = {n["key"] for n in data["nodes"] if n["label"] in entity_labels and n["paper_count"] >= min_papers}
    assert sorted(listed) == sorted(expected) and len(listed) == len(expected)


def test_cli_options_entities_min_papers_defaults_to_one_and_cuts_the_table(graph_path):
    default = _kg("entities", "--graph", graph_path)
    one = _kg("entities", "--graph", graph_path, "--min-papers", "1")
    two = _kg("entities", "--graph", graph_path, "--min-papers", "2")
    assert default.output == one.output
    counts = [int(line.split()[0]) for line in two.output.splitlines()]
    assert counts and min(counts) >= 2
    assert len(two.output.splitlines()) < len(one.output.splitlines())


def test_cli_options_entities_min_papers_must_be_a_number(graph_path):
    result = _kg("entities", "--graph", graph_path, "--min-papers", "many")
    assert result.exit_code == 2 and "Invalid value for '--min-papers'" in result.output


def test_cli_options_entities_type_choices_are_the_schema_entity_types():
    option = next(p for p in main.commands["entities"].params if p.name == "entity_type")
    assert tuple(option.type.choices) == load_schema().entity_labels


# --- show --json ---

@pytest.mark.parametrize("name", ["Medusa", "medusa", "Vicuna-7B"])
def test_cli_options_show_json_is_the_description_and_the_table_its_text(graph_path, name):
    kg = KnowledgeGraph.load(graph_path)
    info = describe_entity(kg, find_entity(kg, name))
    as_json = _kg("show", name, "--graph", graph_path, "--json")
    as_text = _kg("show", name, "--graph", graph_path)
    assert as_json.exit_code == 0 and as_text.exit_code == 0, (as_json.output, as_text.output)
    assert json.loads(as_json.output) == info
    assert as_text.output == format_entity(info) + "\n"
    data = {n["key"]: n for n in json.loads(graph_path.read_text(encoding="utf-8"))["nodes"] if "key" in n}
    shown = json.loads(as_json.output)
    assert shown["paper_count"] == data[shown["key"]]["paper_count"] and shown["name"] == data[shown["key"]]["name"]


def test_cli_options_show_json_of_an_unknown_name_is_still_one_error(graph_path):
    result = _kg("show", "No Such Entity", "--graph", graph_path, "--json")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no entity called 'No Such Entity'")
    assert len(result.output.strip().splitlines()) == 1


# --- cache clear without --yes ---

@pytest.fixture
def filled_cache(store, tmp_path):
    """A private cache holding the examples' extractions; returns its folder."""
    folder = tmp_path / "cache"
    cache = ExtractionCache(folder)
    cache.put_many("kg-test-version", load_extractions(store[0] / "extractions.jsonl"))
    cache.close()
    return folder


def _entries(folder: Path) -> int:
    cache = ExtractionCache(folder)
    try:
        return cache.info().entries
    finally:
        cache.close()


@pytest.mark.parametrize("answer,kept", [("n\n", True), ("\n", True), ("y\n", False), ("yes\n", False)])
def test_cli_options_cache_clear_asks_first(filled_cache, answer, kept):
    assert _entries(filled_cache) == 14
    result = _kg("cache", "clear", cache=filled_cache, answer=answer)
    assert "Remove every cached extraction? [y/N]" in result.output
    if kept:
        assert result.exit_code == 1 and "Aborted!" in result.output
        assert _entries(filled_cache) == 14
    else:
        assert result.exit_code == 0, result.output
        assert result.output.strip().endswith("removed 14 extractions")
        assert _entries(filled_cache) == 0


def test_cli_options_cache_clear_yes_asks_nothing(filled_cache):
    result = _kg("cache", "clear", "--yes", cache=filled_cache)
    assert result.exit_code == 0 and result.output == "removed 14 extractions\n"
    assert _entries(filled_cache) == 0


# --- query --format csv (the local store) ---

def test_cli_options_query_format_csv_quotes_text_and_writes_lists_as_json(graph_path):
    kg = KnowledgeGraph.load(graph_path)
    result = _kg("query", "MATCH (c:Claim) RETURN c.id AS id, c.text AS text ORDER BY id", "--graph", graph_path,
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = _csv_rows(result.stdout)
    assert rows[0] == ["id", "text"]
    assert rows[1:] == sorted([d["id"], d["text"]] for _, d in kg.claims())
    assert any("," in text for _, text in rows[1:])  # so the quoting was needed
    aliases = _kg("query", "MATCH (e:Entity {key: 'medusa'}) RETURN e.aliases AS aliases", "--graph", graph_path,
                  "--format", "csv")
    assert aliases.exit_code == 0, aliases.output
    header, cell = _csv_rows(aliases.stdout)
    assert header == ["aliases"] and json.loads(cell[0]) == kg.graph.nodes["entity:medusa"]["aliases"]


def test_cli_options_query_format_csv_prints_only_the_csv(graph_path):
    result = _kg("query", "MATCH (p:Paper) RETURN p.id AS id ORDER BY id LIMIT 2", "--graph", graph_path,
                 "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == "id\n" + "".join(f"{pid}\n" for pid in sorted(EXAMPLE_IDS)[:2])


# --- live: export neo4j --wipe and query --uri ---

def _bolt_options(bolt) -> list[str]:
    options = ["--uri", bolt.uri]
    for name, value in (("--user", bolt.user), ("--password", bolt.password), ("--database", bolt.database)):
        if value:
            options += [name, value]
    return options


def _foreign_nodes(bolt) -> int:
    with bolt.observe() as connection, connection.session() as session:
        return session.execute_read(lambda tx: tx.run(f"MATCH (n:{TEST_LABEL}) RETURN count(n) AS n").single()["n"])


def _load_other_graph_and_a_foreign_node(bolt):
    export_to_neo4j(sample_graph(), **bolt.connection_args(), ahead=False)
    with bolt.observe() as connection, connection.session() as session:
        session.execute_write(lambda tx: tx.run(f"CREATE (:{TEST_LABEL} {{name: 'not kg'}})").consume())


@pytest.mark.live
@pytest.mark.parametrize("confirm,answer", [(["--yes"], None), ([], "y\n")])
def test_cli_options_export_neo4j_wipe_deletes_kg_nodes_first(bolt, graph_path, confirm, answer):
    _load_other_graph_and_a_foreign_node(bolt)
    before = sum(graph_rows(sample_graph()).node_counts().values())  # its entities, papers, claims and evidence
    result = _kg("export", "neo4j", "--graph", graph_path, *_bolt_options(bolt), "--wipe", *confirm, answer=answer)
    assert result.exit_code == 0, result.output
    assert f"wiped {before} kg nodes" in result.stderr
    assert database_state(bolt) == expected_state(KnowledgeGraph.load(graph_path))  # the other graph is gone
    assert _foreign_nodes(bolt) == 1


@pytest.mark.live
def test_cli_options_export_neo4j_without_wipe_keeps_what_is_there(bolt, graph_path):
    _load_other_graph_and_a_foreign_node(bolt)
    result = _kg("export", "neo4j", "--graph", graph_path, *_bolt_options(bolt))
    assert result.exit_code == 0, result.output
    assert "wiped" not in result.output
    state = database_state(bolt)
    assert set(expected_state(sample_graph()).nodes) <= set(state.nodes)
    assert set(expected_state(KnowledgeGraph.load(graph_path)).nodes) <= set(state.nodes)


@pytest.mark.live
@pytest.mark.parametrize("answer", ["n\n", "\n"])
def test_cli_options_export_neo4j_wipe_refused_at_the_prompt_changes_nothing(bolt, graph_path, answer):
    _load_other_graph_and_a_foreign_node(bolt)
    result = _kg("export", "neo4j", "--graph", graph_path, *_bolt_options(bolt), "--wipe", answer=answer)
    assert result.exit_code == 1 and "Aborted!" in result.output
    assert "Delete every Paper, Claim, Evidence and Entity node in the database first?" in result.output
    assert database_state(bolt) == expected_state(sample_graph())
    assert _foreign_nodes(bolt) == 1


@pytest.mark.live
def test_cli_options_query_uri_reads_the_server_not_the_store(bolt, graph_path, tmp_path):
    kg = KnowledgeGraph.load(graph_path)
    export_to_neo4j(kg, **bolt.connection_args(), ahead=False)
    missing_store = tmp_path / "no-store" / "graph.json"
    result = _kg("query", "MATCH (p:Paper) RETURN p.id AS id, p.title AS title ORDER BY id",
                 "--graph", missing_store, *_bolt_options(bolt), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = _csv_rows(result.stdout)
    assert rows[0] == ["id", "title"]
    assert rows[1:] == sorted([d["id"], d["title"]] for _, d in kg.papers())
    assert not missing_store.parent.exists()
    local = _kg("query", "MATCH (p:Paper) RETURN count(p) AS n", "--graph", missing_store)
    assert local.exit_code == 1  # without --uri the missing store is what is read


@pytest.mark.live
def test_cli_options_query_uri_and_local_store_answer_alike_in_csv(bolt, graph_path):
    export_to_neo4j(KnowledgeGraph.load(graph_path), **bolt.connection_args(), ahead=False)
    cypher = ("MATCH (p:Paper)-[:PROPOSES]->(e:Entity) RETURN p.id AS paper, e.key AS entity, e.aliases AS aliases "
              "ORDER BY paper, entity")
    remote = _kg("query", cypher, *_bolt_options(bolt), "--format", "csv")
    local = _kg("query", cypher, "--graph", graph_path, "--format", "csv")
    assert remote.exit_code == 0 and local.exit_code == 0, (remote.output, local.output)
    assert remote.output == local.output and len(remote.output.splitlines()) > 2

import json
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.export.neo4j.ahead import can_fork
from kg.cli import main
from kg.graph import KnowledgeGraph

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-store")
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, result


def test_cli_build_prints_a_summary_with_the_output_paths(built):
    out, result = built
    assert "14 distinct papers" in result.output
    for name in ("graph.json", "extractions.jsonl", "graph.html"):
        assert str(out / name) in result.output
        assert (out / name).exists()


def test_cli_stats_json_matches_the_graph(built):
    out, _ = built
    result = CliRunner().invoke(main, ["stats", "--graph", str(out / "graph.json"), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    data = json.loads((out / "graph.json").read_text())
    assert sum(stats["nodes"].values()) == len(data["nodes"])
    assert sum(stats["relationships"].values()) == len(data["edges"])
    assert stats["nodes"]["Paper"] == 14


def test_cli_stats_table(built):
    out, _ = built
    result = CliRunner().invoke(main, ["stats", "--graph", str(out / "graph.json")])
    assert result.exit_code == 0
    assert "top entities" in result.output and "Paper" in result.output


def test_cli_extract_writes_the_contract(tmp_path):
    pred = tmp_path / "pred.jsonl"
    result = CliRunner().invoke(main, ["extract", str(EXAMPLES), "-o", str(pred)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in pred.read_text().splitlines()]
    assert len(records) == 14
    for record in records:
        assert {"id", "title", "entities", "claims", "relations"} <= set(record)
        for entity in record["entities"]:
            assert {"name", "type", "aliases", "role"} <= set(entity)
        for claim in record["claims"]:
            assert {"subject", "value", "unit", "metric", "via", "baseline", "dataset", "text"} <= set(claim)


@pytest.mark.parametrize("target,output", [
    ("cypher", "graph.cypher"), ("csv", "csv"), ("graphml", "graph.graphml"), ("html", "view.html"),
])
def test_cli_export_files(built, tmp_path, target, output):
    out, _ = built
    result = CliRunner().invoke(main, ["export", target, "--graph", str(out / "graph.json"),
                                       "-o", str(tmp_path / output)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / output).exists()


def test_cli_view_writes_the_page_without_opening_a_browser(built, tmp_path):
    out, _ = built
    result = CliRunner().invoke(main, ["view", "--graph", str(out / "graph.json"), "-o", str(tmp_path / "v.html"),
                                       "--no-open"])
    assert result.exit_code == 0, result.output
    assert "the store's own view" in result.output  # a store's graph: its page as the store keeps it
    assert (tmp_path / "v.html").read_bytes() == (out / "graph.html").read_bytes()
    result = CliRunner().invoke(main, ["view", "--graph", str(out / "graph.json"), "-o", str(tmp_path / "top.html"),
                                       "--no-open", "--top", "5"])
    assert result.exit_code == 0, result.output
    assert "nodes drawn" in result.output
    assert "<html" in (tmp_path / "top.html").read_text(encoding="utf-8").lower()


def test_cli_entities_and_show(built):
    out, _ = built
    graph = str(out / "graph.json")
    listed = CliRunner().invoke(main, ["entities", "--graph", graph, "--type", "Model", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert rows and all(r["type"] == "Model" for r in rows)
    shown = CliRunner().invoke(main, ["show", "Medusa", "--graph", graph])
    assert shown.exit_code == 0, shown.output
    assert "2.2" in shown.output and "speedup" in shown.output
    missing = CliRunner().invoke(main, ["show", "No Such Thing", "--graph", graph])
    assert missing.exit_code != 0 and "no entity called" in missing.output


def test_cli_query_the_local_store(built, tmp_path):
    out, _ = built
    store = tmp_path / "store"
    shutil.copytree(out, store, symlinks=True)
    query = ["query", "MATCH (p:Paper) WHERE p.id = $id RETURN p.title AS title", "--graph", str(store / "graph.json"),
             "--param", 'id="2401.10774"', "--format", "json"]
    result = CliRunner().invoke(main, query)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["title"].startswith("Medusa")  # the JSON alone on stdout
    assert "loading" in result.stderr and "query engine" in result.stderr  # why the first query takes a while
    again = CliRunner().invoke(main, query)
    assert again.exit_code == 0 and again.stderr == ""
    removed = CliRunner().invoke(main, ["remove", "2106.09685", "--graph", str(store / "graph.json")])
    assert removed.exit_code == 0, removed.output
    updated = CliRunner().invoke(main, query)
    assert updated.exit_code == 0 and "changed: bringing the query engine up to date" in updated.stderr
    assert json.loads(updated.stdout) == json.loads(result.stdout)
    bad = CliRunner().invoke(main, ["query", "MATCH (n RETURN n", "--graph", str(out / "graph.json")])
    assert bad.exit_code != 0 and "Traceback" not in bad.output


def test_cli_cache_info_and_clear():
    info = CliRunner().invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and "entries" in info.output
    cleared = CliRunner().invoke(main, ["cache", "clear", "--yes"])
    assert cleared.exit_code == 0 and "removed" in cleared.output


def test_cli_only_bad_input_fails_naming_file_and_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"title": "x"\nnot json\n')
    result = CliRunner().invoke(main, ["build", str(bad), "-o", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "bad.jsonl:1" in result.output and "no usable paper" in result.output


def test_cli_missing_graph_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["stats", "--graph", str(tmp_path / "none.json")])
    assert result.exit_code != 0
    assert "no such graph file" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [
    ["build"], ["extract"], ["stats"], ["entities"], ["show"], ["view"], ["query"], ["cache", "info"],
    ["cache", "clear"],
    ["export", "cypher"], ["export", "csv"], ["export", "graphml"], ["export", "html"], ["export", "neo4j"],
])
def test_cli_help_has_an_example(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def _bolt_args(settings) -> list[str]:
    args = ["--uri", settings.uri]
    for flag, value in (("--user", settings.user), ("--password", settings.password),
                        ("--database", settings.database)):
        if value:
            args += [flag, value]
    return args


@pytest.mark.live
def test_cli_export_neo4j_twice_matches_the_graph(built, bolt):

    out, _ = built
    command = ["export", "neo4j", "--graph", str(out / "graph.json"), *_bolt_args(bolt)]
    first = CliRunner().invoke(main, [*command, "--ahead" if can_fork() else "--no-ahead"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, [*command, "--no-ahead"])
    assert second.exit_code == 0, second.output
    assert "0 new" in second.output
    stats = json.loads(CliRunner().invoke(main, ["stats", "--graph", str(out / "graph.json"), "--json"]).output)
    with bolt.observe() as connection, connection.session() as session:
        papers = session.run("MATCH (n:Paper) RETURN count(n) AS c").single()["c"]
        entities = session.run("MATCH (n:Entity) RETURN count(n) AS c").single()["c"]
        relationships = session.run("MATCH ()-[r]->() RETURN count(r) AS c").single()["c"]
    assert papers == stats["nodes"]["Paper"]
    assert entities == sum(v for k, v in stats["nodes"].items() if k not in ("Paper", "Claim"))
    assert relationships == sum(stats["relationships"].values())


@pytest.mark.live
@pytest.mark.parametrize("ahead", ["--no-ahead", pytest.param("--ahead", marks=pytest.mark.skipif(
    not can_fork(), reason="needs fork() (Linux)"))])
def test_cli_export_neo4j_a_graph_kg_would_not_write_is_one_clear_line(bolt, tmp_path, ahead):
    graph = nx.MultiDiGraph()
    graph.add_node("paper:p", label="Paper", id="p", title="T")
    graph.add_node("entity:e", label="Model", key="e", name="E")
    graph.add_edge("paper:p", "entity:e", key="KNOWS", type="KNOWS", papers=["p"])  # not a type of the schema
    path = tmp_path / "graph.json"
    KnowledgeGraph(graph).save(path)
    result = CliRunner().invoke(main, ["export", "neo4j", "--graph", str(path), *_bolt_args(bolt), ahead])
    assert result.exit_code != 0
    assert f"{path}: " in result.output and "KNOWS" in result.output and "Traceback" not in result.output


def test_cli_export_neo4j_dry_run_and_unreachable_host(built):
    out, _ = built
    graph = str(out / "graph.json")
    dry = CliRunner().invoke(main, ["export", "neo4j", "--graph", graph, "--dry-run"])
    assert dry.exit_code == 0 and "statements" in dry.output
    down = CliRunner().invoke(main, ["export", "neo4j", "--graph", graph, "--uri", "bolt://127.0.0.1:9",
                                     "--user", "neo4j", "--password", "s3cret"])
    assert down.exit_code != 0
    assert "127.0.0.1:9" in down.output and "s3cret" not in down.output and "Traceback" not in down.output

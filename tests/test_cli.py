import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

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
    ["build"], ["extract"], ["stats"], ["export", "cypher"], ["export", "csv"],
    ["export", "graphml"], ["export", "html"], ["export", "neo4j"],
])
def test_cli_help_has_an_example(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output

"""Failure paths of the command line: each ends in one line that names what failed, exit status 1."""
import importlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cache import CACHE_FILE
from kg.cli import main
from kg.errors import InputError, Neo4jExportError, QueryError, StoreError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "papers.jsonl"
KG = Path(sys.executable).with_name("kg")


def _kg(*args: str, cache_dir: Path) -> subprocess.CompletedProcess:
    """kg in its own process, so what workers print and what logging prints reach the real stderr."""
    env = {**os.environ, "KG_CACHE_DIR": str(cache_dir)}
    return subprocess.run([str(KG), *args], capture_output=True, text=True, env=env, timeout=600)


def _one_error_line(result) -> str:
    lines = result.output.strip().splitlines()
    assert result.exit_code == 1, result.output
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory):
    out = tmp_path_factory.mktemp("errors-store")
    result = CliRunner().invoke(main, ["build", str(EXAMPLES), "-o", str(out), "-j", "1", "--no-html"])
    assert result.exit_code == 0, result.output
    return out / "graph.json"


# --- an unknown spaCy model, with worker processes ---

@pytest.mark.parametrize("command", [["build", "-o", "{tmp}/out"], ["extract", "-o", "{tmp}/pred.jsonl"]])
def test_cli_errors_unknown_model_with_workers_is_one_line(tmp_path, command):
    args = [a.format(tmp=tmp_path) for a in command]
    result = _kg(args[0], str(EXAMPLES), *args[1:], "--model", "no_such_model", "-j", "2",
                 cache_dir=tmp_path / "cache")
    assert result.returncode == 1, result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith("Error: cannot load spaCy model 'no_such_model'"), result.stderr


# --- a damaged cache database ---

def _garbage_file(path: Path) -> None:
    path.write_bytes(b"\x8f this is not an SQLite database \x00\xff" * 200)


def _damaged_pages(path: Path) -> None:
    """A valid header and schema page, then garbage where the table's pages are."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")  # as kg's cache is, so opening it changes no byte
    db.execute("CREATE TABLE extraction (version TEXT NOT NULL, text_sha TEXT NOT NULL, body TEXT NOT NULL,"
               " PRIMARY KEY (version, text_sha))")
    with db:
        db.executemany("INSERT INTO extraction VALUES (?, ?, ?)", [("v", f"{i:040x}", "{}" * 200) for i in range(300)])
    db.close()
    page_size = 4096
    data = bytearray(path.read_bytes())
    data[page_size:] = b"\xa5" * (len(data) - page_size)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_garbage_file, _damaged_pages])
def test_cli_errors_build_goes_on_without_a_damaged_cache_and_says_so(tmp_path, damage):
    cache = tmp_path / "cache"
    cache.mkdir()
    damage(cache / CACHE_FILE)
    before = (cache / CACHE_FILE).read_bytes()
    result = _kg("build", str(EXAMPLES), "-o", str(tmp_path / "out"), "-j", "1", "--no-html", cache_dir=cache)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    warnings = [line for line in result.stderr.splitlines() if str(cache / CACHE_FILE) in line]
    assert len(warnings) == 1 and warnings[0].startswith("kg: ") and "kg cache clear" in warnings[0], result.stderr
    assert "14 distinct papers" in result.stdout
    assert (cache / CACHE_FILE).read_bytes() == before  # left for kg cache clear, not removed behind the user's back


def test_cli_errors_cache_info_and_clear_on_a_damaged_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path))
    _garbage_file(tmp_path / CACHE_FILE)
    line = _one_error_line(CliRunner().invoke(main, ["cache", "info"]))
    assert str(tmp_path / CACHE_FILE) in line and "kg cache clear" in line
    cleared = CliRunner().invoke(main, ["cache", "clear", "--yes"])
    assert cleared.exit_code == 0, cleared.output
    assert str(tmp_path / CACHE_FILE) in cleared.output and "Traceback" not in cleared.output
    info = CliRunner().invoke(main, ["cache", "info"])
    assert info.exit_code == 0, info.output
    assert "entries   0" in info.output


# --- a graph file that is not UTF-8 ---

@pytest.mark.parametrize("command", [["stats"], ["entities"], ["export", "graphml", "-o", "x.graphml"]])
def test_cli_errors_graph_not_utf8_names_the_file(tmp_path, command):
    bad = tmp_path / "bad.json"
    bad.write_bytes('{"graph": {"format": "kg"}, "note": "café"}'.encode("latin-1"))
    line = _one_error_line(CliRunner().invoke(main, [*command, "--graph", str(bad)]))
    assert str(bad) in line and "UTF-8" in line


# --- an output path that cannot be written (a regular file where its folder should be: fails for root too) ---

@pytest.mark.parametrize("command,name", [
    (["export", "cypher"], "graph.cypher"), (["export", "csv"], "csv"), (["export", "graphml"], "graph.graphml"),
    (["export", "html"], "graph.html"), (["view", "--no-open"], "view.html"),
])
def test_cli_errors_unwritable_export_names_the_path_and_the_reason(graph_file, tmp_path, command, name):
    (tmp_path / "file").write_text("not a folder\n")
    target = tmp_path / "file" / name
    line = _one_error_line(CliRunner().invoke(main, [*command, "--graph", str(graph_file), "-o", str(target)]))
    assert str(target) in line and "Not a directory" in line


def test_cli_errors_unwritable_extract_output_names_the_path_and_the_reason(tmp_path):
    (tmp_path / "file").write_text("not a folder\n")
    target = tmp_path / "file" / "pred.jsonl"
    result = CliRunner().invoke(main, ["extract", str(EXAMPLES), "-j", "1", "-o", str(target)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and str(target) in errors[0] and "Not a directory" in errors[0], result.output
    assert "Traceback" not in result.output


# --- what counts as the user's error: kg's errors, and nothing else ---

def test_cli_errors_a_graph_kg_cannot_export_names_the_file(tmp_path):
    bad = tmp_path / "graph.json"
    bad.write_text('{"graph": {"format": "kg"}, "directed": true, "multigraph": true, "edges": [],'
                   ' "nodes": [{"node": "x", "label": "Spaceship", "key": "x"}]}')
    for command in (["export", "neo4j", "--dry-run"], ["export", "cypher", "-o", str(tmp_path / "g.cypher")]):
        line = _one_error_line(CliRunner().invoke(main, [*command, "--graph", str(bad)]))
        assert line.startswith(f"Error: {bad}: ") and "'Spaceship'" in line


@pytest.mark.parametrize("error", [InputError("no paper 'x' in out"), StoreError("out: not a kg store"),
                                   QueryError("query failed: bad"), Neo4jExportError("cannot reach it")])
def test_cli_errors_each_kg_error_is_one_line(graph_file, monkeypatch, error):
    def fails(*args, **kwargs):
        raise error

    monkeypatch.setattr("kg.stats.graph_stats", fails)
    assert _one_error_line(CliRunner().invoke(main, ["stats", "--graph", str(graph_file)])) == f"Error: {error}"


BUG_SITES = [  # (module, function, command): each command caught every ValueError once
    ("kg.build", "build_store", ["build", str(EXAMPLES), "-o", "{tmp}/out", "-j", "1"]),
    ("kg.build", "remove_papers", ["remove", "2106.09685", "--graph", "{graph}"]),
    ("kg.export.explain", "find_extraction", ["explain", "2106.09685", "--no-open", "--graph", "{graph}"]),
]


@pytest.mark.parametrize("module, function, command", BUG_SITES)
@pytest.mark.parametrize("bug", [ValueError("a bug"), KeyError("a bug")])
def test_cli_errors_a_bug_keeps_its_traceback(graph_file, tmp_path, monkeypatch, module, function, command, bug):
    def fails(*args, **kwargs):
        raise bug

    monkeypatch.setattr(importlib.import_module(module), function, fails)
    args = [a.format(tmp=tmp_path, graph=graph_file) for a in command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and result.exception is bug
    assert "Error: " not in result.output

"""What every command keeps to: --json prints one document on stdout, the list of commands shows each
summary whole, a file that cannot be read or written is one line naming it, and shell completion works."""
import dataclasses
import errno
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kg.cache import ExtractionCache
from kg.cli import main
from kg.extractions import load_extractions
from kg.extractor import PipelineConfig, extractor_version
from kg.graph import KnowledgeGraph
from kg.lookup import list_entities, nearest_names

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "papers.jsonl"
KG = Path(sys.executable).with_name("kg")
FULL = os.strerror(errno.ENOSPC)


def _kg(*args, cache: Path | None = None):
    env = {"KG_CACHE_DIR": str(cache)} if cache else None
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _kg_process(*args, stdout=subprocess.PIPE, cache: Path | None = None) -> subprocess.CompletedProcess:
    """kg in its own process: its stdout may be a real file such as /dev/full."""
    env = {**os.environ, **({"KG_CACHE_DIR": str(cache)} if cache else {})}
    return subprocess.run([str(KG), *map(str, args)], stdout=stdout, stderr=subprocess.PIPE, text=True, env=env,
                          timeout=600)


def _one_error_line(output: str, exit_code: int) -> str:
    lines = output.strip().splitlines()
    assert exit_code == 1, output
    assert len(lines) == 1 and lines[0].startswith("Error: "), output
    return lines[0]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("conventions-cache")


@pytest.fixture(scope="module")
def graph_path(tmp_path_factory, cache_dir):
    out = tmp_path_factory.mktemp("conventions-store")
    result = _kg("build", EXAMPLES, "-o", out, "-j", "1", "--no-html", cache=cache_dir)
    assert result.exit_code == 0, result.output
    return out / "graph.json"


@pytest.fixture
def blocked(tmp_path) -> Path:
    """A regular file where a folder should be: nothing can be written under it, not even by root."""
    path = tmp_path / "a-file"
    path.write_text("not a folder\n")
    return path


# --- --json: one document on stdout, the messages on stderr ---

def test_cli_build_json_is_the_report_and_skipped_records_go_to_stderr(tmp_path, cache_dir):
    source = tmp_path / "papers.jsonl"
    source.write_text(EXAMPLES.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    result = _kg("build", source, "-o", tmp_path / "out", "-j", "1", "--no-html", "--json", cache=cache_dir)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    graph = KnowledgeGraph.load(tmp_path / "out" / "graph.json")
    assert report["store_papers"] == report["papers"] == 14
    assert report["node_counts"] == graph.node_counts()
    assert report["relationship_counts"] == graph.relationship_counts()
    assert report["outputs"]["graph"] == str(tmp_path / "out" / "graph.json")
    assert report["problems"] == [{"path": str(source), "line": 15, "message": report["problems"][0]["message"]}]
    assert report["problems"][0]["message"].startswith("malformed JSON")
    assert f"skipped  {source}:15: malformed JSON" in result.stderr


def test_cli_entities_json_is_one_document_of_every_row(graph_path):
    result = _kg("entities", "--graph", graph_path, "--type", "Model", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == list_entities(KnowledgeGraph.load(graph_path), "Model", 1)
    assert len(json.loads(result.stdout)) > 1


def test_cli_cache_info_json(cache_dir):
    result = _kg("cache", "info", "--json", cache=cache_dir)
    assert result.exit_code == 0, result.output
    cache = ExtractionCache(cache_dir)
    expected = {**dataclasses.asdict(cache.info()), "path": str(cache.path)}
    assert json.loads(result.stdout) == expected and expected["entries"] >= 14


@pytest.mark.parametrize("command", [
    ["build", str(EXAMPLES), "-o", "{tmp}/out", "-j", "1", "--no-html"], ["stats"], ["entities"],
    ["show", "Medusa"], ["cache", "info"], ["cache", "prune"], ["remove", "2401.10774"],
    ["query", "MATCH (p:Paper) RETURN p.id AS id", "--format", "json"],
])
def test_cli_reporting_commands_print_one_json_document_and_nothing_else(graph_path, cache_dir, tmp_path, command):
    store = tmp_path / "store"
    store.mkdir()
    for name in ("graph.json", "extractions.jsonl", "manifest.json"):
        (store / name).write_bytes((graph_path.parent / name).read_bytes())
    args = [a.format(tmp=tmp_path) for a in command]
    if args[0] not in ("build", "cache"):
        args += ["--graph", str(store / "graph.json")]
    if "--format" not in args:
        args.append("--json")
    result = _kg(*args, cache=cache_dir)
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout), (dict, list)) and json.loads(result.stdout)


# --- kg --help: each summary whole ---

def _commands(group: click.Group):
    for name, command in group.commands.items():
        yield [name], command
        if isinstance(command, click.Group):
            yield from (([name, *sub], c) for sub, c in _commands(command))


def _summary(command: click.Command) -> str:
    """The first sentence of the command's help, as one line."""
    first = " ".join(command.help.partition("\n\n")[0].split())
    return re.match(r".*?\.(?=\s[A-Z]|$)", first).group()


@pytest.mark.parametrize("path,command", list(_commands(main)), ids=lambda v: str(v))
def test_cli_help_lists_each_summary_in_full(path, command):
    parent = CliRunner().invoke(main, [*path[:-1], "--help"], terminal_width=80)
    assert parent.exit_code == 0, parent.output
    listing = " ".join(parent.output.partition("Commands:")[2].split())
    assert f"{path[-1]} {_summary(command)}" in listing
    assert "..." not in listing


# --- a file that cannot be read or written: one line naming it ---

GRAPH_COMMANDS = [
    ["stats"], ["entities"], ["show", "Medusa"], ["view", "--no-open", "-o", "{tmp}/v.html"],
    ["export", "cypher", "-o", "{tmp}/g.cypher"], ["export", "csv", "-o", "{tmp}/csv"],
    ["export", "graphml", "-o", "{tmp}/g.graphml"], ["export", "html", "-o", "{tmp}/g.html"],
    ["remove", "2401.10774"], ["query", "MATCH (n) RETURN count(n)"],
]


@pytest.mark.parametrize("command", GRAPH_COMMANDS, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("where", ["missing", "under a file"])
def test_cli_a_graph_that_cannot_be_read_is_one_line_naming_it(tmp_path, blocked, command, where):
    graph = tmp_path / "none" / "graph.json" if where == "missing" else blocked / "graph.json"
    result = _kg(*[a.format(tmp=tmp_path) for a in command], "--graph", graph)
    line = _one_error_line(result.output, result.exit_code)
    assert str(graph.parent) in line and "Traceback" not in result.output


@pytest.mark.parametrize("command", [
    ["build", str(EXAMPLES), "-j", "1", "-o", "{out}"],
    ["extract", str(EXAMPLES), "-j", "1", "-o", "{out}/pred.jsonl"],
    ["view", "--no-open", "--graph", "{graph}", "-o", "{out}/v.html"],
    ["export", "cypher", "--graph", "{graph}", "-o", "{out}/g.cypher"],
    ["export", "csv", "--graph", "{graph}", "-o", "{out}/csv"],
    ["export", "graphml", "--graph", "{graph}", "-o", "{out}/g.graphml"],
    ["export", "html", "--graph", "{graph}", "-o", "{out}/g.html"],
], ids=lambda c: " ".join(c[:2]))
def test_cli_an_unwritable_output_folder_is_one_line_naming_it(graph_path, cache_dir, blocked, command):
    out = blocked / "out"
    result = _kg(*[a.format(out=out, graph=graph_path) for a in command], cache=cache_dir)
    line = _one_error_line(result.stderr if command[0] == "extract" else result.output, result.exit_code)
    assert str(out) in line and "Not a directory" in line


@pytest.mark.parametrize("command", [
    ["cache", "info"], ["cache", "prune"], ["cache", "clear", "--yes"],
    ["build", str(EXAMPLES), "-j", "1", "-o", "{tmp}/out"],
], ids=lambda c: " ".join(c[:2]))
def test_cli_an_unwritable_cache_folder_is_one_line_naming_it(tmp_path, blocked, command):
    result = _kg(*[a.format(tmp=tmp_path) for a in command], cache=blocked / "cache")
    line = _one_error_line(result.output, result.exit_code)
    assert str(blocked) in line and "Not a directory" in line


@pytest.mark.parametrize("command", [
    ["export", "cypher", "--graph", "{graph}", "-o", "/dev/full"],
    ["export", "graphml", "--graph", "{graph}", "-o", "/dev/full"],
    ["export", "html", "--graph", "{graph}", "-o", "/dev/full"],
    ["view", "--no-open", "--graph", "{graph}", "-o", "/dev/full"],
    ["extract", str(EXAMPLES), "-j", "1", "-o", "/dev/full"],
], ids=lambda c: " ".join(c[:2]))
def test_cli_a_full_disk_under_an_output_file_is_one_line_naming_it(graph_path, cache_dir, command):
    result = _kg(*[a.format(graph=graph_path) for a in command], cache=cache_dir)
    line = _one_error_line(result.stderr if command[0] == "extract" else result.output, result.exit_code)
    assert line == f"Error: cannot write /dev/full: {FULL}"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


@pytest.mark.parametrize("command", [
    ["stats", "--json", "--graph", "{graph}"], ["entities", "--graph", "{graph}"],
    ["show", "Medusa", "--graph", "{graph}"], ["query", "MATCH (p:Paper) RETURN p.title", "--graph", "{graph}"],
    ["cache", "info"], ["extract", str(EXAMPLES), "-j", "1"],
    ["build", str(EXAMPLES), "-j", "1", "--no-html", "-o", "{tmp}/out", "--json"],
], ids=lambda c: " ".join(c[:2]))
def test_cli_a_full_disk_under_stdout_is_one_line_naming_it(graph_path, cache_dir, tmp_path, command):
    if command[0] == "query":  # loaded into the query engine first, which says so on stderr
        assert _kg_process(*[a.format(graph=graph_path) for a in command]).returncode == 0
    with open("/dev/full", "w") as full:
        done = _kg_process(*[a.format(graph=graph_path, tmp=tmp_path) for a in command], stdout=full, cache=cache_dir)
    assert _one_error_line(done.stderr, done.returncode) == f"Error: <stdout>: {FULL}"


def test_cli_a_closed_pipe_ends_quietly(graph_path):
    """``kg entities | head``: the reader is gone before kg writes; that is no error to report."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([str(KG), "entities", "--graph", str(graph_path)], stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=300)
    finally:
        os.close(write_end)
    assert done.returncode == 1 and done.stderr == ""


# --- kg show: did you mean ---

def test_cli_show_an_unknown_name_suggests_the_nearest(graph_path):
    result = _kg("show", "Medusa 3", "--graph", graph_path)
    line = _one_error_line(result.output, result.exit_code)
    nearest = nearest_names(KnowledgeGraph.load(graph_path), "Medusa 3")
    assert "Medusa" in nearest
    assert line.startswith(f"Error: no entity called 'Medusa 3' in {graph_path}; did you mean ")
    assert ", ".join(f'"{name}"' for name in nearest) + "?" in line
    for name in nearest:
        assert _kg("show", name, "--graph", graph_path).exit_code == 0


def test_cli_show_a_name_near_nothing_suggests_nothing(graph_path):
    result = _kg("show", "zqxj", "--graph", graph_path)
    line = _one_error_line(result.output, result.exit_code)
    assert "did you mean" not in line and "kg entities" in line


# --- kg cache prune ---

def test_cli_cache_prune_removes_older_versions_and_keeps_the_current(graph_path, tmp_path):
    extractions = load_extractions(graph_path.parent / "extractions.jsonl")
    current = extractor_version(PipelineConfig())
    cache = ExtractionCache(tmp_path)
    cache.put_many(current, extractions)
    cache.put_many("an-older-version", extractions[:5])
    result = _kg("cache", "prune", "--json", cache=tmp_path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"path": str(cache.path), "removed": 5, "kept": len(extractions),
                                         "versions_kept": [current]}
    papers = [e.paper for e in extractions]
    assert len(cache.get_many(current, papers)) == len(extractions) and cache.get_many("an-older-version", papers) == {}
    again = _kg("cache", "prune", cache=tmp_path)
    assert again.exit_code == 0 and again.output.startswith("removed 0 extractions of older versions; kept 14")


# --- shell completion ---

@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_cli_completion_script_is_produced(shell):
    done = subprocess.run([str(KG)], env={**os.environ, "_KG_COMPLETE": f"{shell}_source"}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "_KG_COMPLETE" in done.stdout and f"{shell}_complete" in done.stdout


def test_cli_completion_completes_commands_and_options():
    env = {**os.environ, "_KG_COMPLETE": "bash_complete", "COMP_WORDS": "kg ex", "COMP_CWORD": "1"}
    done = subprocess.run([str(KG)], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["plain,explain", "plain,export", "plain,extract"], done.stderr
    env.update(COMP_WORDS="kg cache p", COMP_CWORD="2")
    assert subprocess.run([str(KG)], env=env, capture_output=True, text=True, timeout=60).stdout.split() == ["plain,prune"]


def test_cli_completion_is_documented_in_help_and_readme():
    command = '_KG_COMPLETE=bash_source kg'
    assert command in CliRunner().invoke(main, ["--help"]).output
    assert command in (ROOT / "README.md").read_text(encoding="utf-8")

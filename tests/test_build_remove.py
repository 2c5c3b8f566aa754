"""kg.build.remove_papers and `kg remove`: a store without some papers is the store built without them."""
import json
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.build import GRAPH_FILE, HTML_FILE, LAYOUT_FILE, MANIFEST_FILE, BuildOptions, build_store, remove_papers
from kg.cli import main
from kg.export.layout import Layout
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.graph import KnowledgeGraph
from kg.results.index import INDEX_SUFFIX, load_index

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
STORE_FILES = (EXTRACTIONS_FILE, GRAPH_FILE, HTML_FILE, MANIFEST_FILE)
KG = Path(sys.executable).with_name("kg")


def _files(store: Path) -> dict[str, bytes | None]:
    """Every file of the store and its bytes (None for a folder); the results index is a cache stamped
    with its graph file's time, so it is compared by what it holds (test_build_remove_keeps_the_index)."""
    return {p.name: p.read_bytes() if p.is_file() else None for p in sorted(store.iterdir())
            if not p.name.endswith(INDEX_SUFFIX)}


def _papers_naming(g, node: str) -> set[str]:
    return {u for u, _ in g.in_edges(node) if g.nodes[u]["label"] == "Paper"}


def _ids(path: Path) -> list[str]:
    return [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    """The examples in two files, and a store of the first alone and one of both, each with its view."""
    folder = tmp_path_factory.mktemp("remove")
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = folder / "first.jsonl", folder / "second.jsonl"
    first.write_text("".join(lines[:6]), encoding="utf-8")
    second.write_text("".join(lines[6:]), encoding="utf-8")
    options = BuildOptions(jobs=1, cache_dir=folder / "cache")
    alone, both = folder / "first-alone", folder / "both"
    build_store([str(first)], alone, options)
    build_store([str(first)], both, options)
    build_store([str(second)], both, options)
    return first, second, alone, both, options


@pytest.fixture
def store(halves, tmp_path):
    """A copy of the store of both halves, to remove papers from."""
    copy = tmp_path / "store"
    shutil.copytree(halves[3], copy, symlinks=True)
    return copy


def test_build_remove_leaves_the_store_a_build_of_the_other_papers_makes(halves, store):
    first, second, alone, _, _ = halves
    assert _files(store) != _files(alone)
    report = remove_papers(store, _ids(second))
    assert report.removed == _ids(second) and report.missing == []
    assert _files(store) == _files(alone)  # extractions, graph, view and manifest, byte for byte
    assert report.store_papers == len(_ids(first))
    assert report.node_counts == KnowledgeGraph.load(alone / GRAPH_FILE).node_counts()


def test_build_remove_names_each_stage(halves, store):
    stages = []
    remove_papers(store, _ids(halves[1]), stage=stages.append)
    assert stages == [f"removing {len(_ids(halves[1]))} papers", "indexing the results", "writing the graph",
                      "writing the view"]  # the view follows the rows: the whole graph is not read


def test_build_remove_keeps_the_view_where_it_was_unless_relayout(halves, store):
    before = Layout.load(store / LAYOUT_FILE).positions
    remove_papers(store, _ids(halves[1])[:3])
    after = Layout.load(store / LAYOUT_FILE).positions
    assert set(after) < set(before) and all(before[node] == xy for node, xy in after.items())
    remove_papers(store, _ids(halves[1])[3:4], relayout=True)
    anew = Layout.load(store / LAYOUT_FILE).positions
    assert sum(1 for node, xy in anew.items() if after[node] != xy) > len(anew) // 2


def test_build_remove_keeps_the_index(halves, store):
    _, second, alone, _, _ = halves
    remove_papers(store, _ids(second))
    built = []
    index = load_index(store / GRAPH_FILE, lambda path: built.append(path) or KnowledgeGraph.load(path))
    assert built == []  # current: written by remove, not made again here
    assert index == load_index(alone / GRAPH_FILE, KnowledgeGraph.load)


def test_build_remove_keeps_what_another_paper_supports(halves, store):
    gone = "2305.14314"  # QLoRA, which names some entities other papers name too
    before = KnowledgeGraph.load(store / GRAPH_FILE).graph
    remove_papers(store, [gone])
    after = KnowledgeGraph.load(store / GRAPH_FILE).graph
    assert f"paper:{gone}" not in after
    assert not any(d.get("paper_id") == gone for _, d in after.nodes(data=True))
    assert all(gone not in d["papers"] for _, _, d in after.edges(data=True))
    named = [n for n in before if f"paper:{gone}" in _papers_naming(before, n)]
    shared = [n for n in named if len(_papers_naming(before, n)) > 1]
    assert shared and [n for n in named if n not in after]  # some stay, some were its alone
    for node in shared:
        assert _papers_naming(after, node) == _papers_naming(before, node) - {f"paper:{gone}"}
        assert after.nodes[node]["paper_count"] == before.nodes[node]["paper_count"] - 1
    for node in set(named) & set(after):  # what stays, another paper names, or it is the family of what one names
        assert after.nodes[node]["paper_count"] or any(rel == "VARIANT_OF" for *_, rel in after.in_edges(node, keys=True))


def test_build_remove_updates_the_manifest_so_the_next_build_is_up_to_date(halves, store):
    first, second, _, _, options = halves
    remove_papers(store, _ids(second))
    report = build_store([str(first)], store, options)
    assert report.up_to_date and report.store_papers == len(_ids(first))


def test_build_remove_takes_arxiv_ids_in_any_form_and_names_the_missing(halves, store):
    report = remove_papers(store, ["arXiv:2401.10774v2", "https://arxiv.org/abs/2106.09685", "no-such-paper",
                                   "2401.10774"])
    assert report.removed == ["2401.10774", "2106.09685"] and report.missing == ["no-such-paper"]
    assert {e.paper.id for e in load_extractions(store / EXTRACTIONS_FILE)}.isdisjoint(report.removed)


def test_build_remove_of_nothing_in_the_store_writes_nothing(store):
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.iterdir() if p.is_file()}
    report = remove_papers(store, ["no-such-paper"])
    assert (report.removed, report.missing) == ([], ["no-such-paper"])
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in store.iterdir() if p.is_file()} == before


def test_build_remove_of_every_paper_is_refused(halves, store):
    before = _files(store)
    with pytest.raises(ValueError, match="every paper"):
        remove_papers(store, _ids(halves[0]) + _ids(halves[1]))
    assert _files(store) == before


def test_build_remove_from_a_folder_that_is_no_store(tmp_path):
    with pytest.raises(ValueError, match="not a kg store"):
        remove_papers(tmp_path, ["2401.10774"])


def _limited_file_size(limit: int):
    def start() -> None:
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of ending the process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return start


def test_build_remove_that_cannot_write_every_file_leaves_the_store_as_it_was(halves, store):
    """The view, much the biggest file, cannot be written (a file size limit stands in for a full disk):
    the extractions and graph already written must not replace the store's."""
    before = _files(store)
    limit = max(len(before[EXTRACTIONS_FILE]), len(before[GRAPH_FILE])) + 10_000
    assert len(before[HTML_FILE]) > limit
    done = subprocess.run([str(KG), "remove", *_ids(halves[1]), "--graph", str(store / GRAPH_FILE)],
                          capture_output=True, text=True, timeout=300, preexec_fn=_limited_file_size(limit))
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: cannot write {store}") and "File too large" in lines[0]
    assert _files(store) == before  # nothing replaced, no staging folder left behind


# --- the command ---

def test_build_remove_command_reports_in_text_and_json(halves, store):
    text = CliRunner().invoke(main, ["remove", "2401.10774", "--graph", str(store / GRAPH_FILE)])
    assert text.exit_code == 0, text.output
    assert "removed     1 papers: 2401.10774" in text.stdout and f"store       {len(_ids(EXAMPLES)) - 1} papers" in text.stdout
    as_json = CliRunner().invoke(main, ["remove", "2106.09685", "nope", "--graph", str(store / GRAPH_FILE), "--json"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert (report["removed"], report["missing"]) == (["2106.09685"], ["nope"])
    assert report["node_counts"] == KnowledgeGraph.load(store / GRAPH_FILE).node_counts()
    assert as_json.stderr == "not in the store: nope\n"


def test_build_remove_command_of_unknown_papers_is_an_error(store):
    before = _files(store)
    result = CliRunner().invoke(main, ["remove", "nope", "--graph", str(store / GRAPH_FILE)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == ["not in the store: nope", result.stderr.splitlines()[-1]]
    assert result.stderr.splitlines()[-1].startswith(f"Error: none of these papers is in {store}")
    assert _files(store) == before

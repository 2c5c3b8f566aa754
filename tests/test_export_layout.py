"""kg.export.layout: the view's positions, kept across a store's updates."""
from __future__ import annotations

import copy
import json
import logging
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from synthetic import zipf_extractions

import kg.row_files
from kg.build import GRAPH_FILE, HTML_FILE, LAYOUT_FILE, BuildOptions, build_store
from kg.cli import main
from kg.export.html import view_data, write_html
from kg.export.layout import LAYOUT_VERSION, Layout, kept_topic_order, layout_path
from kg.graph import build_graph
from kg.state import state_path
from kg.store import current_folder

PAPERS, BEFORE = 240, 200  # a store of the first BEFORE generated papers, then all PAPERS of them
NEAR = 200.0  # canvas pixels: a new node is at most this far from its neighbours' mean (the graph spans ~2,000)


@pytest.fixture(scope="module")
def update():
    """The graphs before and after adding papers, the layout of the first, and the second's view
    laid out keeping it."""
    extractions = zipf_extractions(PAPERS)
    before, after = build_graph(extractions[:BEFORE]), build_graph(extractions)
    layout = write_html(before, "/dev/null").layout
    return before, after, layout


def _drawn_at(data: dict) -> dict[str, tuple[int, int]]:
    """Where a payload draws each entity and paper, by node id."""
    types = data["T"]
    prefix = {"Paper": "paper:", "Claim": None}
    return {prefix.get(types[r[0]], "entity:") + r[3]: (r[1], r[2]) for r in data["n"] if types[r[0]] != "Claim"}


def test_export_layout_keeps_every_old_node_where_it_was(update):
    before, after, layout = update
    summary = write_html(after, "/dev/null", kept=layout)
    assert set(layout.positions) < set(summary.layout.positions)
    assert summary.kept == len(layout.positions) == before.graph.number_of_nodes()
    moved = [node for node, xy in layout.positions.items() if summary.layout.positions[node] != xy]
    assert moved == []
    drawn = _drawn_at(view_data(after, kept=layout))  # what the page draws
    assert drawn == {node: xy for node, xy in summary.layout.positions.items() if not node.startswith("claim:")}


def test_export_layout_places_new_nodes_beside_their_neighbours(update):
    before, after, layout = update
    positions = write_html(after, "/dev/null", kept=layout).layout.positions
    g = after.graph
    new = [node for node in positions if node not in layout.positions]
    assert len(new) > 50
    for node in new:
        linked = set(g.predecessors(node)) | set(g.successors(node))
        if linked:
            mean = [sum(positions[m][k] for m in linked) / len(linked) for k in (0, 1)]
            assert math.dist(positions[node], mean) <= NEAR, node
    # new nodes are pushed off the others: none sits on a node
    points = list(positions.values())
    assert len(set(points)) == len(points)


def test_export_layout_anew_moves_the_old_nodes(update):
    _, after, layout = update
    anew = write_html(after, "/dev/null").layout.positions
    assert sum(1 for node, xy in layout.positions.items() if anew[node] != xy) > len(layout.positions) // 2


def test_export_layout_topics_found_again_keep_their_colours(update):
    _, after, layout = update
    kept = write_html(after, "/dev/null", kept=layout).layout.topics
    anew = write_html(after, "/dev/null").layout.topics
    assert layout.topics and set(layout.topics) <= set(kept)
    same = {name: sum(layout.topics[m] == topics[m] for m in layout.topics if m in topics)
            for name, topics in (("kept", kept), ("anew", anew))}
    # communities found anew also trade members, so not every member keeps its colour
    assert same["kept"] >= 2 * same["anew"] and same["kept"] > len(layout.topics) // 3, same


@pytest.mark.parametrize("members, kept, order", [
    ([["c", "d", "e"], ["a", "b"]], {"a": 0, "b": 0, "c": 1, "d": 1, "e": 1}, [1, 0]),  # sizes changed places
    ([["a", "x"], ["y", "z"], ["c", "d"]], {"a": 2, "c": 0, "d": 0}, [2, 1, 0]),  # a new topic takes a free place
    ([["a", "b"], ["c"]], {"a": 5, "b": 5, "c": 0}, [1, 0]),  # a place beyond the list is no place
    ([["a", "b", "c"], ["d", "e"]], {"a": 1, "d": 1, "e": 1}, [0, 1]),  # the topic sharing most chooses first
    ([["a"], ["b"]], {}, [0, 1]),  # nothing kept: the order found
])
def test_export_layout_kept_topic_order(members, kept, order):
    assert kept_topic_order(members, kept) == order


def test_export_layout_is_deterministic(update, tmp_path):
    _, after, layout = update
    pages = []
    for k in range(2):
        summary = write_html(after, tmp_path / f"view-{k}.html", kept=layout)
        summary.layout.save(tmp_path / f"layout-{k}.json")
        pages.append(((tmp_path / f"view-{k}.html").read_bytes(), (tmp_path / f"layout-{k}.json").read_bytes()))
    assert pages[0] == pages[1]
    assert Layout.load(tmp_path / "layout-0.json") == write_html(after, "/dev/null", kept=layout).layout


@pytest.mark.parametrize("text, reason", [
    ("{not json", "cannot read"),
    (json.dumps({"version": LAYOUT_VERSION + 1, "positions": {}}), "not a layout of version"),
    (json.dumps([1, 2]), "not a layout of version"),
    (json.dumps({"version": LAYOUT_VERSION, "positions": {"paper:x": [1.5, 2]}}), "whole numbers"),
    (json.dumps({"version": LAYOUT_VERSION, "positions": {"paper:x": "here"}}), "whole numbers"),
])
def test_export_layout_bad_file_is_ignored_with_a_message(tmp_path, caplog, text, reason):
    path = tmp_path / "graph.layout.json"
    path.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kg.export.layout"):
        assert Layout.load(path) is None
    assert reason in caplog.text and str(path) in caplog.text


def test_export_layout_of_another_graph_is_stale_and_the_view_laid_out_anew(update, caplog):
    _, after, _ = update
    stale = Layout({"entity:nothing-here": (5, 5), "paper:0000.00000": (0, 0)})
    with caplog.at_level(logging.WARNING, logger="kg.export.html"):
        assert view_data(after, kept=stale) == view_data(after)
    assert "laying the view out anew" in caplog.text


def test_export_layout_without_topics_keeps_its_positions(tmp_path, caplog):
    path = tmp_path / "graph.layout.json"
    path.write_text(json.dumps({"version": LAYOUT_VERSION, "positions": {"paper:x": [1, 2]}}), encoding="utf-8")
    assert Layout.load(path) == Layout({"paper:x": (1, 2)}, {})
    bad = {"version": LAYOUT_VERSION, "positions": {"paper:x": [1, 2]}, "topics": {"entity:a": "red"}}
    path.write_text(json.dumps(bad), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kg.export.layout"):
        assert Layout.load(path) == Layout({"paper:x": (1, 2)}, {})
    assert "finding their colours anew" in caplog.text


def test_export_layout_missing_file_is_no_layout(tmp_path):
    assert Layout.load(tmp_path / "graph.layout.json") is None
    assert layout_path(tmp_path / "graph.json") == tmp_path / "graph.layout.json"


# --- in a store ---------------------------------------------------------------------------------

def _store_layout(store) -> dict[str, tuple[int, int]]:
    return Layout.load(store / LAYOUT_FILE).positions


@pytest.fixture(scope="module")
def papers(tmp_path_factory):
    """The generated papers in two JSON Lines files (texts only: a build extracts them for real)."""
    folder = tmp_path_factory.mktemp("papers")
    extractions = zipf_extractions(60)
    halves = []
    for name, part in (("first", extractions[:45]), ("second", extractions[45:])):
        path = folder / f"{name}.jsonl"
        path.write_text("".join(json.dumps({"id": e.paper.id, "title": e.paper.title, "abstract": e.paper.abstract})
                                + "\n" for e in part), encoding="utf-8")
        halves.append(str(path))
    return halves


def test_export_layout_is_kept_by_a_store_update_and_laid_anew_by_relayout(papers, tmp_path):
    first, second = papers
    options = BuildOptions(jobs=1)
    store = tmp_path / "store"
    build_store([first], store, options)
    assert (store / LAYOUT_FILE).resolve().parent == current_folder(store)  # one version's file, like the others
    before = _store_layout(store)
    build_store([second], store, options)
    after = _store_layout(store)
    assert len(after) > len(before) and all(after[node] == xy for node, xy in before.items())

    build_store([second], store, BuildOptions(jobs=1, relayout=True))  # nothing new: laid out anew all the same
    anew = _store_layout(store)
    assert anew != after
    build_store([first, second], tmp_path / "at-once", options)
    for name in (HTML_FILE, LAYOUT_FILE):
        assert (store / name).read_bytes() == (tmp_path / "at-once" / name).read_bytes()


def test_export_layout_bad_file_in_a_store_is_ignored_and_replaced(papers, tmp_path, caplog):
    first, second = papers
    store = tmp_path / "store"
    build_store([first], store, BuildOptions(jobs=1))
    before = _store_layout(store)
    (current_folder(store) / LAYOUT_FILE).write_text("{", encoding="utf-8")
    build_store([second], store, BuildOptions(jobs=1))  # the state's rows keep the view: the file is not read
    after = _store_layout(store)
    assert all(after[node] == xy for node, xy in before.items())
    store = tmp_path / "anew"
    build_store([first], store, BuildOptions(jobs=1))
    (current_folder(store) / LAYOUT_FILE).write_text("{", encoding="utf-8")
    state_path(store).unlink()  # a view made anew from the whole graph keeps the layout file's positions
    with caplog.at_level(logging.WARNING, logger="kg.export.layout"):
        report = build_store([second], store, BuildOptions(jobs=1))
    assert report.store_papers == 60 and "laying the view out anew" in caplog.text
    build_store([first, second], tmp_path / "at-once", BuildOptions(jobs=1))
    assert (store / LAYOUT_FILE).read_bytes() == (tmp_path / "at-once" / LAYOUT_FILE).read_bytes()


def test_export_layout_is_written_with_its_version_or_not_at_all(papers, tmp_path, monkeypatch):
    first, second = papers
    store = tmp_path / "store"
    build_store([first], store, BuildOptions(jobs=1))
    files = {name: (store / name).read_bytes() for name in (GRAPH_FILE, HTML_FILE, LAYOUT_FILE)}

    opened = kg.row_files.atomic_open

    def fail_on_the_layout(path, *args, **kwargs):  # the page is written, its layout cannot be
        if Path(path).name == LAYOUT_FILE:
            raise OSError(28, "No space left on device")
        return opened(path, *args, **kwargs)

    monkeypatch.setattr(kg.row_files, "atomic_open", fail_on_the_layout)
    with pytest.raises(OSError):
        build_store([second], store, BuildOptions(jobs=1))
    assert {name: (store / name).read_bytes() for name in files} == files
    assert len([p for p in (store / ".kg").iterdir() if p.name.startswith("v-")]) == 1


def test_export_layout_the_page_lists_type_votes_in_the_types_order(update):
    # graph.json keeps an entity's type votes with its keys sorted: a graph read back draws the same page
    _, after, _ = update
    graph = copy.deepcopy(after)
    node = next(n for n, data in graph.graph.nodes(data=True) if "type_votes" in data)
    pages = []
    for votes in ({"Method": 2, "Dataset": 2}, {"Dataset": 2, "Method": 2}):
        graph.graph.nodes[node]["type_votes"] = votes
        pages.append(json.dumps(view_data(graph)))
    assert pages[0] == pages[1] and '"votes": {"Method": 2, "Dataset": 2}' in pages[0]


@pytest.mark.parametrize("command", [["view", "--no-open"], ["export", "html"]], ids=["view", "export-html"])
def test_export_layout_kg_view_draws_the_store_s_layout_unless_relayout(command, papers, tmp_path):
    first, second = papers
    store = tmp_path / "store"
    build_store([first], store, BuildOptions(jobs=1))
    build_store([second], store, BuildOptions(jobs=1))
    pages = {}
    for name, flags in (("kept", []), ("anew", ["--relayout"])):
        done = CliRunner().invoke(main, [*command, "--graph", str(store / GRAPH_FILE), "-o", str(tmp_path / name),
                                         *flags])
        assert done.exit_code == 0, done.output
        pages[name] = (tmp_path / name).read_bytes()
    assert pages["kept"] == (store / HTML_FILE).read_bytes()
    assert pages["anew"] != pages["kept"]
    build_store([first, second], tmp_path / "at-once", BuildOptions(jobs=1))
    assert pages["anew"] == (tmp_path / "at-once" / HTML_FILE).read_bytes()

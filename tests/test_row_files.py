"""A version's graph.json, extractions.jsonl and results index written from the update state's rows, the blocks
no update changed copied from the version before (kg.row_files): always the bytes the rows make whole."""
import os
import random
import shutil
from pathlib import Path

import pytest

import kg.row_files
from kg.build import GRAPH_FILE, BuildOptions, build_store, remove_papers
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.results.index import index_path, save_index
from kg.state import open_state
from kg.store import current_folder, writing

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
OPTIONS = BuildOptions(jobs=1, html=False)
INDEX = index_path(GRAPH_FILE).name


def _whole(store: Path, tmp_path: Path) -> dict[str, bytes]:
    """The three files as the store's rows make them whole; the results index as ``save_index`` writes the index
    the rows hold, beside a copy of the graph file (its stamp names the graph file's size and time)."""
    graph = current_folder(store) / GRAPH_FILE
    beside = tmp_path / "whole" / GRAPH_FILE
    beside.parent.mkdir(exist_ok=True)
    shutil.copy2(graph, beside)
    with writing(store), open_state(store, {}, print) as state:
        save_index(state.graph.results.index(), beside)
        return {GRAPH_FILE: "".join(state.graph.graph_json()).encode(),
                EXTRACTIONS_FILE: "".join(state.graph.extractions_jsonl()).encode(),
                INDEX: index_path(beside).read_bytes()}


def _written(store: Path) -> dict[str, bytes]:
    return {name: (current_folder(store) / name).read_bytes() for name in (GRAPH_FILE, EXTRACTIONS_FILE, INDEX)}


@pytest.fixture
def lines():
    return EXAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)


def test_updates_copy_what_they_did_not_change_and_write_the_bytes_the_rows_make(lines, tmp_path, monkeypatch):
    monkeypatch.setattr(kg.row_files, "BLOCK_ROWS", 3)  # many blocks of a small store: most copied, some written
    copies = []
    copy = kg.row_files._copy
    monkeypatch.setattr(kg.row_files, "_copy", lambda *args: copies.append(args[-1]) or copy(*args))
    store, rng = tmp_path / "S", random.Random(6)
    papers = tmp_path / "papers.jsonl"
    held: set[str] = set()
    for round_ in range(8):
        if held and round_ % 3 == 2:
            gone = rng.sample(sorted(held), rng.randint(1, len(held) - 1))
            remove_papers(store, gone)
            held -= set(gone)
        else:
            chosen = rng.sample(lines, 3)
            papers.write_text("".join(chosen), encoding="utf-8")
            build_store([str(papers)], store, OPTIONS)
            held = {x.paper.id for x in load_extractions(store / EXTRACTIONS_FILE)}
        assert _written(store) == _whole(store, tmp_path), f"round {round_}"
    assert sum(copies) > 0  # the blocks were copied, not all written anew


def test_a_file_replaced_since_is_written_whole_from_the_rows(lines, tmp_path):
    store = tmp_path / "S"
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(lines[:6]), encoding="utf-8")
    build_store([str(papers)], store, OPTIONS)
    graph = current_folder(store) / GRAPH_FILE
    edited = graph.read_bytes().replace(b'"directed":true', b'"directed":true ')  # a hand edit: another size
    graph.write_bytes(edited)
    papers.write_text("".join(lines[6:8]), encoding="utf-8")
    build_store([str(papers)], store, OPTIONS)
    assert _written(store) == _whole(store, tmp_path)


def test_a_state_made_anew_writes_the_files_whole(lines, tmp_path):
    store = tmp_path / "S"
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(lines[:6]), encoding="utf-8")
    build_store([str(papers)], store, OPTIONS)
    for path in (store / ".kg").glob("state.sqlite*"):
        os.unlink(path)
    papers.write_text("".join(lines[6:9]), encoding="utf-8")
    build_store([str(papers)], store, OPTIONS)
    assert _written(store) == _whole(store, tmp_path)


def test_a_copy_falls_back_to_reading_and_writing(tmp_path, monkeypatch):
    source, target = tmp_path / "a", tmp_path / "b"
    source.write_bytes(bytes(range(256)) * 10_000)
    monkeypatch.delattr(os, "copy_file_range")  # not Linux
    with open(source, "rb") as a, open(target, "wb") as b:
        kg.row_files._copy(a.fileno(), b.fileno(), 1000, 2_000_000)
    assert target.read_bytes() == source.read_bytes()[1000:2_001_000]


def test_a_store_copied_elsewhere_keeps_working(lines, tmp_path):
    """The blocks name no path: a store moved (times kept) copies from its own files."""
    store = tmp_path / "S"
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(lines[:6]), encoding="utf-8")
    build_store([str(papers)], store, OPTIONS)
    moved = tmp_path / "moved"
    shutil.copytree(store, moved, symlinks=True)
    papers.write_text("".join(lines[6:8]), encoding="utf-8")
    build_store([str(papers)], moved, OPTIONS)
    assert _written(moved) == _whole(moved, tmp_path)

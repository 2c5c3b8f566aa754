import json
from dataclasses import replace
from pathlib import Path

import pytest
from shared_data import SEEDS

from kg.build import (GRAPH_FILE, HTML_FILE, LAYOUT_FILE, MANIFEST_FILE, STORE_FILES, BuildOptions, _store_fingerprint,
                      build_store, remove_papers)
from kg.export.layout import Layout
from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.graph import KnowledgeGraph
from kg.results.index import index_path
from kg.state import INDEXING, STATE_FILE, open_state, state_path
from kg.store import STORE_DIR, current_folder, current_version
from kg.update import TERM_MODULUS, paper_term

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"
NO_HTML = BuildOptions(html=False, use_cache=False)


def _split_examples(tmp_path: Path) -> tuple[Path, Path]:
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines(keepends=True)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(lines[:6]), encoding="utf-8")
    second.write_text("".join(lines[6:]), encoding="utf-8")
    return first, second


@pytest.fixture(scope="module")
def example_store(tmp_path_factory):
    out = tmp_path_factory.mktemp("store")
    report = build_store([str(EXAMPLES)], out, NO_HTML)
    return out, report


def test_build_examples_have_all_five_types_and_a_claim_per_numeric_abstract(example_store):
    out, report = example_store
    assert report.papers == report.store_papers == 14
    kg = KnowledgeGraph.load(out / GRAPH_FILE)
    counts = kg.node_counts()
    for label in ("Method", "Model", "Dataset", "Task", "Metric", "Claim"):
        assert counts.get(label, 0) > 0, label
    for extraction in load_extractions(out / EXTRACTIONS_FILE):
        assert extraction.claims, f"no claim in {extraction.paper.id}"


def test_build_same_input_twice_gives_the_same_bytes(example_store, tmp_path):
    out, _ = example_store
    build_store([str(EXAMPLES)], tmp_path, NO_HTML)
    assert (tmp_path / GRAPH_FILE).read_bytes() == (out / GRAPH_FILE).read_bytes()
    assert (tmp_path / EXTRACTIONS_FILE).read_bytes() == (out / EXTRACTIONS_FILE).read_bytes()


def test_build_a_then_b_equals_a_and_b(tmp_path):
    first, second = _split_examples(tmp_path)
    build_store([str(first), str(second)], tmp_path / "at-once", NO_HTML)
    build_store([str(first)], tmp_path / "in-turn", NO_HTML)
    report = build_store([str(second)], tmp_path / "in-turn", NO_HTML)
    assert report.extracted == 8
    for name in (GRAPH_FILE, EXTRACTIONS_FILE, MANIFEST_FILE):
        assert (tmp_path / "in-turn" / name).read_bytes() == (tmp_path / "at-once" / name).read_bytes()


def test_build_again_into_a_store_reuses_its_extractions(example_store, tmp_path):
    first, _ = _split_examples(tmp_path)
    build_store([str(first)], tmp_path / "s", NO_HTML)
    report = build_store([str(first)], tmp_path / "s", NO_HTML)
    assert (report.extracted, report.reused) == (0, 6)


def test_build_second_run_on_an_unchanged_store_rewrites_nothing(tmp_path):
    store = tmp_path / "store"
    first = build_store([str(EXAMPLES)], store, NO_HTML)
    before = _written(store)
    again = build_store([str(EXAMPLES)], store, NO_HTML)
    assert again.up_to_date and not first.up_to_date
    assert again.node_counts == first.node_counts and again.relationship_counts == first.relationship_counts
    assert _written(store) == before
    (store / GRAPH_FILE).unlink()
    assert not build_store([str(EXAMPLES)], store, NO_HTML).up_to_date
    assert (store / GRAPH_FILE).exists()


def _written(store: Path) -> tuple[str | None, dict[str, int]]:
    """The store's current version and when each of its files was written (``.kg`` itself changes whenever the
    update state is opened: SQLite makes its log beside it, and removes it on closing)."""
    return current_version(store), {p.name: p.stat().st_mtime_ns for p in store.iterdir() if p.name != STORE_DIR}


def test_build_names_each_stage_after_extraction(tmp_path):
    first, second = _split_examples(tmp_path)
    options = BuildOptions(cache_dir=tmp_path / "cache")
    written = ["indexing the results", "writing the graph", "writing the view"]
    stages = []
    build_store([str(first)], tmp_path / "s", options, stage=stages.append)
    assert stages == ["adding 6 papers", "reading the graph", *written]  # a new view: laid out from the whole graph
    stages.clear()
    build_store([str(second)], tmp_path / "s", replace(options, html=False), stage=stages.append)
    assert stages == ["adding 8 papers", "writing the graph"]  # no view: the results index is not decoded
    stages.clear()
    build_store([str(second)], tmp_path / "s", replace(options, html=False), stage=stages.append)
    assert stages == []  # up to date: nothing to write
    build_store([str(second)], tmp_path / "s", options, stage=stages.append)
    assert stages == written  # the view follows the store's rows: the whole graph is not read


def test_build_outputs_are_readable_by_others(tmp_path):
    build_store([str(EXAMPLES)], tmp_path, NO_HTML)
    assert (tmp_path / GRAPH_FILE).stat().st_mode & 0o044 == 0o044


def test_build_warm_cache_does_no_extraction_and_gives_the_same_bytes(tmp_path):
    options = BuildOptions(html=False, cache_dir=tmp_path / "cache")
    cold = build_store([str(EXAMPLES)], tmp_path / "cold", options)
    warm = build_store([str(EXAMPLES)], tmp_path / "warm", options)
    assert (cold.extracted, cold.cache_hits) == (14, 0)
    assert (warm.extracted, warm.cache_hits) == (0, 14)
    assert (tmp_path / "warm" / GRAPH_FILE).read_bytes() == (tmp_path / "cold" / GRAPH_FILE).read_bytes()


def test_build_with_two_jobs_gives_the_same_bytes_as_one(example_store, tmp_path):
    out, _ = example_store
    build_store([str(EXAMPLES)], tmp_path, BuildOptions(html=False, use_cache=False, jobs=2))
    assert (tmp_path / GRAPH_FILE).read_bytes() == (out / GRAPH_FILE).read_bytes()


def test_build_malformed_line_is_reported_and_the_rest_go_through(tmp_path):
    lines = EXAMPLES.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([lines[0], '{"title": "broken', lines[1]]) + "\n", encoding="utf-8")
    report = build_store([str(bad)], tmp_path / "out", NO_HTML)
    assert report.store_papers == 2
    assert any("bad.jsonl" in str(p) and ":2" in str(p) for p in report.problems)
    leftovers = [p.name for p in (tmp_path / "out").iterdir() if p.name.startswith(".") and p.name != STORE_DIR]
    assert leftovers == []
    assert sorted(p.name for p in (tmp_path / "out" / STORE_DIR).iterdir()) == ["current", "lock", STATE_FILE, "v-0"]
    json.loads((tmp_path / "out" / GRAPH_FILE).read_text())


def test_build_refuses_a_graph_without_its_extractions(tmp_path):
    (tmp_path / GRAPH_FILE).write_text("{}")
    with pytest.raises(ValueError, match="not a kg store"):
        build_store([str(EXAMPLES)], tmp_path, NO_HTML)


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} is absent")
def test_build_seeds_in_two_days_equal_them_at_once_byte_for_byte(tmp_path):
    """Real listings added a day at a time: every file of the store (results index too) is the one building
    them all at once writes, but for the view, which keeps where the first days' nodes were; laid out anew
    (``relayout``), the view is the one-build view too."""
    days = sorted(SEEDS.iterdir())
    first, second = [str(p) for p in days[:2]], [str(p) for p in days[2:]]
    options = BuildOptions(jobs=2)
    build_store(first + second, tmp_path / "at-once", options)
    build_store(first, tmp_path / "in-turn", options)
    kept = Layout.load(tmp_path / "in-turn" / LAYOUT_FILE).positions
    report = build_store(second, tmp_path / "in-turn", options)
    assert report.cache_hits + report.extracted > 100 and report.store_papers > 400
    positions = Layout.load(tmp_path / "in-turn" / LAYOUT_FILE).positions
    assert len(positions) > len(kept) and all(positions[node] == xy for node, xy in kept.items() if node in positions)
    view = (HTML_FILE, LAYOUT_FILE)
    _assert_same_files(tmp_path / "at-once", tmp_path / "in-turn", [n for n in STORE_FILES if n not in view])
    assert (tmp_path / "at-once" / HTML_FILE).read_bytes() != (tmp_path / "in-turn" / HTML_FILE).read_bytes()
    build_store(second, tmp_path / "in-turn", replace(options, relayout=True))
    _assert_same_files(tmp_path / "at-once", tmp_path / "in-turn", STORE_FILES)


def _assert_same_files(a: Path, b: Path, names) -> None:
    for name in names:
        at_once, in_turn = (a / name).read_bytes(), (b / name).read_bytes()
        if name == index_path(GRAPH_FILE).name:  # stamped with its graph file's time
            at_once, in_turn = (json.dumps({**json.loads(x), "stamp": None}) for x in (at_once, in_turn))
        assert at_once == in_turn, name


# --- the update state: what the store holds, planned from and kept in its rows (kg.state) ---



@pytest.fixture(scope="module")
def cached(tmp_path_factory):
    """Build options whose cache holds the examples' extractions."""
    options = BuildOptions(html=False, cache_dir=tmp_path_factory.mktemp("cache"))
    build_store([str(EXAMPLES)], tmp_path_factory.mktemp("warm"), options)
    return options


def _records(store: Path) -> dict[str, dict]:
    return {x.paper.id: x.paper.to_dict() for x in load_extractions(store / EXTRACTIONS_FILE)}


def test_build_plans_from_the_stores_rows_by_id_and_title(cached, tmp_path):
    first, _ = _split_examples(tmp_path)
    store = tmp_path / "s"
    build_store([str(first)], store, cached)
    before = _records(store)
    (current_folder(store) / EXTRACTIONS_FILE).write_text("not an extraction\n")  # planned without it
    records = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    medusa, lora, flash, new = records[0], records[1], records[2], records[7]
    again = tmp_path / "again.jsonl"
    again.write_text("".join(json.dumps(r) + "\n" for r in [
        {**medusa, "id": "x-medusa"},  # the store's paper under another id: its title says so
        {**lora, "abstract": lora["abstract"] + " We also release the code."},  # changed: extracted anew
        flash,  # as the store has it, read from another file
        new]), encoding="utf-8")
    report = build_store([str(again)], store, cached)
    assert (report.papers, report.reused, report.extracted + report.cache_hits) == (4, 2, 2)
    assert report.store_papers == 7
    after = _records(store)
    assert set(after) == set(before) | {new["id"]}
    assert after[lora["id"]]["abstract"].endswith("the code.") and after[flash["id"]] == before[flash["id"]]


def _expected_held(store: Path) -> tuple[int, int]:
    """The number of papers in the store's extractions and the sum of their terms, computed anew."""
    extractions = load_extractions(store / EXTRACTIONS_FILE)
    return len(extractions), sum(paper_term(x) for x in extractions) % TERM_MODULUS


def test_build_fingerprint_kept_by_adds_and_removes_equals_its_full_recomputation(cached, tmp_path):
    first, second = _split_examples(tmp_path)
    store = tmp_path / "s"
    steps = [lambda: build_store([str(first)], store, cached), lambda: build_store([str(second)], store, cached),
             lambda: remove_papers(store, ["2401.10774", "2310.06825", "1706.03762"]),
             lambda: build_store([str(first), str(second)], store, cached)]  # the same papers as two steps before
    fingerprints = []
    for step in steps:
        step()
        stages: list[str] = []
        with open_state(store, {}, stages.append) as state:
            assert stages == []  # the state the step committed
            assert (state.graph.held.count, state.graph.held.total) == _expected_held(store)
            fingerprints.append(json.loads((store / MANIFEST_FILE).read_text())["fingerprint"])
            assert fingerprints[-1] == _store_fingerprint(state.graph.held)
    assert len(set(fingerprints)) == 3 and fingerprints[0] != fingerprints[-1] == fingerprints[1]
    state_path(store).unlink()
    with open_state(store, {}, list) as state:  # made anew from every paper at once
        assert _store_fingerprint(state.graph.held) == fingerprints[-1]


def test_build_keeps_the_update_state_from_build_to_build(cached, tmp_path):
    first, second = _split_examples(tmp_path)
    store = tmp_path / "s"
    for inputs in ([first], [second], [first, second]):
        stages: list[str] = []
        build_store([str(path) for path in inputs], store, cached, stage=stages.append)
        assert INDEXING not in stages
    stages = []
    remove_papers(store, ["2401.10774"], stage=stages.append)
    assert INDEXING not in stages and stages[0] == "removing 1 papers"


def test_build_into_a_store_whose_update_state_is_gone_makes_it_anew(cached, tmp_path):
    first, second = _split_examples(tmp_path)
    build_store([str(first), str(second)], tmp_path / "at-once", cached)
    store = tmp_path / "in-turn"
    build_store([str(first)], store, cached)
    state_path(store).unlink()
    stages: list[str] = []
    report = build_store([str(second)], store, cached, stage=stages.append)
    assert stages[:2] == [INDEXING, "adding 8 papers"] and report.reused == 0 and report.store_papers == 14
    for name in (GRAPH_FILE, EXTRACTIONS_FILE, MANIFEST_FILE):
        assert (store / name).read_bytes() == (tmp_path / "at-once" / name).read_bytes(), name

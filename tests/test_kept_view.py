"""The view kept in a store's rows (kg.export.kept_view): the page a whole graph's view makes, and after updates
the same graph drawn where it was."""
import json
import random
import shutil
from collections import Counter
from pathlib import Path

import pytest
from samples import DATA_BLOCK
from synthetic import zipf_extractions

import kg
import kg.row_files
from kg.build import BuildOptions, build_store, remove_papers
from kg.export.html import ALL_NODES_MAX, make_view, view_data, write_html
from kg.export.layout import Layout
from kg.graph import build_graph
from kg.keyed import Rows
from kg.results.index import build_index
from kg.update import StoredGraph

pytest_plugins = ("conftest_browser",)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers.jsonl"


def _payload(path):
    return json.loads(DATA_BLOCK.search(path.read_text(encoding="utf-8")).group(1))


def _filled(path, extractions):
    """A state of ``extractions`` whose view rows are filled from the whole graph; returns the graph."""
    with Rows(path) as rows:
        stored = StoredGraph(rows)
        stored.update(extractions, [])
        graph = stored.graph()
        stored.view.fill(make_view(graph, results=stored.results.index()))
        rows.commit()
    return graph


def _written(path, out, added=(), removed=()):
    """The rows updated by ``added`` and ``removed`` and the page written from them into ``out``, in one session as a
    build does: the page's blocks that the session's update did not change are copied from the page before."""
    with Rows(path) as rows:
        stored = StoredGraph(rows)
        if added or removed:
            stored.update(added, removed)
        stored.view.write(out / "graph.html", out / "graph.layout.json", stored.results.index(), out)
        rows.commit()


@pytest.mark.parametrize("papers", [60, 1500])  # every entity drawn; the most connected first
def test_kept_view_filled_from_a_graph_writes_its_view_byte_for_byte(tmp_path, papers):
    graph = _filled(tmp_path / "state.sqlite", zipf_extractions(papers))
    assert (graph.graph.number_of_nodes() > ALL_NODES_MAX) == (papers == 1500)
    _written(tmp_path / "state.sqlite", tmp_path)
    expected = write_html(graph, tmp_path / "whole.html", results=build_index(graph, min_papers=1))
    assert (tmp_path / "graph.html").read_bytes() == (tmp_path / "whole.html").read_bytes()
    assert Layout.load(tmp_path / "graph.layout.json") == expected.layout


def _resolved(data):
    """The payload with every slot and place replaced by what it names: comparable across slots, positions and
    topics. A node is named by its key or paper id; a claim by its paper and its fields."""
    names = {}
    for slot, record in enumerate(data["n"]):
        if not record:
            continue
        kind = data["T"][record[0]]
        if kind == "Claim":
            names[slot] = ("claim", data["n"][record[3]][3], *record[4:12],
                           data["s"][record[12]] if record[12] >= 0 else None)
        else:
            names[slot] = (kind if kind == "Paper" else "entity", record[3])
    nodes = Counter()
    for slot, record in enumerate(data["n"]):
        if record:
            rest = names[slot] if data["T"][record[0]] == "Claim" else tuple(json.dumps(v) for v in record[3:])
            nodes[(record[0], rest)] += 1
    edges = Counter()
    for a, b, rel, *evidence in data["e"]:
        cited = [(names[p], data["s"][s]) for p, s in zip(evidence[0][::2], evidence[0][1::2])] if evidence else []
        edges[(names[a], names[b], data["R"][rel], json.dumps(cited))] += 1
    board_rows = [[names[r[0]], *(names[v] if isinstance(v, int) else v for v in r[1:4]), *r[4:]] for r in data["b"]]
    return {
        "nodes": nodes, "edges": edges,
        "o": [names[s] for s in data["o"]],
        "B": [[*board[:6], [board_rows[r] for r in board[6]]] for board in data["B"]],
        "M": data["M"], "m": {names[s]: m for s, m in enumerate(data["m"]) if m != []},
        "s": sorted(s for s in data["s"] if s != 0),
        "flags": (data["v"], data["T"], data["R"], data["top"], data["papers"], data["physics"]),
    }


def _positions(payload):
    return {slot: tuple(r[1:3]) for slot, r in enumerate(payload["n"]) if r}


@pytest.fixture(params=["synthetic", "seeds"])
def papers(request):
    if request.param == "synthetic":
        return zipf_extractions(400, seed=7)
    return request.getfixturevalue("seed_extractions")


def test_kept_view_follows_updates_as_the_view_of_the_graph_held(tmp_path, papers):
    by_id = {x.paper.id: x for x in papers}
    ids = sorted(by_id)
    rng = random.Random(19)
    rng.shuffle(ids)
    held = set(ids[:len(ids) // 2])
    state = tmp_path / "state.sqlite"
    _filled(state, [by_id[pid] for pid in sorted(held)])
    _written(state, tmp_path)
    before = _payload(tmp_path / "graph.html")
    for step in range(4):  # each in a session of its own, as far as the rows can tell
        added = [pid for pid in ids if pid not in held][:rng.randint(1, 60)]
        removed = rng.sample(sorted(held), rng.randint(0, 40))
        _written(state, tmp_path, [by_id[pid] for pid in added], removed)
        held = (held | set(added)) - set(removed)
        after = _payload(tmp_path / "graph.html")
        graph = build_graph([by_id[pid] for pid in sorted(held)])
        fresh = view_data(graph, results=build_index(graph, min_papers=1))
        assert _resolved(after) == _resolved(fresh), step
        # a node that stays stays in its slot and where it was drawn; a new one is drawn somewhere
        old, new = _positions(before), _positions(after)
        kept = [slot for slot in old.keys() & new.keys() if before["n"][slot][3] == after["n"][slot][3]]
        assert kept and all(old[slot] == new[slot] for slot in kept)
        assert all(isinstance(x, int) and isinstance(y, int) for x, y in new.values())
        # topics name slots held; an entity out of every topic takes its papers' topic in the page
        assert all(after["n"][m] for _, members in after["C"] for m in members)
        assert set(after["c"]) <= {-2, -1, *range(len(after["C"]))}
        before = after


def test_kept_view_page_copies_what_updates_left_and_is_the_page_its_rows_make(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.row_files, "BLOCK_ROWS", 3)  # many blocks: most copied, some written
    copies = []
    copy = kg.row_files._copy
    monkeypatch.setattr(kg.row_files, "_copy", lambda *args: copies.append(args[-1]) or copy(*args))
    papers = zipf_extractions(300, seed=3)
    rng = random.Random(5)
    state, whole = tmp_path / "state.sqlite", tmp_path / "whole"
    whole.mkdir()
    held = {x.paper.id for x in papers[:150]}
    _filled(state, papers[:150])
    _written(state, tmp_path)
    last = [x.paper.id for x in papers[280:]]  # their nodes take the last slots: the lists end with them
    ends = [(papers[280:], []), ([], last[::2]), ([], last[1::2])]  # the lists' ends freed, then left behind
    for step in range(7):
        added, removed = ends[step - 4] if step >= 4 else (
            [x for x in papers[150:280] if x.paper.id not in held][:rng.randint(1, 30)],
            rng.sample(sorted(held), rng.randint(0, 30)))
        _written(state, tmp_path, added, removed)
        held = (held | {x.paper.id for x in added}) - set(removed)
        shutil.copy(state, tmp_path / "copy.sqlite")
        with Rows(tmp_path / "copy.sqlite") as rows:  # the same rows, the page made whole (nothing to copy from)
            stored = StoredGraph(rows)
            stored.view.write(whole / "graph.html", whole / "graph.layout.json", stored.results.index(),
                              tmp_path / "none")
        for name in ("graph.html", "graph.layout.json"):
            assert (tmp_path / name).read_bytes() == (whole / name).read_bytes(), (step, name)
    assert sum(copies) > 0


@pytest.mark.browser
def test_kept_view_page_with_free_slots_draws_the_graph_held(browser, tmp_path):
    """A store's page after papers went (their slots free) and others came draws every node the store holds."""
    store = tmp_path / "store"
    papers = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    (tmp_path / "first.jsonl").write_text("".join(json.dumps(p) + "\n" for p in papers[:10]), encoding="utf-8")
    options = BuildOptions(cache_dir=tmp_path / "cache")
    build_store([str(tmp_path / "first.jsonl")], store, options)
    remove_papers(store, [papers[1]["id"], papers[4]["id"]])
    build_store([str(EXAMPLES)], store, options)
    remove_papers(store, [papers[7]["id"]])
    payload = _payload(store / "graph.html")
    assert 0 in payload["n"]  # slots left free
    graph = kg.load(store).to_networkx()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.goto((store / "graph.html").resolve().as_uri())
    page.wait_for_function("() => window.kgView && window.kgView.stabilizedAt !== null")
    ids = page.evaluate("() => kgView.data.nodes.filter(n => n.type !== 'Claim').map(n => n.id)")
    assert errors == []
    assert sorted(ids) == sorted(n for n in graph.nodes if not n.startswith("claim:"))
    assert page.evaluate("() => kgView.data.edges.length") == graph.number_of_edges()
    page.close()


def test_kept_view_entity_back_in_the_view_is_back_in_its_topic(tmp_path):
    papers = zipf_extractions(400, seed=7)
    state = tmp_path / "state.sqlite"
    graph = _filled(state, papers)
    _written(state, tmp_path)
    before = _payload(tmp_path / "graph.html")
    g = graph.graph
    naming = {m: {p for p in g.predecessors(f"entity:{before['n'][m][3]}") if p.startswith("paper:")}
              for _, members in before["C"] for m in members}
    member = min(naming, key=lambda m: (len(naming[m]), m))  # a topic member few papers name
    topic = next(k for k, (_, members) in enumerate(before["C"]) if member in members)
    gone = sorted(p.removeprefix("paper:") for p in naming[member])
    back = [x for x in papers if x.paper.id in gone]
    for added, removed in (([], gone), (back, [])):
        _written(state, tmp_path, added, removed)
    after = _payload(tmp_path / "graph.html")
    entity_kinds = len(after["T"]) - 2
    slot = next(s for s, r in enumerate(after["n"]) if r and r[0] < entity_kinds and r[3] == before["n"][member][3])
    assert slot != member  # a new slot: the old one stays free
    assert after["c"][slot] == topic and slot in after["C"][topic][1]

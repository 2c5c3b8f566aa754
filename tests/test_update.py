"""An updated graph is the graph a build of the papers now held makes (kg.update, kg.resolve.ResolutionState)."""
import json
import random
from dataclasses import asdict, replace

import pytest
from samples import named_paper

from kg.graph import build_graph, claim_id, claim_node
from kg.records import Claim, Extraction, Relation
from kg.resolve import ResolutionState, finish, tally
from kg.keyed import Rows
from kg.results.index import build_index
from kg.update import LiveGraph, StoredGraph


def _claim(subject, value="2.2", unit="x"):
    return Claim(value=value, start=0, end=3, text=f"{subject} is {value}{unit} faster", text_start=0,
                 text_end=20, value_min=float(value), value_max=float(value), unit=unit, metric="speedup",
                 subject=subject)


def _tally_fields(t):
    return {name: {key: dict(value) if hasattr(value, "items") else set(value) for key, value in table.items()}
            for name, table in (("definitions", t.definitions), ("surfaces", t.surfaces), ("votes", t.votes),
                                ("papers", t.papers))} | {"keys": t.keys}


def _resolution_fields(resolution):
    return ({key: asdict(entity) for key, entity in resolution.entities.items()}, resolution.keys,
            resolution.variant_of)


RL_PAPERS = [named_paper(f"p{i}", ("reinforcement learning", "Method", ["RL"])) for i in range(5)] + [
    named_paper("use", ("RL", "Method", []), ("Llama-2-7B", "Model", [])),
    named_paper("odd", ("representation learning", "Method", ["RL"]))]
OTHER_READING = [named_paper(f"q{i}", ("representation learning", "Method", ["RL"])) for i in range(4)]


def test_update_tally_subtract_undoes_merge():
    whole = tally(RL_PAPERS + OTHER_READING)
    assert _tally_fields(whole.subtract(tally(OTHER_READING))) == _tally_fields(tally(RL_PAPERS))
    assert "representationlearning" in whole.votes  # "odd" still names it
    assert _tally_fields(whole.subtract(tally(RL_PAPERS))) == _tally_fields(tally([]))


def test_update_resolution_follows_an_abbreviation_whose_reading_changes():
    state = ResolutionState(tally(RL_PAPERS))
    assert state.resolution.key_of("use", "RL") == "reinforcementlearning"
    change = state.update(tally(OTHER_READING), tally([]))
    # RL now has two readings: it is a key of its own, and the paper that wrote it alone resolves anew.
    assert state.resolution.key_of("use", "RL") == "rl"
    assert change.moved == {"use"}
    assert {"rl", "reinforcementlearning", "representationlearning"} <= change.entities
    assert _resolution_fields(state.resolution) == _resolution_fields(finish(tally(RL_PAPERS + OTHER_READING)))
    change = state.update(tally([]), tally(OTHER_READING))
    assert state.resolution.key_of("use", "RL") == "reinforcementlearning" and change.moved == {"use"}
    assert _resolution_fields(state.resolution) == _resolution_fields(finish(tally(RL_PAPERS)))


def test_update_resolution_keeps_the_users_aliases():
    aliases = {"RL": "Reinforcement Learning", "LLaMA-2": "Llama 2"}
    state = ResolutionState(tally(RL_PAPERS[:3]), aliases)
    state.update(tally(RL_PAPERS[3:] + OTHER_READING), tally(RL_PAPERS[:1]))
    assert _resolution_fields(state.resolution) == _resolution_fields(
        finish(tally(RL_PAPERS[1:] + OTHER_READING), aliases))
    assert state.resolution.key_of("use", "RL") == "reinforcementlearning"  # whatever the corpus says


def _held(papers):
    by_id = {p.paper.id: p for p in papers}
    return by_id, by_id.__getitem__


def test_update_graph_follows_families_and_names_found_elsewhere():
    speed = named_paper("speed", ("Medusa", "Method", []), claims=[_claim("GPT-4")],
                        relations=[Relation("Medusa", "OUTPERFORMS", "GPT-4", "Medusa beats GPT-4.", 0, 18)])
    gpt = named_paper("gpt", ("GPT-4", "Model", []), ("Llama-2-7B", "Model", []))
    chat = named_paper("chat", ("Llama-2-7B-chat", "Model", []), ("Llama 2", "Model", []))
    by_id, extraction_of = _held([speed, gpt, chat])
    live = LiveGraph([speed], extraction_of)
    assert not any(key == "ABOUT" for _, _, key in live.graph.graph.edges(keys=True))
    steps = [([gpt], []), ([chat], []), ([], [gpt]), ([gpt], [chat]), ([chat], [speed, gpt])]
    held = {"speed"}
    for added, removed in steps:
        change = live.update(added, removed)
        held = (held | {p.paper.id for p in added}) - {p.paper.id for p in removed}
        assert live.graph.to_data() == build_graph([by_id[pid] for pid in held]).to_data(), (added, removed)
        assert change.nodes or change.edges
        about = live.graph.graph.has_edge(claim_node(claim_id("speed", speed.claims[0])), "entity:gpt4", "ABOUT")
        assert about == ({"speed", "gpt"} <= held)  # the claim finds GPT-4 where another paper names it


def test_update_graph_adds_a_family_its_last_paper_no_longer_names():
    family = named_paper("family", ("GLM 4", "Model", []))
    variant = named_paper("variant", ("GLM-4-9B", "Model", []), ("GLM", "Model", []))
    by_id, extraction_of = _held([family, variant])
    live = LiveGraph([family, variant], extraction_of)
    assert live.graph.graph.nodes["entity:glm4"]["paper_count"] == 1
    for added, removed, held in (([], [family], ["variant"]), ([family], [], ["family", "variant"]),
                                 ([], [variant], ["family"])):
        live.update(added, removed)
        assert live.graph.to_data() == build_graph([by_id[pid] for pid in held]).to_data(), held
        if held == ["variant"]:  # only its variant names GLM 4 now: a family of no paper
            assert live.graph.graph.nodes["entity:glm4"]["paper_count"] == 0


@pytest.mark.parametrize("start, steps", [
    # the family "Llama 2" of no paper loses its last variant as a paper names it a Task
    (["variant"], [(["task"], ["variant"])]),
    # a variant no paper mentions (an alias only) loses its family when papers name it a Dataset
    (["alias"], [(["dataset1", "dataset2"], [])]),
])
def test_update_graph_drops_the_link_of_a_variant_that_goes(start, steps):
    papers = [named_paper("variant", ("Llama-2-7B", "Model", [])),
              named_paper("task", ("Llama 2", "Task", []), ("Llama", "Model", [])),
              named_paper("alias", ("Llama 2", "Model", ["Llama-2-7B"])),
              named_paper("dataset1", ("Llama-2-7B", "Dataset", [])),
              named_paper("dataset2", ("Llama-2-7B", "Dataset", []))]
    by_id, extraction_of = _held(papers)
    live = LiveGraph([by_id[pid] for pid in start], extraction_of)
    held = set(start)
    for added, removed in steps:
        before = _rows(live.graph)
        change = live.update([by_id[pid] for pid in added], [by_id[pid] for pid in removed])
        held = (held | set(added)) - set(removed)
        after = _rows(live.graph)
        assert after == _rows(build_graph([by_id[pid] for pid in held]))
        assert {e for e in before["edges"].keys() | after["edges"].keys()
                if before["edges"].get(e) != after["edges"].get(e)} <= change.edges


def test_update_a_paper_removed_and_added_again_in_one_update():
    old = named_paper("p", ("Medusa", "Method", ["MDS"]), ("Llama-2-7B", "Model", []))
    new = named_paper("p", ("Medusa-2", "Method", []), ("GPT-4", "Model", []))
    other = named_paper("q", ("MDS", "Method", []))
    live = LiveGraph([old, other], {"p": old, "q": other}.__getitem__)
    live.update([new], [old])
    assert live.graph.to_data() == build_graph([new, other]).to_data()
    with pytest.raises(ValueError, match="already holds"):
        live.update([other], [])


@pytest.mark.parametrize("seed", [1, 2])
def test_update_graph_of_the_seeds_equals_their_build(seed_extractions, seed):
    by_id, extraction_of = _held(seed_extractions)
    ids = sorted(by_id)
    rng = random.Random(seed)
    rng.shuffle(ids)
    held = set(ids[:200])
    live = LiveGraph([by_id[pid] for pid in held], extraction_of)
    for _ in range(6):
        added = [pid for pid in ids if pid not in held][:rng.randint(1, 60)]
        removed = rng.sample(sorted(held), rng.randint(0, 40))
        before = _rows(live.graph)
        change = live.update([by_id[pid] for pid in added], [by_id[pid] for pid in removed])
        held = (held | set(added)) - set(removed)
        after = _rows(live.graph)
        assert after == _rows(build_graph([by_id[pid] for pid in held]))
        # the change names every node and relationship that differs, and only those
        for kind, named in (("nodes", change.nodes), ("edges", change.edges)):
            differ = {row for row in before[kind].keys() | after[kind].keys()
                      if before[kind].get(row) != after[kind].get(row)}
            assert differ <= named and len(named - differ) <= len(named) // 2, kind


def _rows(kg):
    data = json.loads(json.dumps(kg.to_data()))
    return {"nodes": {node.pop("node"): node for node in data["nodes"]},
            "edges": {(edge["source"], edge["target"], edge["key"]): edge for edge in data["edges"]}}


def test_update_graph_kept_in_rows_equals_the_build_after_each_update(seed_extractions, tmp_path):
    by_id = {x.paper.id: x for x in seed_extractions}
    ids = sorted(by_id)
    rng = random.Random(3)
    rng.shuffle(ids)
    held: set[str] = set()
    for step in range(5):  # each update in a process of its own, as far as the rows can tell
        added = [pid for pid in ids if pid not in held][:rng.randint(1, 150 if step == 0 else 50)]
        removed = rng.sample(sorted(held), min(len(held), rng.randint(0, 30)))
        with Rows(tmp_path / "state.sqlite") as rows:
            stored = StoredGraph(rows)
            stored.update([by_id[pid] for pid in added], removed)
            rows.commit()
        held = (held | set(added)) - set(removed)
        expected = build_graph([by_id[pid] for pid in held])
        with Rows(tmp_path / "state.sqlite") as rows:
            stored = StoredGraph(rows)
            assert _rows(stored.graph()) == _rows(expected), step
            assert stored.results.index() == build_index(expected, min_papers=1), step
            assert set(rows.map("extractions")) == held
            expected.save(tmp_path / "graph.json")
            assert "".join(stored.graph_json()).encode() == (tmp_path / "graph.json").read_bytes()


def test_update_rows_keep_the_users_aliases_and_hold_no_empty_value(tmp_path):
    by_id, _ = _held(RL_PAPERS + OTHER_READING)
    with Rows(tmp_path / "state.sqlite") as rows:
        StoredGraph(rows).update(RL_PAPERS, [])
        lookups = rows.map("scratch")
        lookups["a"] = {"p"}
        lookups["a"].discard("p")
        assert "a" not in lookups and lookups.get("a") is None and list(lookups) == []
        rows.commit()
    with Rows(tmp_path / "state.sqlite") as rows:
        with pytest.raises(ValueError, match="other aliases"):
            StoredGraph(rows, {"RL": "reinforcement learning"})
        stored = StoredGraph(rows, {})
        stored.update(OTHER_READING, ["p0"])
        rows.commit()
        held = [by_id[pid] for pid in sorted(by_id) if pid != "p0"]
        assert stored.graph().to_data() == build_graph(held).to_data()


def _tables(path):
    with Rows(path) as rows:
        names = [name for (name,) in rows.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: rows.db.execute(f"SELECT * FROM {name} ORDER BY 1, 2").fetchall() for name in names}


def test_update_an_empty_state_filled_whole_holds_the_rows_updates_write(seed_extractions, tmp_path):
    by_id = {x.paper.id: x for x in seed_extractions}
    ids = sorted(by_id)
    random.Random(5).shuffle(ids)
    with Rows(tmp_path / "whole.sqlite") as rows:  # one update of an empty state: filled in bulk, as a build
        StoredGraph(rows).update([by_id[pid] for pid in ids], [])
        rows.commit()
    with Rows(tmp_path / "whole.sqlite") as rows:
        assert _rows(StoredGraph(rows).graph()) == _rows(build_graph(seed_extractions))
        assert StoredGraph(rows).results.index() == build_index(build_graph(seed_extractions), min_papers=1)
    with Rows(tmp_path / "steps.sqlite") as rows:  # filled with one paper, then updated by the others
        stored = StoredGraph(rows)
        for start, end in ((0, 1), (1, 200), (200, len(ids))):
            stored.update([by_id[pid] for pid in ids[start:end]], [])
            rows.commit()
    assert _tables(tmp_path / "whole.sqlite") == _tables(tmp_path / "steps.sqlite")
    with Rows(tmp_path / "whole.sqlite") as rows:  # and updates go on from the rows made whole
        stored = StoredGraph(rows)
        stored.update([], ids[:40])
        assert _rows(stored.graph()) == _rows(build_graph([by_id[pid] for pid in ids[40:]]))


@pytest.mark.parametrize("held", [[], RL_PAPERS[:2]])
def test_update_refuses_a_paper_added_twice_in_one_update(tmp_path, held):
    with Rows(tmp_path / "state.sqlite") as rows:
        stored = StoredGraph(rows)
        if held:
            stored.update(held, [])
        with pytest.raises(ValueError, match="added twice in one update: use"):
            stored.update([RL_PAPERS[5], RL_PAPERS[6], RL_PAPERS[5]], [])


def _dated(extraction, date):
    return replace(extraction, paper=replace(extraction.paper, date=date))


def test_update_results_follow_a_retyped_entity_and_a_paper_redated(tmp_path):
    """The results index kept in the rows: a claim whose paper names an entity that becomes a Task (its paper's
    tasks change, though neither the claim's nor the paper's relationships do), and the timelines of a paper's
    entities when the paper comes again with another date, or none."""
    claimed = _dated(named_paper("p", ("X", "Method", []), ("Medusa", "Method", []), claims=[_claim("Medusa")]),
                     "2024-01")
    tasks = [_dated(named_paper(f"q{i}", ("X", "Task", []), ("Y", "Method", [])), "2024-02") for i in range(3)]
    steps = [([claimed], []), (tasks, []), ([_dated(claimed, "2024-03")], ["p"]), ([], ["q0", "q1"]),
             ([_dated(claimed, None)], ["p"]), ([_dated(claimed, "2024-05")], ["p"])]  # undated, then dated again
    held: dict[str, Extraction] = {}
    with Rows(tmp_path / "state.sqlite") as rows:
        stored = StoredGraph(rows)
        for added, removed in steps:
            stored.update(added, removed)
            held = {pid: x for pid, x in held.items() if pid not in removed} | {x.paper.id: x for x in added}
            assert stored.results.index() == build_index(build_graph(list(held.values())), min_papers=1)

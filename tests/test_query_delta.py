"""kg.query.delta: the rows a change of the store writes into the embedded database, and those it deletes."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from samples import hostile_extraction, medusa_extraction, sample_graph

from kg.errors import StoreError
from kg.export.rows import graph_rows
from kg.graph import build_graph
from kg.query.delta import DIGESTS_VERSION, RowDigests, delta


def _keys(rows) -> set[tuple]:
    return ({(g.key_label, r.key) for g in rows.nodes for r in g.rows}
            | {(g.type, r.start, r.end) for g in rows.relationships for r in g.rows})


def _change(old, new):
    rows = graph_rows(new)
    return delta(RowDigests.of(graph_rows(old)), rows, RowDigests.of(rows))


def test_same_graph_changes_nothing():
    change = _change(sample_graph(), sample_graph())
    assert change.count == 0 and not change.write.nodes and not change.delete.relationships


def test_a_paper_gone_deletes_its_rows_and_rewrites_what_it_shared():
    before = sample_graph()
    after = build_graph([medusa_extraction(), *(hostile_extraction(i) for i in range(1, 4))])
    change = _change(before, after)
    gone = _keys(graph_rows(before)) - _keys(graph_rows(after))
    assert _keys(change.delete) == gone
    assert ("Paper", "hostile-0") in gone
    assert not _keys(change.write) & gone
    assert all(key in _keys(graph_rows(after)) for key in _keys(change.write))


def test_a_retyped_entity_is_written_not_deleted():
    medusa = medusa_extraction()
    retyped = replace(medusa, entities=tuple(replace(e, type="Task") if e.name == "MT-Bench" else e
                                             for e in medusa.entities))
    change = _change(build_graph([medusa]), build_graph([retyped]))
    assert [(g.label, [r.key for r in g.rows]) for g in change.write.nodes] == [("Task", ["mtbench"])]
    assert change.count == 1


def test_digests_round_trip_and_unreadable_ones_are_none(tmp_path):
    digests = RowDigests.of(graph_rows(sample_graph()))
    path = tmp_path / "rows.json"
    digests.write(path)
    assert RowDigests.read(path) == digests
    path.write_text(json.dumps({"version": DIGESTS_VERSION + 1, "nodes": {}, "relationships": {}}))
    assert RowDigests.read(path) is None
    path.write_text("{not json")
    assert RowDigests.read(path) is None
    assert RowDigests.read(tmp_path / "missing.json") is None


@pytest.mark.parametrize("field, bad", [("nodes", {"Paper) DETACH DELETE (n": {"k": "d"}}),
                                        ("relationships", {json.dumps(["USES]->() DELETE x//", "Paper", "Entity"]):
                                                           {json.dumps(["a", "b"]): "d"}})])
def test_labels_and_types_from_the_file_are_checked_against_the_schema(field, bad):
    held = RowDigests(**{"nodes": {}, "relationships": {}, field: bad})
    rows = graph_rows(sample_graph())
    with pytest.raises(StoreError, match="not in the schema"):
        delta(held, rows, RowDigests.of(rows))

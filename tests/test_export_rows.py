"""kg.export.rows: the typed rows every exporter shares."""
from __future__ import annotations

import json

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kg.export.rows import EVIDENCE, evidence_key, graph_rows, storable
from kg.graph import KnowledgeGraph
from samples import HOSTILE_STRINGS, sample_graph

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**62, 2**62) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


def _neo4j_storable(value) -> bool:
    primitive = (str, int, float, bool)
    if isinstance(value, primitive):
        return True
    return isinstance(value, list) and len({type(v) for v in value}) <= 1 and all(
        isinstance(v, primitive) for v in value)


def _spans(kg) -> set[tuple]:
    """The distinct evidence spans the graph's edges hold."""
    return {(e["paper"], e["start"], e["end"], e["text"]) for *_, data in kg.graph.edges(data=True)
            for e in data["evidence"]}


def test_rows_count_every_node_and_relationship_of_the_graph():
    kg = sample_graph()
    rows = graph_rows(kg)
    assert rows.node_counts() == {**kg.node_counts(), EVIDENCE: len(_spans(kg))}
    assert rows.relationship_counts() == kg.relationship_counts()


def test_rows_entities_carry_the_entity_label_and_are_keyed_within_it():
    rows = graph_rows(sample_graph())
    by_label = {g.label: g for g in rows.nodes}
    assert by_label["Model"].labels == ("Entity", "Model")
    assert (by_label["Model"].key_label, by_label["Model"].key) == ("Entity", "key")
    assert (by_label["Paper"].labels, by_label["Paper"].key) == (("Paper",), "id")
    assert (by_label["Claim"].labels, by_label["Claim"].key) == (("Claim",), "id")
    groups = {(g.type, g.start_label, g.end_label) for g in rows.relationships}
    assert ("PROPOSES", "Paper", "Entity") in groups
    assert ("REPORTS", "Paper", "Claim") in groups
    assert ("USES", "Entity", "Entity") in groups and ("USES", "Paper", "Entity") in groups


def test_rows_values_are_storable_with_dicts_as_json_and_evidence_as_node_keys():
    kg = sample_graph()
    rows = graph_rows(kg)
    medusa = next(r for g in rows.nodes if g.label == "Method" for r in g.rows if r.key == "medusa")
    node = kg.graph.nodes["entity:medusa"]
    assert json.loads(medusa.properties["alias_counts"]) == node["alias_counts"] and node["alias_counts"]
    assert medusa.merged["aliases"] == node["aliases"]
    uses = next(g for g in rows.relationships if (g.type, g.start_label) == ("USES", "Entity"))
    evidence = {r.key: r.properties for g in rows.nodes if g.label == EVIDENCE for r in g.rows}
    [sentence] = [evidence[key] for key in uses.rows[0].merged["evidence"]]
    assert sentence["paper_id"] == "2401.10774" and sentence["text"].startswith("We present Medusa")
    text = kg.graph.nodes["paper:2401.10774"]
    assert (text["title"] + "\n\n" + text["abstract"])[sentence["start"]:sentence["end"]] == sentence["text"]
    for group in (*rows.nodes, *rows.relationships):
        for row in group.rows:
            for value in (*row.properties.values(), *row.merged.values()):
                assert value is not None and _neo4j_storable(value)


def test_rows_a_span_stating_several_relationships_is_one_evidence_node():
    kg = sample_graph()
    rows = graph_rows(kg)
    [group] = [g for g in rows.nodes if g.label == EVIDENCE]
    assert (group.labels, group.key) == ((EVIDENCE,), "id") and not any(r.merged for r in group.rows)
    keys = {r.key for r in group.rows}
    assert len(keys) == len(group.rows) == len(_spans(kg))
    stating: dict[str, set] = {}
    for rel_group in rows.relationships:
        for row in rel_group.rows:
            assert set(row.merged["evidence"]) <= keys, rel_group.name
            for key in row.merged["evidence"]:
                stating.setdefault(key, set()).add(rel_group.type)
    clause = next(r.key for r in group.rows if r.properties["text"].startswith("Medusa-1 achieves"))
    assert stating[clause] == {"REPORTS", "ABOUT", "MEASURES", "VIA", "AGAINST", "OUTPERFORMS"}


def test_rows_evidence_keys_are_stable_and_differ_by_span():
    span = {"paper": "p1", "start": 0, "end": 9, "text": "uses BERT"}
    assert evidence_key(span) == evidence_key(dict(span)) == evidence_key(json.loads(json.dumps(span)))
    for field, other in (("paper", "p2"), ("start", 1), ("end", 8), ("text", "uses BERT!")):
        assert evidence_key({**span, field: other}) != evidence_key(span), field


def test_rows_reject_evidence_that_is_not_a_span():
    g = nx.MultiDiGraph()
    g.add_node("paper:p", label="Paper", id="p")
    g.add_node("entity:e", label="Model", key="e")
    g.add_edge("paper:p", "entity:e", key="USES", type="USES", papers=["p"], evidence=["uses e"])
    with pytest.raises(ValueError, match=r"'paper:p'-\[USES\]->'entity:e' has evidence that is not a span"):
        graph_rows(KnowledgeGraph(g))


def test_rows_paper_lists_are_replaced_but_entity_and_relationship_lists_merged():
    rows = graph_rows(sample_graph())
    paper = next(r for g in rows.nodes if g.label == "Paper" for r in g.rows if r.key == "2401.10774")
    assert paper.properties["authors"] == ["Ada Lovelace", "Alan Turing"] and not paper.merged
    assert "date" in paper.properties and "url" not in paper.properties  # None dropped
    for group in rows.relationships:
        for row in group.rows:
            assert set(row.merged) >= {"papers", "evidence"}


def test_rows_hostile_strings_are_kept_as_data():
    titles = {r.properties["title"] for g in graph_rows(sample_graph()).nodes if g.label == "Paper" for r in g.rows}
    for i, hostile in enumerate(HOSTILE_STRINGS):
        assert f"{hostile}: a title {i}" in titles


@given(json_values)
def test_rows_storable_gives_what_neo4j_can_store(value):
    stored = storable(value)
    assert stored is None if value is None else _neo4j_storable(stored)


@pytest.mark.parametrize("label", ["Entity", "Evidence", "Person", "Paper`) DETACH DELETE n //"])
def test_rows_reject_labels_outside_the_schema(label):
    g = nx.MultiDiGraph()
    g.add_node("x", label=label, key="x", id="x")
    with pytest.raises(ValueError, match="label"):
        graph_rows(KnowledgeGraph(g))


def test_rows_reject_relationship_types_and_ends_outside_the_schema():
    g = nx.MultiDiGraph()
    g.add_node("paper:p", label="Paper", id="p")
    g.add_node("entity:e", label="Model", key="e")
    g.add_edge("paper:p", "entity:e", key="KNOWS", type="KNOWS", papers=["p"])
    with pytest.raises(ValueError, match="relationship type"):
        graph_rows(KnowledgeGraph(g))
    g.remove_edge("paper:p", "entity:e", key="KNOWS")
    g.add_edge("entity:e", "paper:p", key="PROPOSES", type="PROPOSES", papers=["p"])
    with pytest.raises(ValueError, match="cannot start at a Entity"):
        graph_rows(KnowledgeGraph(g))


def test_rows_reject_two_nodes_with_one_key():
    g = nx.MultiDiGraph()
    g.add_node("entity:a", label="Model", key="llama")
    g.add_node("entity:b", label="Method", key="other")
    graph_rows(KnowledgeGraph(g))
    g.nodes["entity:b"]["key"] = "llama"  # an entity's key is unique across its types
    with pytest.raises(ValueError, match="'entity:(a|b)' \\((Model|Method)\\) has the key 'llama' of another Entity"):
        graph_rows(KnowledgeGraph(g))


def test_rows_reject_property_names_that_are_not_identifiers():
    g = nx.MultiDiGraph()
    g.add_node("paper:p", label="Paper", id="p", **{"x}) DETACH DELETE n //": 1})
    with pytest.raises(ValueError, match="not a plain identifier"):
        graph_rows(KnowledgeGraph(g))


@pytest.mark.parametrize("module", ["rows", "cypher", "neo4j", "csv", "graphml"])
def test_export_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"kg.export.{module}"))
    assert result.failed == 0 and result.attempted > 0

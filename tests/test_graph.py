import json

import pytest

from kg.files import JSON_BATCH
from kg.graph import LABEL_WORDS, KnowledgeGraph, build_graph, claim_node, entity_node, paper_label, paper_node
from samples import hostile_extraction, medusa_extraction, sample_graph


def test_graph_medusa_claim_links_subject_via_metric_and_baseline():
    kg = build_graph([medusa_extraction()])
    claims = list(kg.claims())
    assert len(claims) == 1
    node, data = claims[0]
    assert data["value"] == "2.2" and data["unit"] == "x"
    targets = {k: v for _, v, k in kg.graph.out_edges(node, keys=True)}
    assert targets["ABOUT"] == entity_node("medusa1")
    assert kg.graph.has_edge(entity_node("medusa1"), entity_node("medusa"), key="VARIANT_OF")
    assert targets["VIA"] == entity_node("decodinghead")
    assert targets["MEASURES"] == entity_node("speedup")
    assert targets["AGAINST"] == entity_node("speculativedecoding")
    assert kg.graph.has_edge(paper_node("2401.10774"), node, key="REPORTS")


def test_graph_roles_become_paper_edges():
    kg = build_graph([medusa_extraction()])
    paper = paper_node("2401.10774")
    assert kg.graph.has_edge(paper, entity_node("medusa"), key="PROPOSES")
    assert kg.graph.has_edge(paper, entity_node("speculativedecoding"), key="COMPARES_WITH")
    assert kg.graph.has_edge(paper, entity_node("mtbench"), key="USES")


def test_graph_relations_carry_papers_and_evidence():
    extraction = medusa_extraction()
    kg = build_graph([extraction])
    data = kg.graph.edges[entity_node("medusa"), entity_node("decodinghead"), "USES"]
    assert data["papers"] == ["2401.10774"]
    for evidence in data["evidence"]:
        assert extraction.paper.text[evidence["start"]:evidence["end"]] == evidence["text"]


def test_graph_save_writes_the_bytes_of_one_json_dumps(tmp_path):
    kg = sample_graph()
    paper = next(node for node, _ in kg.papers())
    for i in range(2 * JSON_BATCH + 7):  # more nodes and edges than one batch holds
        kg.graph.add_node(entity_node(f"x{i}"), label="Method", key=f"x{i}", name=f"naïve “{i}”", aliases=[])
        kg.graph.add_edge(paper, entity_node(f"x{i}"), key="USES", type="USES", papers=[], evidence=[])
    kg.save(tmp_path / "g.json")
    expected = json.dumps(kg.to_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    assert (tmp_path / "g.json").read_text(encoding="utf-8") == expected


def test_graph_save_load_round_trip(tmp_path):
    kg = sample_graph()
    kg.save(tmp_path / "g.json")
    again = KnowledgeGraph.load(tmp_path / "g.json")
    assert again.to_data() == kg.to_data()
    assert again.node_counts() == kg.node_counts()


def test_graph_is_a_function_of_the_set_of_extractions(tmp_path):
    extractions = [medusa_extraction(), *(hostile_extraction(i) for i in range(4))]
    build_graph(extractions).save(tmp_path / "a.json")
    build_graph(list(reversed(extractions)) + extractions[:2]).save(tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_graph_load_rejects_a_file_that_is_not_a_graph(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"nodes": []}')
    with pytest.raises(ValueError, match="not a kg graph"):
        KnowledgeGraph.load(path)
    path.write_text('{"nodes": [')
    with pytest.raises(ValueError, match="x.json:1"):
        KnowledgeGraph.load(path)


def test_graph_entity_properties():
    kg = build_graph([medusa_extraction()])
    medusa = kg.graph.nodes[entity_node("medusa")]
    assert medusa["label"] == "Method"
    assert medusa["paper_count"] == 1
    assert medusa["aliases"] == ["Medusa"]
    vicuna = kg.graph.nodes[entity_node("vicuna7b")]
    assert (vicuna["family"], vicuna["size"]) == ("vicuna", "7B")
    assert json.dumps(medusa)  # every property serialises
    assert claim_node("x") == "claim:x"


WORDS = [f"w{i}" for i in range(LABEL_WORDS + 1)]


@pytest.mark.parametrize(("paper", "label"), [
    ({"id": "p", "title": "A Title", "abstract": "Some words."}, "A Title"),
    ({"id": "p", "title": "", "abstract": "Few  words\nhere."}, "Few words here."),
    ({"id": "p", "title": "", "abstract": " ".join(WORDS)}, " ".join(WORDS[:-1]) + "\u2026"),
    ({"id": "p", "title": "", "abstract": " ".join(WORDS[:-1])}, " ".join(WORDS[:-1])),
    ({"id": "p-7", "title": "", "abstract": "  "}, "p-7"),
])
def test_graph_paper_label_is_the_title_else_the_first_words(paper, label):
    assert paper_label(paper) == label


def test_graph_a_store_written_before_on_was_renamed_loads_with_measured_on(synthetic_graph, tmp_path):
    from kg.export.rows import graph_rows

    kg = synthetic_graph(5)
    current = kg.to_data()
    measured = [e for e in current["edges"] if e["key"] == "MEASURED_ON"]
    assert len(measured) == 5  # each synthetic claim names its dataset
    old = json.loads(json.dumps(current))
    for edge in old["edges"]:
        if edge["key"] == "MEASURED_ON":
            edge["key"] = edge["type"] = "ON"
    path = tmp_path / "graph.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    loaded = KnowledgeGraph.load(path)
    assert loaded.to_data() == current
    assert "ON" not in loaded.relationship_counts()
    assert graph_rows(loaded).relationship_counts()["MEASURED_ON"] == 5

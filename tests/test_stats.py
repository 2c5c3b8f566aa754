"""kg.stats: counts per label and type, entities by paper count, a claim about each of the most used entities first."""
import json

import networkx as nx
import pytest

from kg.graph import KnowledgeGraph, build_graph
from kg.records import Claim, Entity, Extraction, Paper, Span
from kg.stats import format_stats, graph_stats


def _paper(pid: str, entities: list[tuple[str, str]], claims: list[tuple] = ()) -> Extraction:
    """A paper that uses ``entities`` ((name, type)) and states ``claims`` ((subject, value, unit, metric))."""
    sentences = [f"We use {name}." for name, _ in entities]
    sentences += [f"{subject or 'It'} reaches {value}{unit or ''} on {metric or 'the test'}."
                  for subject, value, unit, metric in claims]
    paper = Paper(id=pid, title=f"Paper {pid}", abstract=" ".join(sentences))
    text = paper.text
    found = []
    for name, entity_type in entities:
        start = text.index(f"use {name}.") + 4
        found.append(Entity(name, entity_type, "used", (Span(start, start + len(name), name),)))
    stated = []
    for (subject, value, unit, metric), sentence in zip(claims, sentences[len(entities):]):
        begin = text.index(sentence)
        start = text.index(f" {value}", begin) + 1
        stated.append(Claim(value=value, start=start, end=start + len(value), text=sentence, text_start=begin,
                            text_end=begin + len(sentence), unit=unit, metric=metric, subject=subject))
    return Extraction(paper=paper, entities=tuple(found), claims=tuple(stated))


# Zeta and accuracy are named by 4 papers, Beta by 2, Gamma by 1; p3's claim has no subject. The claim about
# Gamma measures accuracy: only its subject (ABOUT) ranks it.
ACCURACY = ("accuracy", "Metric")
PAPERS = [
    _paper("p1", [("Zeta", "Method"), ("Beta", "Method"), ("Gamma", "Dataset"), ACCURACY],
           [("Gamma", "1", "%", "accuracy")]),
    _paper("p2", [("Zeta", "Method"), ("Beta", "Method"), ACCURACY],
           [("Zeta", "2", None, "BLEU"), ("Zeta", "5", "x", None)]),
    _paper("p3", [("Zeta", "Method"), ACCURACY], [(None, "3", "x", None)]),
    _paper("a0", [("Zeta", "Method"), ACCURACY], [("Zeta", "7", "%", "F1")]),
]


@pytest.fixture(scope="module")
def kg():
    return build_graph(PAPERS)


def test_stats_counts_every_node_per_label_and_edge_per_type(kg):
    stats = graph_stats(kg)
    assert stats["nodes"] == {"Claim": 5, "Dataset": 1, "Method": 2, "Metric": 1, "Paper": 4}
    g = kg.graph
    assert sum(stats["relationships"].values()) == g.number_of_edges()
    assert stats["relationships"]["USES"] == 11 and stats["relationships"]["REPORTS"] == 5
    assert stats["relationships"]["ABOUT"] == 4  # p3's claim names no subject
    assert stats["relationships"]["MEASURES"] == 1


def test_stats_top_entities_most_papers_first(kg):
    assert graph_stats(kg)["top_entities"] == [
        {"key": "accuracy", "name": "accuracy", "type": "Metric", "paper_count": 4},
        {"key": "zeta", "name": "Zeta", "type": "Method", "paper_count": 4},
        {"key": "beta", "name": "Beta", "type": "Method", "paper_count": 2},
        {"key": "gamma", "name": "Gamma", "type": "Dataset", "paper_count": 1},
    ]


def test_stats_top_claims_one_per_subject_most_used_first_then_the_rest_by_paper_and_place(kg):
    rows = graph_stats(kg)["top_claims"]
    assert [(r["paper"], r["subject"], r["value"]) for r in rows] == [
        ("a0", "Zeta", "7"),  # Zeta: 4 papers
        ("p1", "Gamma", "1"),  # Gamma: 1 paper
        ("p3", None, "3"),  # about nothing known
        ("p2", "Zeta", "2"), ("p2", "Zeta", "5"),  # Zeta's other claims
    ]
    assert rows[0] == {"paper": "a0", "subject": "Zeta", "value": "7", "unit": "%", "metric": "F1",
                       "text": "Zeta reaches 7% on F1."}


def test_stats_top_claims_name_their_metric_before_those_that_do_not():
    papers = [_paper("a1", [("Zeta", "Method")], [("Zeta", "3", "x", None)]),
              _paper("b2", [("Zeta", "Method")], [("Zeta", "9", "%", "accuracy")])]
    rows = graph_stats(build_graph(papers))["top_claims"]
    assert [(r["paper"], r["value"]) for r in rows] == [("b2", "9"), ("a1", "3")]


@pytest.mark.parametrize("top", [0, 1, 2, 4, 50])
def test_stats_top_cuts_both_lists(kg, top):
    stats = graph_stats(kg, top=top)
    full = graph_stats(kg, top=100)
    assert stats["top_entities"] == full["top_entities"][:top]
    assert stats["top_claims"] == full["top_claims"][:top]
    assert stats["nodes"] == full["nodes"]


def test_stats_ties_in_paper_count_go_by_key(synthetic_graph):
    kg = synthetic_graph(60)
    rows = graph_stats(kg, top=1000)["top_entities"]
    assert len(rows) == sum(1 for _ in kg.entities())
    order = [(-r["paper_count"], r["key"]) for r in rows]
    assert order == sorted(order) and len(set(order)) == len(order)
    counts = {d["key"]: d["paper_count"] for _, d in kg.entities()}
    assert all(counts[r["key"]] == r["paper_count"] for r in rows)


def test_stats_of_an_empty_graph_are_empty():
    stats = graph_stats(KnowledgeGraph(nx.MultiDiGraph()))
    assert stats == {"nodes": {}, "relationships": {}, "top_entities": [], "top_claims": []}
    assert format_stats(stats) == "nodes\nrelationships\ntop entities (papers)\ntop claims"


def test_stats_are_plain_json(kg):
    stats = graph_stats(kg)
    assert json.loads(json.dumps(stats)) == stats


def test_stats_format_lists_counts_entities_and_claims():
    stats = {
        "nodes": {"Claim": 7, "Paper": 12345},
        "relationships": {"USES": 1000000},
        "top_entities": [{"key": "zeta", "name": "Zeta", "type": "Method", "paper_count": 42}],
        "top_claims": [
            {"paper": "p1", "subject": "Zeta", "value": "2.5", "unit": "x", "metric": "speedup", "text": "t"},
            {"paper": "p2", "subject": None, "value": "3", "unit": None, "metric": "BLEU", "text": "t"},
            {"paper": "p3", "subject": "Beta", "value": "70", "unit": "%", "metric": None, "text": "t"},
        ],
    }
    assert format_stats(stats).splitlines() == [
        "nodes",
        "  Claim                 7",
        "  Paper            12,345",
        "relationships",
        "  USES           1,000,000",
        "top entities (papers)",
        "     42  Zeta  [Method]",
        "top claims",
        "  Zeta -> 2.5 x speedup   (p1)",
        "  ? -> 3 BLEU   (p2)",
        "  Beta -> 70 %   (p3)",
    ]


def test_stats_format_of_a_built_graph_names_its_entities_and_claims(kg):
    text = format_stats(graph_stats(kg))
    assert "      4  Zeta  [Method]" in text.splitlines()
    assert "  Zeta -> 7 % F1   (a0)" in text.splitlines()
    assert "  ? -> 3 x   (p3)" in text.splitlines()

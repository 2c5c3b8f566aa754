"""Topics (kg/export/communities.py): Louvain communities of co-occurring entities, named by their leaders."""
from __future__ import annotations

import doctest
import itertools
import os
import subprocess
import sys

import networkx as nx
import pytest

import kg.export.communities
from kg.export.communities import Community, co_occurrence, communities
from kg.graph import build_graph
from kg.records import Entity, Extraction, Paper, Span

# Two cliques joined by one edge (tokenizer - wav2vec); inside each, a few heavier pairs make the
# members' weighted degrees differ: transformer 10, attention 8, BERT 6, the others 4 (5 at the bridge).
LANGUAGE = ["transformer", "attention", "BERT", "GLUE", "tokenizer"]
SPEECH = ["Whisper", "LibriSpeech", "WER", "CTC", "wav2vec"]
HEAVIER = {("transformer", "attention"): 5, ("transformer", "BERT"): 3,
           ("Whisper", "LibriSpeech"): 5, ("Whisper", "WER"): 3}


def two_cliques(order=None) -> nx.Graph:
    edges = [(a, b, HEAVIER.get((a, b), 1))
             for clique in (LANGUAGE, SPEECH) for a, b in itertools.combinations(clique, 2)]
    edges.append(("tokenizer", "wav2vec", 1))
    g = nx.Graph()
    nodes = LANGUAGE + SPEECH
    for node in (order or nodes):
        g.add_node(node, name=node.upper() if node == "CTC" else node)
    g.add_weighted_edges_from(edges if order is None else sorted(edges, key=lambda e: order.index(e[0])))
    return g


def test_communities_split_two_cliques_joined_by_one_edge():
    found = communities(two_cliques())
    assert len(found) == 2 and {frozenset(c.members) for c in found} == {frozenset(LANGUAGE), frozenset(SPEECH)}


def test_communities_are_named_by_their_highest_degree_members():
    speech, language = communities(two_cliques())  # as big as each other: by first leader, "Whisper" < "transformer"
    assert language == Community(("transformer", "attention", "BERT", "tokenizer", "GLUE"),
                                 "transformer \u00b7 attention \u00b7 BERT")
    assert speech.name == "Whisper \u00b7 LibriSpeech \u00b7 WER"
    assert speech.members[3:] == ("wav2vec", "CTC")  # ties: the bridge's extra edge, then the node


def test_communities_names_skip_a_plural_of_an_earlier_leader():
    g = nx.Graph()
    g.add_weighted_edges_from([("a", "b", 3), ("a", "c", 2), ("b", "c", 1), ("a", "d", 1)])
    nx.set_node_attributes(g, {"a": "Transformer", "b": "Transformers", "c": "BERT", "d": "GLUE"}, "name")
    assert [c.name for c in communities(g)] == ["Transformer \u00b7 BERT \u00b7 GLUE"]


def test_communities_do_not_depend_on_insertion_order():
    shuffled = ["WER", "GLUE", "wav2vec", "transformer", "CTC", "BERT", "Whisper", "tokenizer", "attention",
                "LibriSpeech"]
    assert communities(two_cliques(shuffled)) == communities(two_cliques())


def test_communities_do_not_depend_on_the_hash_seed():
    script = ("import sys; sys.path.insert(0, sys.argv[1]); from test_communities import two_cliques; "
              "from kg.export.communities import communities; print(communities(two_cliques()))")
    outputs = {
        subprocess.run([sys.executable, "-c", script, os.path.dirname(__file__)], capture_output=True, text=True,
                       timeout=60, env={**os.environ, "PYTHONHASHSEED": seed}, check=True).stdout
        for seed in ("0", "1", "2")
    }
    assert outputs == {repr(communities(two_cliques())) + "\n"}


def test_communities_split_one_holding_over_a_quarter_by_its_own_subgraph():
    """Two loosely joined cliques of 60 beside a clique of 200: in the whole graph Louvain merges the 60s
    (modularity's resolution limit); they hold over a quarter of it, and their own subgraph splits them.
    The clique of 200 holds more still, but nothing inside it splits."""
    small_a, small_b = [f"a{i:02d}" for i in range(60)], [f"b{i:02d}" for i in range(60)]
    big = [f"c{i:03d}" for i in range(200)]
    g = nx.Graph()
    for clique in (small_a, small_b, big):
        g.add_weighted_edges_from((u, v, 1.0) for u, v in itertools.combinations(clique, 2))
    g.add_weighted_edges_from((u, v, 0.1) for u in small_a for v in small_b)
    g.add_edge("a00", "c000", weight=1.0)
    assert [len(c.members) for c in communities(g, largest=1.0)] == [200, 120]
    assert [set(c.members) for c in communities(g)] == [set(big), set(small_a), set(small_b)]


def test_communities_of_an_empty_graph():
    assert communities(nx.Graph()) == []


def _paper(pid: str, names: list[str]) -> Extraction:
    paper = Paper(id=pid, title=f"Paper {pid}", abstract=" ".join(f"We use {n}." for n in names))
    text = paper.text
    return Extraction(paper=paper, entities=tuple(
        Entity(n, "Method", "used", (Span(text.index(n), text.index(n) + len(n), n),)) for n in names))


def test_co_occurrence_weighs_pairs_by_the_papers_that_name_both():
    kg = build_graph([_paper("p1", ["LoRA", "GLUE"]), _paper("p2", ["LoRA", "GLUE", "BERT"]), _paper("p3", ["Mamba"])])
    g = co_occurrence(kg)
    assert sorted(g.nodes(data="name")) == [("entity:bert", "BERT"), ("entity:glue", "GLUE"),
                                            ("entity:lora", "LoRA"), ("entity:mamba", "Mamba")]
    assert sorted(g.edges(data="weight")) == [("entity:bert", "entity:glue", 1), ("entity:bert", "entity:lora", 1),
                                              ("entity:glue", "entity:lora", 2)]
    assert sorted(co_occurrence(kg, ["entity:lora", "entity:bert"]).edges(data="weight")) == [
        ("entity:bert", "entity:lora", 1)]


@pytest.mark.parametrize("module", [kg.export.communities])
def test_communities_docstring_examples_run(module):
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0

"""kg.export.graphml: GraphML that networkx reads back into the same graph."""
from __future__ import annotations

import json

import networkx as nx
from samples import HOSTILE_STRINGS, sample_graph

from kg.export.graphml import graphml_graph, write_graphml
from kg.graph import KnowledgeGraph


def _decoded(value):
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def test_graphml_round_trips_through_read_graphml(tmp_path, synthetic_graph):
    for kg in (sample_graph(), synthetic_graph(30)):
        path = tmp_path / "graph.graphml"
        write_graphml(kg, path)
        back = nx.read_graphml(path, force_multigraph=True)
        assert set(back.nodes) == set(kg.graph.nodes)
        assert set(back.edges(keys=True)) == set(kg.graph.edges(keys=True))
        for node, data in kg.graph.nodes(data=True):
            assert {k: _decoded(v) for k, v in back.nodes[node].items()} == {
                k: v for k, v in data.items() if v is not None}
        for u, v, key, data in kg.graph.edges(keys=True, data=True):
            assert {k: _decoded(x) for k, x in back.edges[u, v, key].items()} == data


def test_graphml_keeps_hostile_strings(tmp_path):
    path = tmp_path / "graph.graphml"
    write_graphml(sample_graph(), path)
    titles = {d.get("title") for _, d in nx.read_graphml(path).nodes(data=True)}
    for i, hostile in enumerate(HOSTILE_STRINGS):
        assert f"{hostile}: a title {i}" in titles


def test_graphml_gives_each_attribute_one_type_and_only_xml_characters(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("claim:a", label="Claim", id="a", value_min=2)
    g.add_node("claim:b", label="Claim", id="b", value_min=2.5, text="bell\x07 and nul\x00")
    flat = graphml_graph(KnowledgeGraph(g))
    assert flat.nodes["claim:a"]["value_min"] == 2.0 and isinstance(flat.nodes["claim:a"]["value_min"], float)
    assert flat.nodes["claim:b"]["text"] == "bell\ufffd and nul\ufffd"
    write_graphml(KnowledgeGraph(g), tmp_path / "g.graphml")
    assert nx.read_graphml(tmp_path / "g.graphml").nodes["claim:b"]["value_min"] == 2.5

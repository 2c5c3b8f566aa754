"""kg.results.index: the results index beside a graph file, made once and again when the graph changes."""
from __future__ import annotations

from kg.graph import KnowledgeGraph, build_graph
from kg.results.index import index_path, load_index


def test_index_is_made_once_and_again_when_the_graph_changes(tmp_path, board_graph):
    graph_file = tmp_path / "graph.json"
    board_graph.save(graph_file)
    builds = []

    def loader(path):
        builds.append(path)
        return KnowledgeGraph.load(path)

    first = load_index(graph_file, loader)
    again = load_index(graph_file, loader)
    assert len(builds) == 1 and index_path(graph_file).is_file()
    assert again.rows == first.rows
    build_graph([]).save(graph_file)
    assert load_index(graph_file, loader).rows == [] and len(builds) == 2


def test_index_a_store_where_the_index_cannot_be_written_still_answers(tmp_path, board_graph):
    graph_file = tmp_path / "graph.json"
    board_graph.save(graph_file)
    index_path(graph_file).mkdir()  # in the index's way: writing it fails (as root too, unlike chmod)
    index = load_index(graph_file, KnowledgeGraph.load)
    assert len(index.rows) == 7 and index_path(graph_file).is_dir()

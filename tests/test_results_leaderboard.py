"""kg.results.leaderboard: result rows from a graph, ranked by the metric's direction, and the menu of boards.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from samples import doubtful_board, result_extraction

from kg.graph import build_graph
from kg.results.leaderboard import Query, by_metric, leaderboard, menu, result_rows, units
from kg.results.report import shown_value


def test_leaderboard_a_score_board_is_best_first_by_the_metric_direction(board_graph):
    rows = result_rows(board_graph)
    accuracy = leaderboard(rows, Query(metric="accuracy", dataset="fenbench", kind="score"))
    assert [(r.subject, r.value) for r in accuracy] == [("Marlo", "88.0"), ("Quillon", "81.5")]
    wer = leaderboard(rows, Query(metric="WER", dataset="Vosk-clean", kind="score"))
    assert [r.subject for r in wer] == ["Marlo", "Quillon"]  # lower is better


def test_leaderboard_units_are_kept_apart_and_the_others_are_reported(board_graph):
    rows = result_rows(board_graph)
    query = Query(metric="accuracy", dataset="Fenbench", kind="score")
    assert units(rows, query) == Counter({"%": 2, "": 1})
    fractions = leaderboard(rows, Query(metric="accuracy", dataset="Fenbench", kind="score", unit="none"))
    assert [r.subject for r in fractions] == ["Tessar"]


def test_leaderboard_filters_by_task_and_date(board_graph):
    rows = result_rows(board_graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="accuracy", task="tabular parsing"))] == ["Quillon"]
    assert [r.subject for r in leaderboard(rows, Query(metric="WER", since="2025-04"))] == ["Marlo"]


def test_leaderboard_the_menu_lists_the_biggest_boards_first(board_graph):
    items = menu(result_rows(board_graph))
    assert (items[0].metric, items[0].dataset, items[0].kind, items[0].claims) == ("accuracy", "Fenbench", "score", 3)
    assert ("speedup", None, "gain", 2) in [(i.metric, i.dataset, i.kind, i.claims) for i in items]


def test_leaderboard_rows_by_metric_are_what_a_query_of_that_metric_reads(board_graph):
    rows = result_rows(board_graph)
    of_metric = by_metric(rows)
    assert of_metric(None) == rows  # a query naming no metric reads every row
    assert {r.claim for r in of_metric("wer")} == {r.claim for r in rows if "WER" in (r.metric, r.canonical_metric)}
    for item in menu(rows):
        query = Query(metric=item.metric, dataset=item.dataset, kind=item.kind)
        candidates = of_metric(item.metric)
        assert candidates == [r for r in rows if item.metric.casefold() in {(r.metric or "").casefold(),
                                                                             (r.canonical_metric or "").casefold()}]
        assert leaderboard(candidates, query) == leaderboard(rows, query)
        assert units(candidates, query) == units(rows, query)


def test_leaderboard_gains_that_made_things_worse_rank_after_improvements():
    graph = build_graph([
        result_extraction("a", "2025-01-01", "Quillon", "Quillon raises WER by 9% on phone audio.", "9", unit="%",
                          metric="WER"),
        result_extraction("b", "2025-01-01", "Marlo", "Marlo cuts WER by 4% on phone audio.", "4", unit="%",
                          metric="WER")])
    ranked = leaderboard(result_rows(graph), Query(metric="WER", kind="gain"))
    assert [r.value for r in ranked] == ["4", "9"]


@pytest.mark.parametrize("sentence, number", [
    ("Quillon lifts accuracy on Fenbench from 61.2% to 79.9% over the base model.", "61.2"),
    ("Quillon reaches 79.9% accuracy on Fenbench vs. 61.2% for the base model.", "61.2"),
    ("Quillon reaches 79.9% accuracy on Fenbench, compared to 61.2% without tuning.", "61.2"),
    ("Quillon sets a new best on Fenbench: 61.2->79.9 accuracy.", "61.2"),
    ("Quillon sets a new best on Fenbench ($61.2 \\rightarrow 79.9$ accuracy).", "61.2"),
])
def test_leaderboard_the_number_a_result_is_set_against_stays_off_the_board(sentence, number):
    graph = build_graph([
        result_extraction("a", "2025-01-01", "Quillon", sentence, number, unit="%", metric="accuracy", dataset="Fenbench"),
        result_extraction("b", "2025-01-02", "Quillon", sentence, "79.9", unit="%", metric="accuracy", dataset="Fenbench")])
    rows = result_rows(graph)
    assert {r.value: r.reference for r in rows} == {number: True, "79.9": False}
    assert [r.value for r in leaderboard(rows, Query(metric="accuracy", dataset="Fenbench"))] == ["79.9"]


def test_leaderboard_a_benchmark_is_not_the_subject_of_a_result():
    graph = build_graph([result_extraction("a", "2025-01-01", "Fenbench", "On Fenbench, leading models exceed 94% accuracy.",
                                     "94", unit="%", metric="accuracy", dataset="Fenbench")])
    assert leaderboard(result_rows(graph), Query(metric="accuracy", dataset="Fenbench")) == []


def test_leaderboard_a_drop_is_a_negative_change_below_every_rise():
    graph = build_graph([
        result_extraction("a", "2025-01-01", "Quillon", "Accuracy of Quillon on Fenbench drops by 3% after pruning.",
                          "3", unit="%", metric="accuracy", dataset="Fenbench"),
        result_extraction("b", "2025-01-01", "Marlo", "Marlo raises accuracy by 1% on Fenbench.", "1", unit="%",
                          metric="accuracy", dataset="Fenbench")])
    ranked = leaderboard(result_rows(graph), Query(metric="accuracy", dataset="Fenbench", kind="gain"))
    assert [(r.subject, shown_value(r)) for r in ranked] == [("Marlo", "1"), ("Quillon", "-3")]


def test_leaderboard_a_range_ranks_by_the_least_it_claims():
    graph = build_graph([
        result_extraction("a", "2025-01-01", "Quillon", "Quillon runs 100~1000x faster than the solver.", "100~1000",
                          unit="x", metric="faster"),
        result_extraction("b", "2025-01-01", "Marlo", "Marlo runs 200x faster than the solver.", "200", unit="x",
                          metric="faster")])
    rows = result_rows(graph)
    rows = [r if r.subject == "Marlo" else dataclasses.replace(r, value_max=1000.0) for r in rows]
    ranked = leaderboard(rows, Query(metric="speedup"))
    assert [(r.subject, shown_value(r)) for r in ranked] == [("Marlo", "200x"), ("Quillon", "100-1000x")]


def test_leaderboard_an_extended_benchmark_is_not_its_base():
    graph = build_graph([
        result_extraction("a", "2025-01-01", "Quillon", "Quillon scores 88.1% on CodeFen.", "88.1", unit="%",
                          metric="pass@1", dataset="CodeFen"),
        result_extraction("b", "2025-01-01", "Marlo", "Marlo scores 90.2% on CodeFen+.", "90.2", unit="%",
                          metric="pass@1", dataset="CodeFen+")])
    rows = result_rows(graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="pass@1", dataset="CodeFen"))] == ["Quillon"]
    assert [r.subject for r in leaderboard(rows, Query(metric="pass@1", dataset="CodeFen+"))] == ["Marlo"]
    assert {(i.dataset, i.claims) for i in menu(rows)} == {("CodeFen", 1), ("CodeFen+", 1)}
    datasets = {d["name"] for _, d in graph.graph.nodes(data=True) if d.get("label") == "Dataset"}
    assert datasets == {"CodeFen", "CodeFen+"}  # two benchmarks in the graph itself, not only on the board


def test_leaderboard_doubtful_rows_stay_off_a_board_unless_all_are_asked_for():
    graph = doubtful_board()
    rows = result_rows(graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="accuracy", dataset="Fenbench"))] == ["Marlo"]
    everything = leaderboard(rows, Query(metric="accuracy", dataset="Fenbench", doubtful=True))
    assert [(r.subject, r.doubt) for r in everything] == [("Quillon", "special setting (attack)"), ("Marlo", None)]


def test_leaderboard_a_subject_neither_in_the_sentence_nor_proposed_is_doubtful():
    graph = build_graph([result_extraction("a", "2025-01-01", "Quillon", "The kernels it wrote run 48x faster.", "48",
                                           unit="x", metric="faster")])
    assert [r.doubt for r in result_rows(graph)] == [None]  # Quillon is what paper "a" proposes
    paper_a = next(n for n, d in graph.graph.nodes(data=True) if d.get("label") == "Paper")
    graph.graph.remove_edges_from([(u, v, k) for u, v, k in graph.graph.out_edges(paper_a, keys=True)
                                   if k == "PROPOSES"])
    assert [r.doubt for r in result_rows(graph)] == ["subject not in its sentence"]

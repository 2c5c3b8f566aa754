"""kg.results.report: how a result is shown.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

from samples import claim_in, dated_paper, doubtful_board

from kg.graph import build_graph
from kg.records import Extraction
from kg.results.leaderboard import result_rows
from kg.results.report import shown_value


def test_report_a_spelled_value_is_shown_as_its_number():
    graph = build_graph([Extraction(dated_paper("a", "2025-01-01", "x"), (), (
        claim_in("Quillon offers ten-fold throughput.", "ten", unit="x", metric="throughput", value_min=10.0),))])
    assert shown_value(result_rows(graph)[0]) == "10x"


def test_report_kg_results_leaves_doubtful_claims_out_and_all_shows_them_marked(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    doubtful_board().save(tmp_path / "graph.json")
    board = ["results", "--graph", str(tmp_path / "graph.json"), "--metric", "accuracy", "--dataset", "Fenbench"]
    shown = CliRunner().invoke(main, board)
    assert shown.exit_code == 0 and "Marlo" in shown.output and "Quillon" not in shown.output
    everything = CliRunner().invoke(main, [*board, "--all"])
    assert everything.exit_code == 0
    assert "Quillon" in everything.output and "[doubt: special setting (attack)]" in everything.output

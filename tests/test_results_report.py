"""kg.results.report: how a result is shown.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

from samples import claim_in, dated_paper

from kg.graph import build_graph
from kg.records import Extraction
from kg.results.leaderboard import result_rows
from kg.results.report import shown_value


def test_report_a_spelled_value_is_shown_as_its_number():
    graph = build_graph([Extraction(dated_paper("a", "2025-01-01", "x"), (), (
        claim_in("Quillon offers ten-fold throughput.", "ten", unit="x", metric="throughput", value_min=10.0),))])
    assert shown_value(result_rows(graph)[0]) == "10x"

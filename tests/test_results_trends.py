"""kg.results.trends: entity timelines, growth shrunk for small counts, rising and falling entities.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

import pytest
from samples import dated_paper

from kg.graph import build_graph
from kg.records import Entity, Extraction, Span
from kg.results.trends import entity_timelines, growth, trends


def test_trends_growth_is_shrunk_for_small_counts():
    # two recent papers of an unseen name rise less than a name that went from 10 to 60 papers
    assert 0 < growth(2, 0, 1000, 3000) < growth(60, 10, 1000, 3000)
    assert growth(25, 75, 1000, 3000) == pytest.approx(0.0)
    assert growth(0, 40, 1000, 3000) < 0


def test_trends_find_the_rising_and_the_falling_entity():
    extractions = []
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    for m, month in enumerate(months):
        for n in range(10):
            names = ["Steady"] + (["Riser"] if m == 3 else []) + (["Faller"] if m == 0 else [])
            text = " and ".join(names) + " are used."
            paper = dated_paper(f"{month}-{n}", f"{month}-15", text)
            entities = tuple(Entity(name, "Method", "used", (Span(paper.abstract_offset + text.index(name),
                                                                  paper.abstract_offset + text.index(name) + len(name),
                                                                  name),)) for name in names)
            extractions.append(Extraction(paper, entities))
    timelines, per_month = entity_timelines(build_graph(extractions))
    report = trends(timelines, per_month, top=5)
    assert report.periods == tuple(months) and report.recent_from == "2025-04"
    assert [t.name for t in report.top][0] == "Steady"
    assert report.rising[0].name == "Riser" and report.falling[0].name == "Faller"
    assert "Steady" not in [t.name for t in report.rising + report.falling]
    assert trends(timelines, per_month, by="quarter").periods == ("2025-Q1", "2025-Q2")

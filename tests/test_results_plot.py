"""kg.results.plot: the SVG pictures of a board and of trends."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from kg.results.leaderboard import Query, leaderboard, result_rows
from kg.results.plot import results_svg, trends_svg
from kg.results.trends import entity_timelines, trends


def test_plot_svg_pictures_parse_and_escape_paper_text(board_graph):
    rows = leaderboard(result_rows(board_graph), Query(metric="speedup"))
    hostile = [r.__class__(**{**r.__dict__, "subject": "<script>alert(1)</script>"}) for r in rows]
    svg = results_svg(hostile, "speedup <b>")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 2
    timelines, per_month = entity_timelines(board_graph, min_papers=1)
    lines = ET.fromstring(trends_svg(trends(timelines, per_month))).findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(lines) >= 2

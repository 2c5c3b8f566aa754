"""Trends: papers per entity over time, and the entities rising and falling fastest.

Counts come from the papers' dates (``YYYY-MM...``; undated papers are left
out). The growth of an entity compares its share of the papers in the recent
window (the latest periods that together hold ``RECENT_SHARE`` of the papers,
at least one period, never all) with its share before it. Each count gets ``PRIOR_PAPERS`` pseudo-papers, spread over the
two windows as all papers are, so an entity named by two papers cannot look
like a revolution; the growth is the base-2 log of the ratio of the shares
(1.0: its share doubled). Only entities with at least ``min_papers`` dated papers rank.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable

from kg.schema import load_schema

if TYPE_CHECKING:
    from kg.graph import KnowledgeGraph

PERIODS = ("month", "quarter")
RECENT_SHARE = 0.25
PRIOR_PAPERS = 5.0
MIN_PAPERS = 5


@dataclass(frozen=True)
class EntityTimeline:
    key: str
    name: str
    type: str
    months: dict[str, int]  # YYYY-MM -> papers


def month_of(date: str | None) -> str | None:
    if not date or len(date) < 7 or not date[:4].isdigit() or not date[5:7].isdigit():
        return None
    return date[:7]


def period_of(month: str, by: str) -> str:
    if by == "quarter":
        return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"
    return month


def entity_timelines(kg: KnowledgeGraph, min_papers: int = 2) -> tuple[list[EntityTimeline], dict[str, int]]:
    """Each entity's papers per month (entities with at least ``min_papers`` dated papers), and all
    papers per month."""
    g = kg.graph
    papers_per_month = Counter(m for _, data in kg.papers() if (m := month_of(data.get("date"))))
    made = (entity_timeline(g, node, data) for node, data in kg.entities())
    timelines = [t for t in made if sum(t.months.values()) >= min_papers]
    timelines.sort(key=lambda t: t.key)
    return timelines, dict(sorted(papers_per_month.items()))


def entity_timeline(g: Any, node: str, data: dict[str, Any]) -> EntityTimeline:
    """The papers per month of the entity ``node`` (its record ``data``) of the graph ``g``."""
    roles = role_edges()
    papers = {p for p, _, rel in g.in_edges(node, keys=True) if rel in roles}
    return timeline_of(data, (month_of(g.nodes[p].get("date")) for p in papers))


def timeline_of(data: dict[str, Any], months: Iterable[str | None]) -> EntityTimeline:
    """The timeline of an entity (its record ``data``) whose papers (each once) are of ``months`` (None: undated)."""
    counts = Counter(m for m in months if m)
    return EntityTimeline(data["key"], data["name"], data["label"], dict(sorted(counts.items())))


@lru_cache(maxsize=1)
def role_edges() -> frozenset[str]:
    """The relationships by which a paper names an entity."""
    return frozenset(load_schema().role_relationships.values())


@dataclass(frozen=True)
class Trend:
    key: str
    name: str
    type: str
    papers: int
    counts: dict[str, int]  # period -> papers
    growth: float
    recent: int  # papers in the recent window
    earlier: int

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "type": self.type, "papers": self.papers,
                "growth": round(self.growth, 4), "recent": self.recent, "earlier": self.earlier,
                "counts": self.counts}


@dataclass(frozen=True)
class TrendReport:
    by: str
    periods: tuple[str, ...]
    totals: dict[str, int]  # period -> all papers
    recent_from: str | None  # first period of the recent window
    top: list[Trend] = field(default_factory=list)  # most papers
    rising: list[Trend] = field(default_factory=list)
    falling: list[Trend] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "periods": list(self.periods), "totals": self.totals,
                "recent_from": self.recent_from, "top": [t.to_dict() for t in self.top],
                "rising": [t.to_dict() for t in self.rising], "falling": [t.to_dict() for t in self.falling]}


def growth(recent: int, earlier: int, recent_total: int, earlier_total: int) -> float:
    """log2 of the entity's share of recent papers over its share of earlier ones, each count given
    PRIOR_PAPERS pseudo-papers spread as all papers are (so a new name with two papers barely rises)."""
    total = recent_total + earlier_total
    if recent_total == 0 or earlier_total == 0:
        return 0.0
    smoothed_recent = recent + PRIOR_PAPERS * recent_total / total
    smoothed_earlier = earlier + PRIOR_PAPERS * earlier_total / total
    return math.log2((smoothed_recent / recent_total) / (smoothed_earlier / earlier_total))


def _recent_window(periods: list[str], totals: Counter) -> set[str]:
    """The latest periods that together hold at least RECENT_SHARE of the papers, leaving one before."""
    wanted, held, window = RECENT_SHARE * sum(totals.values()), 0, set()
    for period in reversed(periods[1:]):
        window.add(period)
        held += totals[period]
        if held >= wanted:
            break
    return window


def trends(timelines: Iterable[EntityTimeline], papers_per_month: dict[str, int], *, by: str = "month",
           entity_type: str | None = None, top: int = 20, min_papers: int = MIN_PAPERS,
           since: str | None = None) -> TrendReport:
    """The ``top`` entities by papers, with their counts per period, and the ``top`` rising and falling."""
    months = {m: n for m, n in papers_per_month.items() if not since or m >= since[:7]}
    periods = sorted({period_of(m, by) for m in months})
    totals = Counter()
    for m, n in months.items():
        totals[period_of(m, by)] += n
    recent_periods = _recent_window(periods, totals)
    recent_count = len(recent_periods)
    recent_total = sum(n for p, n in totals.items() if p in recent_periods)
    earlier_total = sum(totals.values()) - recent_total
    rows = []
    for t in timelines:
        if entity_type and t.type != entity_type:
            continue
        counts = Counter()
        for m, n in t.months.items():
            if m in months:
                counts[period_of(m, by)] += n
        papers = sum(counts.values())
        if papers == 0:
            continue
        recent = sum(n for p, n in counts.items() if p in recent_periods)
        rows.append(Trend(t.key, t.name, t.type, papers, dict(sorted(counts.items())),
                          growth(recent, papers - recent, recent_total, earlier_total) if recent_count else 0.0,
                          recent, papers - recent))
    by_papers = sorted(rows, key=lambda r: (-r.papers, r.key))
    ranked = [r for r in rows if r.papers >= min_papers] if recent_count else []
    rising = sorted((r for r in ranked if r.growth > 0), key=lambda r: (-r.growth, -r.papers, r.key))
    falling = sorted((r for r in ranked if r.growth < 0), key=lambda r: (r.growth, -r.papers, r.key))
    first_recent = min(recent_periods) if recent_periods else None
    return TrendReport(by, tuple(periods), dict(sorted(totals.items())), first_recent,
                       by_papers[:top], rising[:top], falling[:top])

"""Leaderboards, menus and trends as text tables, CSV and JSON-ready data."""
from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Sequence

from kg.results.leaderboard import MenuItem, ResultRow, signed_change
from kg.results.trends import Trend, TrendReport

BOARD_FIELDS = ("rank", "subject", "value", "unit", "metric", "canonical_metric", "better", "kind", "change",
                "dataset", "baseline", "qualifier", "doubt", "paper", "title", "date", "sentence", "claim")
SENTENCE_WIDTH = 90
NAME_WIDTH = 28
PERIODS_SHOWN = 8  # the latest periods a trends table prints


def _cut(text: str | None, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[:width - 1] + "\u2026"


def _around(text: str, at: int, width: int) -> str:
    """``width`` characters of ``text`` centred on position ``at``, cut ends marked."""
    if len(text) <= width:
        return text
    start = min(max(0, at - width // 2), len(text) - width)
    return ("\u2026" if start else "") + text[start:start + width] + ("\u2026" if start + width < len(text) else "")


def shown_value(row: ResultRow) -> str:
    """The value as a number, spelled-out words read ("ten-fold" is 10), a range as low-high, a change that made
    things worse with a minus ("accuracy drops by 3%": -3)."""
    if row.value_min is None:
        return row.value
    low, high = row.value_min, row.value_max if row.value_max is not None else row.value_min
    number = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    worse = row.kind == "gain" and (signed_change(row) or 0) < 0
    return ("-" if worse else "") + number + ("x" if row.unit == "x" else "")


def board_records(rows: Sequence[ResultRow]) -> list[dict]:
    return [dict(zip(BOARD_FIELDS, (i, r.subject, shown_value(r), r.unit, r.metric, r.canonical_metric, r.better,
                                    r.kind, r.change, r.dataset, r.baseline, r.qualifier, r.doubt, r.paper, r.title,
                                    r.date, r.sentence, r.claim)))
            for i, r in enumerate(rows, 1)]


def format_board(rows: Sequence[ResultRow], title: str, other_units: Counter) -> str:
    lines = [title, ""]
    if not rows:
        lines.append("no claims match")
    for i, r in enumerate(rows, 1):
        value = shown_value(r) + ("" if r.unit in (None, "x") else f" {r.unit}")
        qualifier = f"{r.qualifier} " if r.qualifier else ""
        against = f"  vs {r.baseline}" if r.baseline else ""
        on = f"  on {r.dataset}" if r.dataset else ""
        doubt = f"  [doubt: {r.doubt}]" if r.doubt else ""
        lines.append(f"{i:>3}. {_cut(r.subject or '?', NAME_WIDTH):<{NAME_WIDTH}} {qualifier}{value}"
                     f"  {r.metric or r.canonical_metric or ''}{on}{against}{doubt}")
        sentence = _around(r.sentence.replace("\n", " "), r.at, SENTENCE_WIDTH)
        lines.append(f"     {r.paper} {r.date or ''}  \"{sentence}\"")
    if other_units:
        also = ", ".join(f"{n} in {u or 'bare numbers'}" for u, n in other_units.most_common())
        lines += ["", f"also: {also} (choose with --unit; units are never converted)"]
    return "\n".join(lines)


def board_csv(rows: Sequence[ResultRow]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=BOARD_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(board_records(rows))
    return out.getvalue()


def format_menu(items: Sequence[MenuItem]) -> str:
    if not items:
        return "no comparable claims in this graph"
    lines = ["Leaderboards with the most claims (kg results --metric M [--dataset D] [--kind K]):", ""]
    for item in items:
        where = f"on {item.dataset}" if item.dataset else "(any dataset)"
        lines.append(f"{item.claims:>5}  {item.metric:<20} {item.kind:<6} {where}")
    return "\n".join(lines)


def _trend_line(t: Trend, periods: Sequence[str]) -> str:
    counts = " ".join(f"{t.counts.get(p, 0):>5}" for p in periods)
    return f"{_cut(t.name, NAME_WIDTH):<{NAME_WIDTH}} {t.type:<8} {t.papers:>6} {t.growth:>+7.2f}  {counts}"


def format_trends(report: TrendReport) -> str:
    periods = list(report.periods)[-PERIODS_SHOWN:]
    header = f"{'entity':<{NAME_WIDTH}} {'type':<8} {'papers':>6} {'growth':>7}  " + " ".join(
        f"{p[-5:]:>5}" for p in periods)
    lines = [f"Papers per {report.by} (latest {len(periods)} of {len(report.periods)} shown); growth: log2 of the "
             f"share of papers since {report.recent_from} over the share before, smoothed", ""]
    for title, chosen in (("Most papers", report.top), ("Rising fastest", report.rising),
                          ("Falling fastest", report.falling)):
        lines += [title, header] + [_trend_line(t, periods) for t in chosen] + [""]
    return "\n".join(lines).rstrip()


def trends_csv(report: TrendReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["list", "key", "name", "type", "papers", "growth", *report.periods])
    for name, chosen in (("top", report.top), ("rising", report.rising), ("falling", report.falling)):
        for t in chosen:
            writer.writerow([name, t.key, t.name, t.type, t.papers, f"{t.growth:.4f}",
                             *(t.counts.get(p, 0) for p in report.periods)])
    return out.getvalue()

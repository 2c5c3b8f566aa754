"""The pictures of ``kg results --plot`` and ``kg trends --plot``, as standalone SVG.

Written by hand rather than with a plotting library: two small charts do not
warrant a dependency, and SVG text is escaped here like every string of paper
text kg writes. The HTML view draws the same charts in the page.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

from kg.results.leaderboard import ResultRow
from kg.results.trends import TrendReport

WIDTH, HEIGHT = 760, 420
LEFT, RIGHT, TOP, BOTTOM = 64, 180, 40, 48
TICKS = 5
LABELLED = 5  # best rows whose subject is written beside its dot
LINES = 8  # entities drawn in a trends chart
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7")


def _month_index(date: str | None) -> float | None:
    if not date or len(date) < 7 or not date[:4].isdigit() or not date[5:7].isdigit():
        return None
    return int(date[:4]) * 12 + int(date[5:7]) - 1


def _month_name(index: float) -> str:
    year, month = divmod(int(round(index)), 12)
    return f"{year}-{month + 1:02d}"


def _scale(lo: float, hi: float, out_lo: float, out_hi: float):
    span = (hi - lo) or 1.0
    return lambda v: out_lo + (v - lo) / span * (out_hi - out_lo)


def _frame(title: str, x_ticks: list[tuple[float, str]], y_ticks: list[tuple[float, str]], y_label: str) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">',
             f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{escape(title)}</text>',
             f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
             f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#444"/>',
             f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2:.1f}" transform="rotate(-90 14 '
             f'{(TOP + HEIGHT - BOTTOM) / 2:.1f})" text-anchor="middle">{escape(y_label)}</text>']
    for x, label in x_ticks:
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{escape(label)}</text>')
    for y, label in y_ticks:
        parts.append(f'<line x1="{LEFT - 4}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(label)}</text>')
    return parts


def _number(v: float) -> str:
    return f"{v:.4g}"


def results_svg(rows: Sequence[ResultRow], title: str) -> str:
    """A dot per claim: its paper's month across, its value up; the best few named."""
    dated = [(m, r) for r in rows if (m := _month_index(r.date)) is not None and r.value_min is not None]
    values = [r.value_max if r.value_max is not None else r.value_min for _, r in dated]
    months = [m for m, _ in dated]
    lo_m, hi_m = (min(months) - 1, max(months) + 1) if months else (0, 1)
    lo_v, hi_v = (min(values + [0.0]), max(values)) if values else (0.0, 1.0)
    x = _scale(lo_m, hi_m, LEFT + 8, WIDTH - RIGHT - 8)
    y = _scale(lo_v, hi_v if hi_v > lo_v else lo_v + 1, HEIGHT - BOTTOM, TOP + 8)
    step = max(1, (hi_m - lo_m) // TICKS)
    x_ticks = [(x(m), _month_name(m)) for m in range(int(lo_m) + 1, int(hi_m), int(step))]
    y_ticks = [(y(lo_v + i * (hi_v - lo_v) / TICKS), _number(lo_v + i * (hi_v - lo_v) / TICKS)) for i in range(TICKS + 1)]
    unit = next((r.unit for r in rows if r.unit), "")
    parts = _frame(title, x_ticks, y_ticks, f"value {unit}".strip())
    best = {r.claim for r in rows[:LABELLED]}
    for (m, r), v in zip(dated, values):
        tip = f"{r.subject or '?'}: {r.value}{r.unit or ''} ({r.paper}, {r.date})"
        colour = PALETTE[2] if r.claim in best else PALETTE[0]
        parts.append(f'<circle cx="{x(m):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}" fill-opacity="0.75">'
                     f'<title>{escape(tip)}</title></circle>')
        if r.claim in best:
            parts.append(f'<text x="{x(m) + 6:.1f}" y="{y(v) - 5:.1f}">{escape((r.subject or "?")[:40])}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def trends_svg(report: TrendReport, which: str = "top") -> str:
    """Papers per period for the leading entities of ``report.top`` (or ``rising``/``falling``)."""
    chosen = getattr(report, which)[:LINES]
    periods = list(report.periods)
    peak = max([n for t in chosen for n in t.counts.values()] + [1])
    x = _scale(0, max(1, len(periods) - 1), LEFT + 8, WIDTH - RIGHT - 8)
    y = _scale(0, peak, HEIGHT - BOTTOM, TOP + 8)
    step = max(1, len(periods) // TICKS)
    x_ticks = [(x(i), periods[i]) for i in range(0, len(periods), step)]
    y_ticks = [(y(peak * i / TICKS), _number(peak * i / TICKS)) for i in range(TICKS + 1)]
    parts = _frame(f"Papers per {report.by}: {which}", x_ticks, y_ticks, "papers")
    for n, trend in enumerate(chosen):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(trend.counts.get(p, 0)):.1f}" for i, p in enumerate(periods))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
                     f'<title>{escape(trend.name)}</title></polyline>')
        parts.append(f'<text x="{WIDTH - RIGHT + 10}" y="{TOP + 14 + 16 * n}" fill="{colour}">'
                     f'{escape(trend.name[:28])} ({trend.papers})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"

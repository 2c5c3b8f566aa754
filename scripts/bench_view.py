"""Benchmark the HTML view in headless Chromium: write the page, open it, time the first draw.

    python scripts/bench_view.py out/graph.json [more.json ...]
    python scripts/bench_view.py --synthetic 1500 --synthetic 6000 [--top N] [--physics/--no-physics]
    python scripts/bench_view.py before.html after.html --repeat 5

For each graph it prints the nodes and edges in the page and drawn at start,
the file size, the time to write the page, the browser's times (from
navigation start) to the first drawn frame and to the end of the physics
stabilization (the same as the first frame when physics starts off), the
mean time of one redraw while zooming, and the time to open the Results panel.

A page already written (``.html``) is measured as it is. ``--repeat N`` opens
every page N times, taking turns (so a busy machine slows each alike), and
prints the medians.

``--synthetic N`` builds a graph of N generated papers (Zipf-distributed
entity names, claims and relations, a fixed seed) through kg.graph.build_graph.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from headless_chromium import MISSING, chromium_path, launch
from synthetic import zipf_extractions

from kg.export.html import write_html
from kg.graph import KnowledgeGraph, build_graph

# Mean time of one full redraw after a zoom step (what panning and zooming feel like).
FRAME_MS = """async () => {
  const net = kgView.network;
  const start = performance.now();
  for (let k = 0; k < 6; k++) {
    await new Promise((done) => { net.once('afterDrawing', done); net.moveTo({scale: net.getScale() * (k % 2 ? 1.25 : 0.8)}); });
  }
  return (performance.now() - start) / 6;
}"""


# Time to open the Results panel on its biggest board (table and plot built); None in a page without one.
RESULTS_MS = """() => {
  const toggle = document.getElementById('results-toggle');
  if (!toggle) return null;
  const start = performance.now();
  toggle.click();
  document.querySelector('#results table.board') && document.body.offsetHeight;  // laid out
  return performance.now() - start;
}"""


def measure(page_path: Path, browser, timeout_s: float = 600.0) -> dict:
    """Open the page offline and wait for the view to report its first frame and stabilization."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    url = page_path.resolve().as_uri()
    blocked = []
    page.route("**/*", lambda route: route.continue_() if route.request.url == url
               else (blocked.append(route.request.url), route.abort()))
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(url, wait_until="load", timeout=timeout_s * 1000)
    page.wait_for_function("() => window.kgView && window.kgView.stabilizedAt !== null", timeout=timeout_s * 1000)
    result = page.evaluate(
        "() => ({drawnAt: kgView.drawnAt, stabilizedAt: kgView.stabilizedAt,"
        " nodes: kgView.nodes.length, edges: kgView.edges.length})"
    )
    result["frame"] = page.evaluate(FRAME_MS)
    result["results"] = page.evaluate(RESULTS_MS)
    page.close()
    if blocked or errors:
        raise RuntimeError(f"{page_path}: blocked requests {blocked}, errors {errors}")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("graphs", nargs="*", type=Path, help="graph JSON files (kg's store), or pages already written")
    parser.add_argument("--synthetic", type=int, action="append", default=[], metavar="PAPERS",
                        help="also bench a generated graph of this many papers (repeatable)")
    parser.add_argument("--top", type=int, default=None, help="entities drawn first (0: all; default: by size)")
    parser.add_argument("--physics", action=argparse.BooleanOptionalAction, default=False,
                        help="let vis physics rework the computed layout as the page opens")
    parser.add_argument("--out", type=Path, default=None, help="keep the pages in this directory")
    parser.add_argument("--repeat", type=int, default=1, help="open each page this many times, in turns (medians)")
    args = parser.parse_args(argv)
    if not args.graphs and not args.synthetic:
        parser.error("give graph JSON files or --synthetic N")
    chromium = chromium_path()
    if chromium is None:
        print(MISSING, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    graphs = [p for p in args.graphs if p.suffix != ".html"]
    jobs = [(str(p), lambda p=p: KnowledgeGraph.load(p)) for p in graphs]
    jobs += [(f"synthetic-{n}", lambda n=n: build_graph(zipf_extractions(n))) for n in args.synthetic]
    # a folder for the pages this run writes; none when it only opens pages already written
    out = args.out or (Path(tempfile.mkdtemp(prefix="kg-bench-view-")) if jobs else None)
    print(f"{'graph':<28} {'nodes':>7} {'edges':>7} {'drawn':>6} {'drawn e':>7} {'phys':>4} "
          f"{'MB':>6} {'write s':>7} {'draw s':>7} {'stable s':>8} {'frame ms':>8} {'results ms':>10}")
    with sync_playwright() as p:
        browser = launch(p, chromium)
        pages = [(str(page), page, None, None) for page in args.graphs if page.suffix == ".html"]
        for name, load in jobs:
            kg = load()
            started = time.perf_counter()
            page_path = out / (Path(name).stem + ".html")
            summary = write_html(kg, page_path, top=args.top, physics=args.physics)
            pages.append((name, page_path, summary, time.perf_counter() - started))
        runs = {name: [] for name, *_ in pages}
        for _ in range(max(1, args.repeat)):
            for name, page_path, *_ in pages:
                runs[name].append(measure(page_path, browser))
        for name, page_path, summary, written in pages:
            result = {k: _median([r[k] for r in runs[name]]) for k in runs[name][0]}
            size = summary.bytes if summary else page_path.stat().st_size
            print(f"{name[-28:]:<28} {summary.nodes if summary else '':>7} {summary.edges if summary else '':>7} "
                  f"{result['nodes']:>6} {result['edges']:>7} {_on_off(summary):>4} {size / 1e6:>6.2f} "
                  f"{written if written is not None else float('nan'):>7.2f} {result['drawnAt'] / 1000:>7.2f} "
                  f"{result['stabilizedAt'] / 1000:>8.2f} {result['frame']:>8.1f} "
                  f"{'-' if result['results'] is None else format(result['results'], '.0f'):>10}", flush=True)
        browser.close()
    print(f"pages in {out or ', '.join(str(p) for p in args.graphs)}" + (f"; medians of {args.repeat} openings each" if args.repeat > 1 else ""))
    return 0


def _median(values: list):
    return None if None in values else statistics.median_low(values)


def _on_off(summary) -> str:
    return "" if summary is None else "on" if summary.physics else "off"


if __name__ == "__main__":
    sys.exit(main())

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
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kg.export.html import write_html
from kg.graph import KnowledgeGraph, build_graph
from kg.records import ENTITY_TYPES, RELATION_TYPES, ROLES, Claim, Entity, Extraction, Paper, Relation, Span

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_SYLLABLES = ("ra", "ven", "tor", "lu", "mi", "sa", "dex", "no", "qua", "fer", "li", "on", "ze", "pha", "gri", "mo")
_SUFFIX = {"Method": "", "Model": "-7B", "Dataset": "Bench", "Task": " tasks", "Metric": " score"}


def _zipf_pick(rng: random.Random, size: int) -> int:
    return min(size - 1, int(size ** rng.random()) - 1)


def _name(rng: random.Random, entity_type: str) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return word.capitalize() + _SUFFIX[entity_type]


def synthetic_extractions(n_papers: int, seed: int = 0) -> list[Extraction]:
    """``n_papers`` made-up extractions over a shared vocabulary, a few entities and claims each."""
    rng = random.Random(seed)
    vocabulary = {t: sorted({_name(rng, t) for _ in range(max(8, n_papers // 3))}) for t in ENTITY_TYPES}
    extractions = []
    for i in range(n_papers):
        chosen: dict[str, tuple[str, str]] = {}
        for _ in range(rng.randint(3, 8)):
            entity_type = rng.choice(ENTITY_TYPES)
            names = vocabulary[entity_type]
            name = names[_zipf_pick(rng, len(names))]
            chosen.setdefault(name, (entity_type, rng.choice(ROLES)))
        names = sorted(chosen)
        title = f"{names[0]} for {names[-1]}: study {i}"
        sentences = [f"We study {name} in this work." for name in names]
        metric = next((n for n in names if chosen[n][0] == "Metric"), None)
        if metric and len(names) > 2:
            sentences.append(f"{names[0]} reaches {1 + i % 9}.{i % 10}x {metric} over {names[1]}.")
        abstract = " ".join(sentences)
        text = title + "\n\n" + abstract
        entities = []
        for name in names:
            start = text.index(name, len(title))
            entity_type, role = chosen[name]
            entities.append(Entity(name, entity_type, role, (Span(start, start + len(name), name),)))
        claims = ()
        relations = []
        if metric and len(names) > 2:
            sentence = sentences[-1]
            c_start = text.index(sentence)
            value = f"{1 + i % 9}.{i % 10}"
            v_start = text.index(value, c_start)
            claims = (Claim(
                value=value, start=v_start, end=v_start + len(value), text=sentence,
                text_start=c_start, text_end=c_start + len(sentence), value_min=float(value),
                value_max=float(value), unit="x", metric=metric, subject=names[0], baseline=names[1],
            ),)
        for _ in range(rng.randint(0, 2)):
            head, tail = rng.sample(names, 2)
            sentence = sentences[names.index(head)]
            start = text.index(sentence)
            relations.append(Relation(head, rng.choice(RELATION_TYPES), tail, sentence, start, start + len(sentence)))
        paper = Paper(id=f"{2300 + i // 99999:04d}.{i % 99999:05d}", title=title, abstract=abstract,
                      date=f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", authors=("A. Author", "B. Author"))
        extractions.append(Extraction(paper=paper, entities=tuple(entities), claims=claims,
                                      relations=tuple(relations)))
    return extractions


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
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} not found", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    out = args.out or Path(tempfile.mkdtemp(prefix="kg-bench-view-"))
    graphs = [p for p in args.graphs if p.suffix != ".html"]
    jobs = [(str(p), lambda p=p: KnowledgeGraph.load(p)) for p in graphs]
    jobs += [(f"synthetic-{n}", lambda n=n: build_graph(synthetic_extractions(n))) for n in args.synthetic]
    print(f"{'graph':<28} {'nodes':>7} {'edges':>7} {'drawn':>6} {'drawn e':>7} {'phys':>4} "
          f"{'MB':>6} {'write s':>7} {'draw s':>7} {'stable s':>8} {'frame ms':>8} {'results ms':>10}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
    print(f"pages in {out}" + (f"; medians of {args.repeat} openings each" if args.repeat > 1 else ""))
    return 0


def _median(values: list):
    return None if None in values else statistics.median_low(values)


def _on_off(summary) -> str:
    return "" if summary is None else "on" if summary.physics else "off"


if __name__ == "__main__":
    sys.exit(main())

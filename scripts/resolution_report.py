"""How resolution did on a store: entity counts before and after, time, largest alias sets,
and precision/recall on the name pairs of tests/data/resolution_pairs.tsv.

    python scripts/resolution_report.py out/ [--top 30]
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from kg.extractions import EXTRACTIONS_FILE, load_extractions
from kg.graph import build_graph
from kg.lookup import find_entity
from kg.resolve import clean_surface, resolve

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "data" / "resolution_pairs.tsv"


def pair_scores(graph) -> tuple[int, int, int, int]:
    """tp, fp, fn over the pairs whose two names are both in the graph; and pairs skipped."""
    tp = fp = fn = skipped = 0
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith(("#", "name_a")):
            continue
        a, b, kind, _ = line.split("\t")
        node_a, node_b = find_entity(graph, a), find_entity(graph, b)
        if node_a is None or node_b is None:
            skipped += 1
            continue
        same = node_a == node_b
        tp += same and kind == "same"
        fp += same and kind != "same"
        fn += not same and kind == "same"
    return tp, fp, fn, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("store", type=Path)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    extractions = load_extractions(args.store / EXTRACTIONS_FILE)
    mentions = sum(len(e.entities) for e in extractions)
    surfaces = {clean_surface(n) for e in extractions for x in e.entities for n in (x.name, *x.aliases)}
    started = time.perf_counter()
    resolution = resolve(extractions)
    seconds = time.perf_counter() - started
    named = [e for e in resolution.entities.values() if e.paper_ids]
    print(f"papers                      {len(extractions)}")
    print(f"entities per paper, summed  {mentions}")
    print(f"distinct surface forms      {len(surfaces)}")
    print(f"entity nodes after          {len(named)} (+{len(resolution.entities) - len(named)} family nodes)")
    print(f"VARIANT_OF links            {len(resolution.variant_of)}")
    print(f"resolution time             {seconds:.1f} s")
    graph = build_graph(extractions, resolution)
    tp, fp, fn, skipped = pair_scores(graph)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print(f"name pairs                  precision {precision:.3f}, recall {recall:.3f} "
          f"(tp {tp}, fp {fp}, fn {fn}; {skipped} pairs not both in this graph)")
    print(f"largest alias sets (top {args.top}):")
    for entity in sorted(named, key=lambda e: (-len(e.aliases), e.key))[:args.top]:
        print(f"  {len(entity.aliases):>3}  {entity.key}: {', '.join(entity.aliases)}"[:300])


if __name__ == "__main__":
    main()

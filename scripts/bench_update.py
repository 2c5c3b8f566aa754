"""Issue 19's table from one run: what a day's update of a big store costs.

    PYTHONPATH=. python scripts/bench_update.py --store STORE [--corpus PATH] [--papers 100] [--work DIR] [--query]

STORE is a store built from the corpus (its extractions in the cache, $KG_CACHE_DIR or
~/.cache/kg); it is copied into the work folder and never changed. Every step is a real `kg`
process, timed from start to exit and measured for peak RSS (its own and its workers'):

1. remove N papers of the copy (`kg remove`): a store of the others;
2. add them back (`kg build N.jsonl -o copy`, extractions cached), with the view: the update;
3. build the N papers alone into an empty store (cached);
4. build the whole corpus into an empty store from the warm cache (the rebuild an update replaces);
5. load the store in Python (`kg.load`), whose peak memory an update is held to;
6. with --query, `kg query` on the copy before the removal (its graph loaded into the embedded engine), after
   the removal and after the update (the engine brought up to date with the rows that changed).

Prints each step's seconds, stages (`kg build --verbose`) and peak RSS, then the issue's table:
each measure, its goal and whether it holds. The view's positions are compared in the store's
graph.layout.json before and after the removal and the update: a node in both that is drawn
anywhere else has moved. (A store written before kept layouts has none: its removal lays the
view out and writes the first, which the update then keeps.)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from shared_data import corpus_option

SEED = 19
GOALS = {"update": 10.0, "update_seconds": 5.0, "alone": 3.0, "memory": 1.2}


@dataclass(frozen=True)
class Step:
    seconds: float
    peak_mb: float  # the largest of the process and its workers
    stdout: str

    def stages(self) -> str:
        return next((line.split(None, 1)[1] for line in self.stdout.splitlines() if line.startswith("stages")), "")


# Runs a command and reports the peak RSS of its process tree's largest member: in a process of its own, so each
# step's figure is its own (RUSAGE_CHILDREN keeps the maximum over every child ever waited for).
MEASURED = ("import resource, subprocess, sys\n"
            "done = subprocess.run(sys.argv[1:], stdout=sys.stdout, stderr=sys.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(done.returncode)\n")


def run(command: list[str]) -> Step:
    """One process, timed from start to exit, with its peak RSS."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURED, *command], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}\n{done.stderr}")
    return Step(seconds, int(done.stderr.splitlines()[-1]) / 1024, done.stdout)


def kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def chosen_papers(store: Path, count: int, out: Path) -> list[str]:
    """``count`` papers of the store, picked by a seeded draw, written as JSON Lines (their records
    without the file and line they came from); their ids."""
    from kg.extractions import EXTRACTIONS_FILE, load_extractions

    papers = sorted((e.paper for e in load_extractions(store / EXTRACTIONS_FILE)), key=lambda p: p.id)
    picked = random.Random(SEED).sample(papers, count)
    with open(out, "w", encoding="utf-8") as f:
        for paper in picked:
            record = {k: v for k, v in paper.to_dict().items() if k != "source" and v not in (None, [], ())}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [p.id for p in picked]


def positions(store: Path) -> dict[str, tuple[int, int]] | None:
    """Where the store's view draws each node (None: the store has no kept layout)."""
    from kg.build import LAYOUT_FILE
    from kg.export.layout import Layout

    layout = Layout.load(store / LAYOUT_FILE)
    return None if layout is None else layout.positions


def moved(before: dict[str, tuple[int, int]] | None, after: dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """How many of the nodes drawn both before and after are drawn elsewhere after, and of how many."""
    if before is None:
        return None
    both = before.keys() & after.keys()
    return sum(1 for node in both if before[node] != after[node]), len(both)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, required=True, help="a store built from the corpus (not changed)")
    corpus_option(parser)
    parser.add_argument("--papers", type=int, default=100)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    parser.add_argument("--jobs", type=int, default=2, help="for the whole-corpus build")
    parser.add_argument("--query", action="store_true",
                        help="also time kg query's first query after each change (the first: minutes on the corpus)")
    args = parser.parse_args()
    if not (args.store / "graph.json").exists():
        sys.exit(f"{args.store}: no store here (build one with kg build CORPUS -o STORE)")
    work = args.work or Path(tempfile.mkdtemp(prefix="kg-bench-update-"))
    work.mkdir(parents=True, exist_ok=True)
    store, alone, full = work / "store", work / "alone", work / "full"
    for folder in (store, alone, full):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(args.store, store, symlinks=True, ignore=shutil.ignore_patterns(".kg-query"))
    new = work / "new.jsonl"
    ids = chosen_papers(store, args.papers, new)

    steps = {}
    steps["alone"] = run(kg("build", str(new), "-o", str(alone), "-j", "1", "--verbose"))
    steps["load"] = run([sys.executable, "-c", f"import kg; kg.load({str(store)!r})"])
    drawn = {"copy": positions(store)}
    query = kg("query", "MATCH (p:Paper) RETURN count(p)", "--graph", str(store / "graph.json"))
    if args.query:
        steps["query"] = run(query)
    steps["remove"] = run(kg("remove", *ids, "--graph", str(store / "graph.json")))
    drawn["remove"] = positions(store)
    if args.query:
        steps["query-r"] = run(query)
    steps["add"] = run(kg("build", str(new), "-o", str(store), "-j", "1", "--verbose"))
    drawn["add"] = positions(store)
    if args.query:
        steps["query-a"] = run(query)
    steps["full"] = run(kg("build", str(args.corpus), "-o", str(full), "-j", str(args.jobs), "--verbose"))

    for name, step in steps.items():
        print(f"{name:<7} {step.seconds:7.1f} s  peak {step.peak_mb:6.0f} MB  {step.stages()}")
    if args.query:
        print(f"kg query: {steps['query'].seconds:.1f} s on the copy (a full load), {steps['query-r'].seconds:.1f} s "
              f"after the removal, {steps['query-a'].seconds:.1f} s after the update (the rows that changed)")
    n = args.papers
    update, removal = steps["add"].seconds, steps["remove"].seconds
    rows = [
        (f"add {n} papers, end to end with the view", f"{update:.1f} s; {steps['full'].seconds / update:.1f}x faster "
         f"than the whole store from the warm cache ({steps['full'].seconds:.1f} s)",
         f">= {GOALS['update']:g}x and < {GOALS['update_seconds']:g} s",
         steps["full"].seconds / update >= GOALS["update"] and update < GOALS["update_seconds"]),
        (f"add {n} papers / build them alone", f"{update / steps['alone'].seconds:.1f}x "
         f"({steps['alone'].seconds:.1f} s alone)", f"<= {GOALS['alone']:g}x",
         update / steps["alone"].seconds <= GOALS["alone"]),
        (f"remove {n} papers (kg remove)", f"{removal:.1f} s; {steps['full'].seconds / removal:.1f}x faster, "
         f"{removal / steps['alone'].seconds:.1f}x alone", "as adding",
         steps["full"].seconds / removal >= GOALS["update"] and removal < GOALS["update_seconds"]),
        ("peak memory of the update / loading the store",
         f"{steps['add'].peak_mb / steps['load'].peak_mb:.2f}x ({steps['add'].peak_mb:.0f} MB / "
         f"{steps['load'].peak_mb:.0f} MB)", f"<= {GOALS['memory']:g}x",
         steps["add"].peak_mb / steps["load"].peak_mb <= GOALS["memory"]),
    ]
    counts = {"add": moved(drawn["remove"], drawn["add"]), "remove": moved(drawn["copy"], drawn["remove"])}
    measured = "; ".join(f"{done[0]:,} of {done[1]:,} moved by the {step}" for step, done in counts.items() if done)
    if counts["remove"] is None:
        measured += " (the copy had no kept layout: the removal laid the view out anew)"
    rows.append(("positions of nodes that were there before", measured, "unchanged",
                 all(done[0] == 0 for done in counts.values() if done)))
    print()
    print("| measure | measured | goal | holds |")
    print("|---|---|---|---|")
    for measure, measured, goal, holds in rows:
        print(f"| {measure} | {measured} | {goal} | {'—' if holds is None else 'yes' if holds else 'no'} |")
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()

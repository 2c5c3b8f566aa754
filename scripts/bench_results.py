"""Benchmark `kg results` and `kg trends` on a store: the index made once, then each answer.

    python scripts/bench_results.py out/graph.json [--repeat 3]

It removes the store's results index, times the first `kg results` (which
makes the index from graph.json), then times each command again as a user
runs it (a new process each time, Python's start-up included): the menu, a
leaderboard, the speedup board, `kg trends` and `kg trends --by quarter`,
printing the best of ``--repeat`` runs and the index's size.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from kg.results.index import index_path

KG = [str(Path(sys.executable).with_name("kg"))]  # the kg of this Python's environment


def _seconds(args: list[str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(KG + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"kg {' '.join(args)}: {done.stderr.strip()}")
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("graph", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    graph = str(args.graph)
    index_path(graph).unlink(missing_ok=True)
    print(f"{'first kg results (makes the index)':<44} {_seconds(['results', '--graph', graph]):7.2f} s")
    print(f"{'index size':<44} {index_path(graph).stat().st_size / 1e6:7.1f} MB")
    commands = {
        "kg results (the menu)": ["results"],
        "kg results --metric accuracy --dataset GSM8K": ["results", "--metric", "accuracy", "--dataset", "GSM8K"],
        "kg results --metric speedup --kind gain": ["results", "--metric", "speedup", "--kind", "gain"],
        "kg trends --type Model": ["trends", "--type", "Model"],
        "kg trends --by quarter --json": ["trends", "--by", "quarter", "--json"],
    }
    for label, command in commands.items():
        best = min(_seconds(command + ["--graph", graph]) for _ in range(args.repeat))
        print(f"{label:<44} {best:7.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

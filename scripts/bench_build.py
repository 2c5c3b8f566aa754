"""Whole-build speed: the corpus with --jobs 1, --jobs 2, then again on the warm cache.

    python scripts/bench_build.py [--corpus PATH] [--limit N] [--keep DIR]

Each run is a real `kg build` process. The two cold runs start with empty
stores and empty caches; then the 2-job command is run a second time (same
store, warm cache: nothing to extract, nothing changed), and once more into a
new, empty store on the warm cache (nothing to extract; resolution, graph and
files are made again). Prints seconds, docs/s, the 2-job scaling factor, the
speed-ups over the cold run, and each run's stage times and peak RSS as
`kg build --verbose` reports them.
"""
from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from shared_data import corpus_option, first_papers, papers_option, require


def run_build(source: Path, out: Path, cache: Path, jobs: int) -> tuple[float, str]:
    env = {**os.environ, "KG_CACHE_DIR": str(cache)}
    command = [sys.executable, "-m", "kg.cli", "build", str(source), "-o", str(out), "-j", str(jobs), "--verbose"]
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr)
    return seconds, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpus_option(parser)
    papers_option(parser, None)
    parser.add_argument("--keep", type=Path, default=None, help="keep the 2-job store in DIR")
    args = parser.parse_args()
    require(parser, args.corpus)
    work = Path(tempfile.mkdtemp(prefix="kg-bench-build-"))
    try:
        source = first_papers(args.corpus, args.papers, work / "papers.jsonl.gz") if args.papers else args.corpus
        with gzip.open(source, "rt") as f:
            papers = sum(1 for _ in f)
        runs = [("jobs 1, cold", 1, work / "cache1", work / "store1"),
                ("jobs 2, cold", 2, work / "cache2", work / "store2"),
                ("second run", 2, work / "cache2", work / "store2"),
                ("new store", 2, work / "cache2", work / "store3")]
        seconds = {}
        for name, jobs, cache, out in runs:
            seconds[name], report = run_build(source, out, cache, jobs)
            print(f"{name:<14} {seconds[name]:8.1f} s  {papers / seconds[name]:8.1f} docs/s")
            for line in report.splitlines():
                if line.startswith(("stages", "peak RSS", "nodes", "edges")):
                    print(f"{'':16}{line}")
        if args.keep:
            shutil.copytree(work / "store2", args.keep, dirs_exist_ok=True)
        print(f"papers         {papers}")
        print(f"scaling        {seconds['jobs 1, cold'] / seconds['jobs 2, cold']:.2f} (bar 1.60)")
        print(f"second run     {seconds['jobs 2, cold'] / seconds['second run']:.1f}x faster than the cold run (bar 20x)")
        print(f"new store      {seconds['jobs 2, cold'] / seconds['new store']:.1f}x faster than the cold run")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

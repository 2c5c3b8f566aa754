"""The same papers built locally and on a 2-worker Dask LocalCluster.

    python scripts/bench_dask.py [--corpus PATH] [--papers N]

Prints both times and checks that graph.json and extractions.jsonl are
byte-identical.
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

from kg.build import EXTRACTIONS_FILE, GRAPH_FILE, BuildOptions, build_store

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "arxiv-ml-abstracts.jsonl.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--papers", type=int, default=5000)
    args = parser.parse_args()
    if not args.corpus.exists():
        sys.exit(f"{args.corpus}: corpus not found (pass --corpus)")
    from dask.distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="kg-bench-dask-"))
    try:
        source = work / "papers.jsonl.gz"
        with gzip.open(args.corpus, "rt") as f, gzip.open(source, "wt") as out:
            out.writelines(islice(f, args.papers))
        started = time.perf_counter()
        build_store([str(source)], work / "local", BuildOptions(html=False, use_cache=False, jobs=2))
        local = time.perf_counter() - started
        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
            started = time.perf_counter()
            build_store([str(source)], work / "dask", BuildOptions(
                html=False, use_cache=False, engine="dask", scheduler=cluster.scheduler_address))
            dask = time.perf_counter() - started
        same = all((work / "local" / f).read_bytes() == (work / "dask" / f).read_bytes()
                   for f in (GRAPH_FILE, EXTRACTIONS_FILE))
        print(f"papers      {args.papers}")
        print(f"local -j 2  {local:8.1f} s  {args.papers / local:7.1f} docs/s")
        print(f"dask 2 wk   {dask:8.1f} s  {args.papers / dask:7.1f} docs/s")
        print(f"identical   {'yes' if same else 'NO'}")
        if not same:
            sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

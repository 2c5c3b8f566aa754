"""The same papers built locally and on a 2-worker Dask LocalCluster.

    python scripts/bench_dask.py [--corpus PATH] [--papers N]

Prints both times and checks that graph.json and extractions.jsonl are
byte-identical.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from shared_data import corpus_option, first_papers, papers_option, require

from kg.build import EXTRACTIONS_FILE, GRAPH_FILE, BuildOptions, build_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpus_option(parser)
    papers_option(parser, 5000)
    args = parser.parse_args()
    require(parser, args.corpus)
    from dask.distributed import LocalCluster

    work = Path(tempfile.mkdtemp(prefix="kg-bench-dask-"))
    try:
        source = first_papers(args.corpus, args.papers, work / "papers.jsonl.gz")
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

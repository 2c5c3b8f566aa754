"""Extraction speed: bare spaCy against the full kg pipeline, one process and two.

    python scripts/bench_extract.py [--papers N] [--repeat R] [--big N] [--corpus PATH]

Prints docs/s for bare spaCy (the same model, the same texts, nlp.pipe with
every stock component) and for kg's extraction, their ratio, kg on 2 jobs and
its scaling factor, how long a fresh process takes to load kg's pipeline, and
peak RSS of kg extraction streaming N and BIG papers.
The three speeds are measured in R interleaved rounds and each is the best of
its R (the range follows it): on a shared machine one round's scaling has
ranged from 1.36 to 1.65 on the same code.
"""
from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path
from typing import Callable

from shared_data import corpus_option, papers_option, require


def corpus_papers(path: Path, n: int):
    from kg.records import Paper

    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in islice(f, n):
            r = json.loads(line)
            yield Paper(id=r["id"], title=" ".join(r["title"].split()), abstract=" ".join(r["abstract"].split()))


def bare_spacy(papers) -> float:
    import spacy

    from kg.extractor import default_model

    nlp = spacy.load(default_model())
    texts = [p.text for p in papers]
    started = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    return len(texts) / (time.perf_counter() - started)


def kg_extract(papers, jobs: int) -> float:
    from kg.build import extract_papers

    started = time.perf_counter()
    count = sum(1 for _ in extract_papers(papers, jobs=jobs))
    return count / (time.perf_counter() - started)


def in_fresh_process(code: str) -> list[str]:
    """The words of the last line a fresh Python process running ``code`` prints; its errors if it fails."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"bench_extract: the measuring process failed:\n{out.stderr}")
    return out.stdout.strip().splitlines()[-1].split()


def load_seconds() -> tuple[float, float]:
    """Seconds a fresh process takes to import kg's extraction, then to load the pipeline kg ships."""
    code = (
        "import time; started = time.perf_counter()\n"
        "from kg.extract.pipeline import load_pipeline\n"
        "from kg.extractor import PipelineConfig\n"
        "imported = time.perf_counter()\n"
        "load_pipeline(PipelineConfig())\n"
        "print(imported - started, time.perf_counter() - imported)\n"
    )
    imports, load = in_fresh_process(code)
    return float(imports), float(load)


def best_of(values: list[float], best: Callable[[list[float]], float], digits: int) -> tuple[float, str]:
    """The best of the rounds' values, and their range to print after it (none for one round)."""
    shown = f"  ({min(values):.{digits}f}-{max(values):.{digits}f})" if len(values) > 1 else ""
    return best(values), shown


def peak_rss_mb(corpus: Path, n: int) -> float:
    """Peak RSS of a separate process streaming ``n`` papers through kg extract."""
    code = (
        "import sys, resource; sys.path.insert(0, %r)\n"
        "from bench_extract import corpus_papers\n"
        "from kg.build import extract_papers\n"
        "from pathlib import Path\n"
        "for _ in extract_papers(corpus_papers(Path(%r), %d), jobs=1): pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    ) % (str(Path(__file__).parent), str(corpus), n)
    (kilobytes,) = in_fresh_process(code)
    return int(kilobytes) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    corpus_option(parser)
    papers_option(parser, 2000)
    parser.add_argument("--big", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3, metavar="R",
                        help="rounds of the speed runs and of the load; each figure is its best round (default 3)")
    parser.add_argument("--skip-rss", action="store_true", help="skip the two streaming-memory runs")
    args = parser.parse_args()
    require(parser, args.corpus)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    papers = list(corpus_papers(args.corpus, args.papers))
    from kg.extract.pipeline import load_pipeline
    from kg.extractor import PipelineConfig

    load_pipeline(PipelineConfig())  # model load is not part of the throughput
    imports, loads = zip(*(load_seconds() for _ in range(args.repeat)))
    rounds = []
    for i in range(args.repeat):
        rounds.append((bare_spacy(papers), kg_extract(papers, jobs=1), kg_extract(papers, jobs=2)))
        print(f"round {i + 1} of {args.repeat}: " + ", ".join(f"{rate:.1f}" for rate in rounds[-1]) + " docs/s",
              file=sys.stderr)
    (spacy_rate, spacy_range), (kg_rate, kg_range), (kg_rate_2, kg_range_2) = (
        best_of(list(rates), max, 1) for rates in zip(*rounds))
    load, load_range = best_of(list(loads), min, 2)
    print(f"papers            {len(papers)}, best of {len(rounds)}")
    print(f"bare spaCy        {spacy_rate:8.1f} docs/s{spacy_range}")
    print(f"kg, 1 job         {kg_rate:8.1f} docs/s{kg_range}   ratio to bare spaCy {kg_rate / spacy_rate:.2f} "
          "(bar 0.80)")
    print(f"kg, 2 jobs        {kg_rate_2:8.1f} docs/s{kg_range_2}   scaling {kg_rate_2 / kg_rate:.2f} (bar 1.60)")
    print(f"pipeline load     {load:8.2f} s{load_range}   in a fresh process, after {min(imports):.2f} s of imports "
          "(bar 2.00)")
    if not args.skip_rss:
        small, big = peak_rss_mb(args.corpus, args.papers), peak_rss_mb(args.corpus, args.big)
        print(f"peak RSS          {small:8.0f} MB for {args.papers}, {big:.0f} MB for {args.big}: "
              f"x{big / small:.2f} (bar 1.30)")
    print(f"max RSS here      {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()

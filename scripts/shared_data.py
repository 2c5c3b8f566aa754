"""The data the scripts run on, kept in ../shared beside the checkout (never in the repository): the arXiv
corpus, the seed listings and the evaluation sets; the options that point a script at them, and the
corpus's first N papers.

    from shared_data import CORPUS, corpus_option, first_papers

(Scripts run as ``python scripts/NAME.py`` find it beside them; the tests have scripts/ on their path,
pyproject.toml's ``pythonpath``.)
"""
from __future__ import annotations

import argparse
import gzip
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "arxiv-ml-abstracts.jsonl.gz"
SEEDS = SHARED / "seeds"
EVAL = SHARED / "eval"
DEV = EVAL / "dev"  # the dev papers (papers.jsonl) and their gold (gold.jsonl)
SCORE = EVAL / "score.py"
LABELS = ROOT / "training" / "labels"


def corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the corpus, gzipped JSON Lines (default: "
                        "../shared's arXiv abstracts)")


def papers_option(parser: argparse.ArgumentParser, default: int | None) -> None:
    parser.add_argument("--papers", type=int, default=default, help="the first N papers of the corpus"
                        + (f" (default {default:,})" if default else " (default: all)"))


def training_options(parser: argparse.ArgumentParser) -> None:
    """What training reads: our labels, the corpus they point into, and the scorer of ../shared/eval."""
    parser.add_argument("--labels", type=Path, default=LABELS, help="folder of *.jsonl labels")
    corpus_option(parser)
    parser.add_argument("--score", type=Path, default=SCORE, help="the evaluation's score.py")


def first_papers(corpus: Path, papers: int, out: Path) -> Path:
    """``out``, holding the first ``papers`` lines of ``corpus`` (gzipped when its name ends in .gz)."""
    opener = gzip.open if out.suffix == ".gz" else open
    with gzip.open(corpus, "rt", encoding="utf-8") as source, opener(out, "wt", encoding="utf-8") as target:
        target.writelines(islice(source, papers))
    return out


def require(parser: argparse.ArgumentParser, *paths: Path) -> None:
    """A usage error naming the first of ``paths`` that is missing."""
    for path in paths:
        if not path.exists():
            parser.error(f"{path} is missing (../shared beside the checkout holds it; or pass its option)")

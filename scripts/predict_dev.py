"""Extract the dev papers (JSON Lines with id/title/abstract) into a prediction file for score.py.

    python scripts/predict_dev.py OUT.jsonl [--papers PATH] [--components kg_entities,kg_roles]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kg.extract import extract
from kg.extract.pipeline import PipelineConfig
from kg.records import Paper

DEV_PAPERS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "dev" / "papers.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--papers", type=Path, default=DEV_PAPERS)
    parser.add_argument("--components", help="comma-separated kg components to run (default: all)")
    args = parser.parse_args()
    config = PipelineConfig(components=tuple(args.components.split(","))) if args.components else PipelineConfig()
    with args.papers.open(encoding="utf-8") as lines:
        papers = [json.loads(line) for line in lines if line.strip()]
    papers = [Paper(id=str(p["id"]), title=p["title"], abstract=p["abstract"]) for p in papers]
    with args.out.open("w", encoding="utf-8") as out:
        for extraction in extract(papers, config):
            out.write(json.dumps(extraction.to_dict(), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

"""Score kg's extraction on the dev set or on a split of our labels, with ../shared/eval/score.py.

    python scripts/evaluate.py dev                    # the 45 dev papers (what the rules were tuned on)
    python scripts/evaluate.py validation             # our validation split: the honest figure
    python scripts/evaluate.py tuning --rules-only    # the rules without any learned part
    python scripts/evaluate.py tuning --without subjects   # the rules choose claim subjects
    python scripts/evaluate.py validation --errors --keep /tmp/val   # misses and false hits; keep the files
    python scripts/evaluate.py tuning --recogniser out/model --scorers out/model   # what make model trained

After score.py's figures comes one of ours, scored by its name matching: the entities the paper proposes
(GUIDELINES.md's role "proposed"), which score.py does not score.

Only "tuning" and "dev" may be used to choose rules or models; "validation" is reported, never tuned on.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from shared_data import CORPUS, DEV, EVAL, LABELS, SCORE

from kg.extract import extract
from kg.extractor import PipelineConfig
from kg.files import atomic_open
from kg.learn.labels import (SPLITS, corpus_texts, load_score_module, proposed_match, read_labels, split_of,
                             write_gold)
from kg.learn.roles import PROPOSED
from kg.records import TITLE_SEPARATOR, Paper

# The learned parts of the pipeline, by the PipelineConfig field that holds each.
LEARNED = {"recogniser": "recogniser", "entities": "entity_weights", "roles": "role_weights", "claims": "claim_weights",
           "subjects": "subject_weights", "relations": "relation_weights"}


def dev_set() -> tuple[list[Paper], Path]:
    with (DEV / "papers.jsonl").open(encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    return [Paper(id=str(r["id"]), title=r["title"], abstract=r["abstract"]) for r in records], DEV / "gold.jsonl"


def labelled_split(split: str, folder: Path) -> tuple[list[Paper], Path]:
    labels = [label for label in read_labels(sorted(LABELS.glob("*.jsonl")))
              if split_of(label["id"]) == split]
    texts = corpus_texts(CORPUS, (label["id"] for label in labels))
    gold = folder / f"{split}.gold.jsonl"
    write_gold(gold, labels, texts)
    papers = [Paper(label["id"], *texts[label["id"]].split(TITLE_SEPARATOR, 1)) for label in labels]
    return papers, gold


def proposed_row(gold: Path, predictions: Path) -> str:
    """score.py's row for the proposed entities alone: any type, matched by its names."""
    score = load_score_module(SCORE)
    predicted = {record["id"]: record for record in score.load(str(predictions))}
    tally = score.Tally()
    for record in score.load(str(gold)):
        found = [e for e in predicted.get(record["id"], {}).get("entities") or [] if e.get("role") == PROPOSED]
        tp, fp, fn = proposed_match(score, record.get("entities") or [], found)
        tally.add(tp, len(fp), len(fn))
    return tally.row("proposed (any type)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("set", choices=("dev", *(s for s in SPLITS if s != "train")))
    parser.add_argument("--without", action="append", choices=LEARNED, default=[],
                        help="leave out this learned part (the rules decide instead); repeatable")
    parser.add_argument("--rules-only", action="store_true", help="without any learned part")
    parser.add_argument("--recogniser", type=Path, help="a recogniser trained elsewhere (train_model.py --out)")
    parser.add_argument("--scorers", type=Path, help="the scorers' weights from this folder (train_scorers.py --out)")
    parser.add_argument("--errors", action="store_true", help="list misses and false hits per paper")
    parser.add_argument("--keep", type=Path, help="write the gold and the predictions to this folder")
    args = parser.parse_args()
    if not SCORE.is_file():
        sys.exit(f"evaluate: {EVAL} is missing (it lives in ../shared)")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        papers, gold = dev_set() if args.set == "dev" else labelled_split(args.set, folder)
        config = (PipelineConfig.rules_only() if args.rules_only
                  else PipelineConfig(**{LEARNED[part]: None for part in args.without}))
        if args.recogniser:
            config = replace(config, recogniser=str(args.recogniser))
        if args.scorers:
            scorers = [field for part, field in LEARNED.items() if part != "recogniser"]
            config = replace(config, **{field: str(args.scorers / Path(path).name) for field in scorers
                                        if (path := getattr(config, field)) is not None})
        predictions = folder / f"{args.set}.pred.jsonl"
        with atomic_open(predictions) as out:
            for extraction in extract(papers, config):
                out.write(json.dumps(extraction.to_dict(), ensure_ascii=False) + "\n")
        command = [sys.executable, str(SCORE), str(gold), str(predictions)] + (["--errors"] * args.errors)
        code = subprocess.run(command, check=False).returncode
        print(proposed_row(gold, predictions))
        return code


if __name__ == "__main__":
    sys.exit(main())

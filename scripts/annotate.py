"""Annotators' tool for training labels (see training/README.md).

    python scripts/annotate.py show --start 1 --count 40      # texts of train-pool ids 1..40, to read
    python scripts/annotate.py show 2311.17487 2402.00001     # texts of these ids
    python scripts/annotate.py fill DRAFT.jsonl -o training/labels/NAME.jsonl
    python scripts/annotate.py gold training/agreement/b01.first.jsonl -o FIRST.jsonl   # then score.py FIRST SECOND

A draft is score.py's gold format without mentions: entities with name, type, aliases
and role; claims with every field, ``text`` being the clause copied from the abstract;
relations. ``fill`` adds each entity's mentions (every place a name or alias occurs)
and replaces each claim's text by its offsets, so the stored label holds no abstract
text. Check the result with ``../shared/eval/validate.py``. ``gold`` joins stored labels
with the corpus into score.py's gold format, outside the repository, for the agreement
of two passes (scripts/evaluate.py scores the extractor on a split).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shared_data import EVAL, corpus_option

from kg.errors import LabelError
from kg.files import atomic_open
from kg.learn.labels import SPLITS, corpus_texts, from_draft, occurrences, read_labels, split_of, write_gold

POOL = EVAL / "train_pool.txt"


def pool_ids(pool: Path) -> list[str]:
    with pool.open(encoding="utf-8") as lines:
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def show(args: argparse.Namespace) -> int:
    ids = args.ids or pool_ids(args.pool)[args.start - 1:args.start - 1 + args.count]
    texts = corpus_texts(args.corpus, ids)
    for pid in ids:
        print(f"=== {pid}\n{texts.get(pid, '(not in the corpus)')}\n")
    return 0


def fill(args: argparse.Namespace) -> int:
    drafts = list(read_labels([args.draft]))
    texts = corpus_texts(args.corpus, (d["id"] for d in drafts))
    problems, labels = [], []
    for draft in drafts:
        text = texts.get(draft["id"])
        if text is None:
            problems.append(f"{draft['id']}: not in the corpus")
            continue
        try:
            label = from_draft(draft, text)
        except (LabelError, KeyError) as exc:
            problems.append(f"{draft['id']}: {exc}")
            continue
        for entity in label["entities"]:
            if not entity["mentions"] and entity["name"].lower() not in text.lower():
                problems.append(f"{draft['id']}: {entity['name']!r} does not occur in the text")
            for alias in entity["aliases"]:
                if not occurrences(text, alias, in_compounds=True):
                    problems.append(f"{draft['id']}: alias {alias!r} of {entity['name']!r} does not occur")
        labels.append(label)
    with atomic_open(args.out) as out:
        for label in labels:
            out.write(json.dumps(label, ensure_ascii=False) + "\n")
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{len(labels)} papers written to {args.out}; {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


def gold(args: argparse.Namespace) -> int:
    labels = [label for label in read_labels(args.labels)
              if args.split in ("all", split_of(label["id"]))]
    texts = corpus_texts(args.corpus, (label["id"] for label in labels))
    write_gold(args.out, labels, texts)
    print(f"{len(labels)} papers ({args.split}) written to {args.out}", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    corpus_option(parser)
    parser.add_argument("--pool", type=Path, default=POOL)
    commands = parser.add_subparsers(dest="command", required=True)
    shower = commands.add_parser("show", help="print papers' texts (title, blank line, abstract)")
    shower.add_argument("ids", nargs="*")
    shower.add_argument("--start", type=int, default=1, help="1-based position in the train pool")
    shower.add_argument("--count", type=int, default=10)
    filler = commands.add_parser("fill", help="turn a draft into a stored label file")
    filler.add_argument("draft", type=Path)
    filler.add_argument("-o", "--out", type=Path, required=True)
    joiner = commands.add_parser("gold", help="join labels with the corpus into score.py's gold format")
    joiner.add_argument("labels", nargs="+", type=Path)
    joiner.add_argument("--split", choices=("all", *SPLITS), default="all")
    joiner.add_argument("-o", "--out", type=Path, required=True)
    args = parser.parse_args()
    return {"show": show, "fill": fill, "gold": gold}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

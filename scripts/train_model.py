"""Train kg's entity recogniser from our labels (training/labels) and, if asked, ship it.

    python scripts/train_model.py                    # train, report, do not ship
    python scripts/train_model.py --ship             # ... and write the weights to kg/learn/model/
    python scripts/train_model.py --limit 100 --out /tmp/m100   # a learning-curve point
    python scripts/train_model.py --fold 2/4 --out out/folds/2   # trained without fold 2 of the train split
    python scripts/train_model.py --vectors V --pretrained P --prepare-only   # V and P only, for the runs after

The recogniser's encoder is first pretrained on the corpus's unlabelled abstracts (kg.learn.pretrain, the
config's [pretraining]; some 15 minutes); --vectors and --pretrained keep the word vectors and that encoder
in files for the next runs (the fold recognisers start from the same ones).

Splits (kg.learn.labels.split_of): the recogniser learns the "train" papers; the epoch kept
is the one whose entity F1 on the "tuning" papers is highest; the "validation" papers are
never trained on nor used to choose anything (--report-validation only prints their score).
Seeded: the same labels and config give the same weights. Needs ../shared (the corpus and
score.py) and the `train` extra (gensim, for the corpus word vectors).
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy
from shared_data import ROOT, require, training_options
from spacy.util import fix_random_seed, registry
from thinc.api import Config

from kg.extractor import default_model
from kg.learn import architecture  # noqa: F401  (registers kg.HostTensorTok2Vec.v1, which the config names)
from kg.learn.labels import (corpus_texts, corpus_texts_where, flat_mentions, fold_of, load_score_module, read_labels,
                             split_of)
from kg.learn.pretrain import cloze_docs, pretrain
from kg.learn.recogniser import MODEL_DIR, host_identity, model_config, save_recogniser
from kg.learn.train import examples, host_docs, predict, train_recogniser, training_host
from kg.learn.vectors import set_table, train_vectors



def doc_entities(doc) -> list[dict]:
    """A Doc's recognised spans as score.py entities: one per distinct name, typed by majority."""
    by_name: dict[str, list] = {}
    for ent in doc.ents:
        by_name.setdefault(ent.text.lower(), []).append(ent)
    return [{"name": spans[0].text, "type": Counter(s.label_ for s in spans).most_common(1)[0][0], "aliases": []}
            for spans in by_name.values()]


class EntityScorer:
    """Typed entity F1 (score.py's matching) of the recogniser alone, over Docs of the ``gold`` papers."""

    def __init__(self, score, gold: list[dict]):
        self.score, self.gold, self.last = score, gold, None

    def __call__(self, docs) -> float:
        tally = self.score.Tally()
        for gold, doc in zip(self.gold, docs):
            expected = self.score.scored_entities(gold)
            found = self.score.scored_entities({"entities": doc_entities(doc)})
            tp, fp, fn = self.score.match(expected, found, self.score.entity_same(True))
            tally.add(tp, len(fp), len(fn))
        self.last = tally
        return tally.f1


def corpus_word_vectors(host, corpus: Path, config: Config, cache: Path | None):
    """Word vectors from the corpus's raw texts, validation papers left out; read from ``cache`` if it exists."""
    if cache is not None and cache.exists():
        saved = numpy.load(cache)
        return list(saved["words"]), saved["table"]
    settings = config["vectors"]
    clock = time.perf_counter()
    texts = list(corpus_texts_where(corpus, lambda paper: split_of(paper) != "validation").values())
    sentences = [[t.norm_ for t in doc if not t.is_space] for doc in host.tokenizer.pipe(texts, batch_size=256)]
    words, table = train_vectors(sentences, settings["width"], config["training"]["seed"],
                                 settings["min_count"], settings["epochs"])
    print(f"corpus vectors: {len(words)} words from {len(texts)} texts, {time.perf_counter() - clock:.0f} s",
          file=sys.stderr)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        numpy.savez(cache, words=numpy.array(words), table=table)
    return words, table


def pretrained_encoder(host, corpus: Path, labels: list[dict], config: Config, vectors, cache: Path | None):
    """The recogniser's encoder pretrained on the corpus's unlabelled texts, validation papers left out
    (kg.learn.pretrain), as bytes; read from ``cache`` if it exists; None without vectors or pretraining."""
    settings = Config(config).interpolate()
    if cache is not None and cache.exists():
        return cache.read_bytes()
    if vectors is None or not settings["pretraining"]["docs"]:
        return None
    seed, options = settings["training"]["seed"], settings["pretraining"]
    fix_random_seed(seed)
    rng = random.Random(seed)
    labelled = {label["id"] for label in labels}
    texts = list(corpus_texts_where(corpus, lambda paper: split_of(paper) != "validation"
                                    and paper not in labelled).values())
    rng.shuffle(texts)
    clock = time.perf_counter()
    words, table = vectors
    keys = [host.vocab.strings.add(word) for word in words]
    docs = cloze_docs(host, texts[:options["docs"]], dict(zip(keys, range(len(keys)))), options["share"], rng)
    print(f"pretraining on {len(docs)} unlabelled texts, their words hidden: {time.perf_counter() - clock:.0f} s",
          file=sys.stderr)
    tok2vec = registry.resolve({"encoder": settings["model"]["tok2vec"]})["encoder"]
    set_table(tok2vec, keys, table)
    encoded = pretrain(tok2vec, docs, table, options["epochs"], options["batch_size"], options["learn_rate"], rng,
                       log_line=lambda line: print(line, file=sys.stderr)).to_bytes()
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(encoded)
    return encoded


def fold_option(text: str) -> tuple[int, int]:
    """"K/N" -> (K, N), fold K (0-based) of N."""
    try:
        left_out, folds = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected K/N, such as 0/4, not {text!r}") from None
    if not 0 <= left_out < folds:
        raise argparse.ArgumentTypeError(f"fold {left_out} is not one of 0..{folds - 1}")
    return left_out, folds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    training_options(parser)
    parser.add_argument("--config", type=Path, default=ROOT / "training" / "config.cfg")
    parser.add_argument("--limit", type=int, help="train on the first N papers of the train split only")
    parser.add_argument("--fold", type=fold_option, help="K/N: leave out fold K of N of the train split, to "
                        "predict it as a recogniser that never saw it would (train_scorers.py --folds)")
    parser.add_argument("--vectors", type=Path, help="cache file (.npz) of the corpus word vectors: read if it "
                        "exists, else trained and written there")
    parser.add_argument("--report-validation", action="store_true",
                        help="also print the recogniser's score alone on the validation split (learning curves)")
    parser.add_argument("--pretrained", type=Path, help="cache file of the encoder pretrained on unlabelled "
                        "abstracts (config [pretraining]): read if it exists, else pretrained and written there")
    parser.add_argument("--prepare-only", action="store_true",
                        help="only make the --vectors and --pretrained files the recognisers start from, so that "
                        "several recognisers can then train side by side (make model)")
    parser.add_argument("--out", type=Path, help="write the recogniser here")
    parser.add_argument("--ship", action="store_true", help=f"write the recogniser to {MODEL_DIR}")
    args = parser.parse_args()
    require(parser, args.corpus, args.score)
    if args.prepare_only and not (args.vectors and args.pretrained):
        parser.error("--prepare-only makes the --vectors and --pretrained files: give both")

    clock = time.perf_counter()
    config = Config().from_disk(args.config)
    labels = list(read_labels(sorted(args.labels.glob("*.jsonl"))))
    by_split: dict[str, list[dict]] = {}
    for label in labels:
        by_split.setdefault(split_of(label["id"]), []).append(label)
    train_labels = by_split["train"][:args.limit]
    if args.fold:
        left_out, folds = args.fold
        train_labels = [label for label in train_labels if fold_of(label["id"], folds) != left_out]
    texts = corpus_texts(args.corpus, (label["id"] for label in labels))
    host_name = default_model()
    host = training_host()
    print(f"{len(labels)} labelled papers: train on {len(train_labels)}, choose the epoch on "
          f"{len(by_split['tuning'])}; host {host_name}", file=sys.stderr)
    vectors = corpus_word_vectors(host, args.corpus, config, args.vectors) if config["vectors"]["width"] else None
    pretrained = pretrained_encoder(host, args.corpus, labels, config, vectors, args.pretrained)
    if args.prepare_only:
        print(f"{args.vectors} and {args.pretrained} ready: {time.perf_counter() - clock:.0f} s", file=sys.stderr)
        return 0
    train = examples(host_docs(host, (texts[label["id"]] for label in train_labels)),
                     [flat_mentions(label) for label in train_labels])
    score = load_score_module(args.score)
    tuning_docs = host_docs(host, (texts[label["id"]] for label in by_split["tuning"]))
    trainer, log = train_recogniser(host, train, config, EntityScorer(score, by_split["tuning"]), tuning_docs,
                                    vectors, log_line=lambda line: print(line, file=sys.stderr), pretrained=pretrained)
    print(f"best epoch {log.best_epoch}: tuning entity F1 (typed, recogniser alone) {log.best_score:.3f}; "
          f"{time.perf_counter() - clock:.0f} s in all", file=sys.stderr)
    if args.report_validation:
        held_out = by_split["validation"]
        scorer = EntityScorer(score, held_out)
        scorer(predict(trainer, host_docs(host, (texts[label["id"]] for label in held_out))))
        print(scorer.last.row(f"validation ({len(held_out)} papers), recogniser alone, typed"), file=sys.stderr)
    out = MODEL_DIR if args.ship else args.out
    if out is not None:
        meta = {"host": list(host_identity(host)), "model": model_config(config),
                "papers": len(train_labels), "fold": list(args.fold) if args.fold else None,
                "best_epoch": log.best_epoch, "tuning_entity_f1": round(log.best_score, 4), "epochs": log.epochs}
        save_recogniser(trainer, out, meta)
        print(f"written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

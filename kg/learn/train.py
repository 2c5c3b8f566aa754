"""Training the entity recogniser on our labels: seeded, on two cores, within minutes.

The host pipeline (the stock English model) turns each text into a Doc with its
token vectors; the recogniser learns the labels' flat mentions over them. After
each epoch a caller-given function scores the recogniser on papers it is not
trained on (the dev set), and the best epoch is kept.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch
from thinc.api import Adam, Config

from kg.extract.pipeline import load_host
from kg.extractor import default_model
from kg.learn.recogniser import RECOGNISER, add_recogniser, model_config
from kg.learn.vectors import set_table

# (Docs with the recogniser's doc.ents set) -> a score to maximise, e.g. dev entity F1
Selector = Callable[[list[Doc]], float]


def training_host() -> Language:
    """The host pipeline the recogniser trains over: the stock model kg extracts with, tokenizing as kg does."""
    return load_host(default_model())


@dataclass
class TrainingLog:
    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    best_score: float = -1.0


def host_docs(host: Language, texts: Iterable[str], batch_size: int = 64) -> list[Doc]:
    """Docs with the host's tokens and token vectors (``doc.tensor``): what the recogniser reads."""
    with host.select_pipes(enable=["tok2vec"]):
        return list(host.pipe(texts, batch_size=batch_size))


def examples(docs: list[Doc], spans: list[list[tuple[int, int, str]]]) -> list[Example]:
    """Training examples; a span that does not fall on token edges is cut to the tokens inside it
    ("GPT-4o" in "GPT-4o's"), or dropped if none are."""
    out = []
    for doc, doc_spans in zip(docs, spans):
        aligned = [doc.char_span(s, e, label=t, alignment_mode="contract") for s, e, t in doc_spans]
        entities = [(span.start_char, span.end_char, span.label_) for span in aligned if span is not None]
        out.append(Example.from_dict(doc, {"entities": entities}))
    return out


def predict(trainer: Language, docs: list[Doc]) -> list[Doc]:
    """Copies of ``docs`` with the recogniser's entities (the recogniser keeps entities a Doc already has,
    so each prediction starts from none)."""
    recogniser = trainer.get_pipe(RECOGNISER)
    out = []
    for doc in docs:
        fresh = doc.copy()
        fresh.set_ents([], default="missing")
        out.append(recogniser(fresh))
    return out


def train_recogniser(host: Language, train: list[Example], config: Config, select: Selector,
                     select_docs: list[Doc], vectors: tuple[list[str], numpy.ndarray] | None = None,
                     log_line: Callable[[str], None] = print,
                     pretrained: bytes | None = None) -> tuple[Language, TrainingLog]:
    """The recogniser of the best epoch by ``select`` over ``select_docs``, trained on ``train``,
    with ``vectors`` (words, table) as its corpus word vectors, its encoder starting from the ``pretrained``
    one's weights (kg.learn.pretrain) when given."""
    settings = Config(config).interpolate()["training"]
    fix_random_seed(settings["seed"])
    order = random.Random(settings["seed"])
    trainer = Language(host.vocab)
    recogniser = add_recogniser(trainer, model_config(config), after=None)
    if vectors is not None:
        words, table = vectors
        set_table(recogniser.model, [host.vocab.strings.add(word) for word in words], table)
    trainer.initialize(lambda: train)
    if pretrained is not None:
        recogniser.model.get_ref("tok2vec").layers[0].from_bytes(pretrained)  # the parser wraps it in a projection
    optimizer = Adam(settings["learn_rate"])
    log = TrainingLog()
    best: bytes | None = None
    clock = time.perf_counter()
    stale = 0
    train = list(train)
    for epoch in range(1, settings["epochs"] + 1):
        order.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=settings["batch_size"]):
            trainer.update(batch, sgd=optimizer, drop=settings["dropout"], losses=losses)
        with trainer.get_pipe(RECOGNISER).model.use_params(optimizer.averages):
            score = select(predict(trainer, select_docs))
        log.epochs.append({"epoch": epoch, "loss": round(float(losses.get(RECOGNISER, 0.0)), 2),
                           "score": round(float(score), 4)})
        log_line(f"epoch {epoch:>2}  loss {losses.get(RECOGNISER, 0.0):9.1f}  score {score:.3f}  "
                 f"({time.perf_counter() - clock:.0f} s)")
        if score > log.best_score:
            log.best_epoch, log.best_score, stale = epoch, score, 0
            with trainer.get_pipe(RECOGNISER).model.use_params(optimizer.averages):
                best = trainer.get_pipe(RECOGNISER).to_bytes(exclude=["vocab"])
        else:
            stale += 1
            if stale >= settings["patience"]:
                break
    if best is not None:
        trainer.get_pipe(RECOGNISER).from_bytes(best, exclude=["vocab"])
    return trainer, log


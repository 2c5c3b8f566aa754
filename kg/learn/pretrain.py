"""Pretraining the recogniser's token encoder on raw corpus abstracts, before it sees a label.

Our labels cover some 2,000 papers; the corpus holds ten times as many. Each
unlabelled abstract teaches the encoder by a cloze: a share of its words are
hidden (the host's tok2vec reads the hidden text too, so no word leaks through
its neighbours' vectors) and the encoder learns to say, from the words around,
each hidden word's corpus vector (kg.learn.vectors). A name it never saw
labelled ("SHADE-Arena") then still reads as the kind of thing its context
says. The trained encoder starts the recogniser (kg.learn.train); nothing of
this runs or ships at extraction time.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Adam, Linear, Model
from thinc.types import Floats2d

HIDDEN = "\u2047"  # the word a hidden word is replaced by: no English text writes it


@dataclass(frozen=True)
class ClozeDoc:
    """A text with some words hidden, read by the host, and for each hidden word its row in the vector table."""

    doc: Doc
    positions: numpy.ndarray
    rows: numpy.ndarray


def cloze_docs(host: Language, texts: Iterable[str], rows_by_norm: dict[int, int], share: float,
               rng: random.Random, batch_size: int = 64) -> list[ClozeDoc]:
    """Each text with ``share`` of its words that have a corpus vector hidden, as the host's tok2vec reads it."""
    hidden: list[ClozeDoc] = []
    for doc in host.tokenizer.pipe(texts, batch_size=256):
        words = [t.text for t in doc]
        positions, rows = [], []
        for token in doc:
            row = rows_by_norm.get(token.norm) if not token.is_space and rng.random() < share else None
            if row is not None:
                positions.append(token.i)
                rows.append(row)
                words[token.i] = HIDDEN
        masked = Doc(host.vocab, words=words, spaces=[bool(t.whitespace_) for t in doc])
        hidden.append(ClozeDoc(masked, numpy.array(positions, dtype="int64"), numpy.array(rows, dtype="int64")))
    encoder = host.get_pipe("tok2vec")
    for start in range(0, len(hidden), batch_size):
        for _ in encoder.pipe([c.doc for c in hidden[start:start + batch_size]]):
            pass  # leaves doc.tensor set
    return hidden


def cosine_loss(predicted: Floats2d, target: Floats2d) -> tuple[float, Floats2d]:
    """Summed 1 - cos(predicted, target) over rows, and its gradient; ``target`` rows have unit length."""
    norm = numpy.linalg.norm(predicted, axis=1, keepdims=True) + 1e-8
    unit = predicted / norm
    cos = (unit * target).sum(axis=1, keepdims=True)
    return float((1.0 - cos).sum()), (-(target - cos * unit) / norm).astype("float32")


def pretrain(tok2vec: Model[list[Doc], list[Floats2d]], docs: list[ClozeDoc], table: numpy.ndarray, epochs: int,
             batch_size: int, learn_rate: float, rng: random.Random,
             log_line: Callable[[str], None] = print) -> Model[list[Doc], list[Floats2d]]:
    """Train ``tok2vec`` (its corpus-vector table already set) to tell each hidden word's vector."""
    width = tok2vec.get_dim("nO")
    head = Linear(table.shape[1], width)
    tok2vec.initialize(X=[c.doc for c in docs[:8]])
    head.initialize(X=numpy.zeros((1, width), dtype="float32"), Y=numpy.zeros((1, table.shape[1]), dtype="float32"))
    optimizer = Adam(learn_rate)
    order = list(range(len(docs)))
    clock = time.perf_counter()
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        total, count = 0.0, 0
        for start in range(0, len(order), batch_size):
            batch = [docs[i] for i in order[start:start + batch_size]]
            outputs, backprop = tok2vec.begin_update([c.doc for c in batch])
            hidden = numpy.concatenate([out[c.positions] for out, c in zip(outputs, batch)])
            if not len(hidden):
                continue
            predicted, backprop_head = head.begin_update(hidden)
            loss, d_predicted = cosine_loss(predicted, table[numpy.concatenate([c.rows for c in batch])])
            d_hidden = backprop_head(d_predicted)
            d_outputs, at = [], 0
            for out, c in zip(outputs, batch):
                d_out = numpy.zeros_like(out)
                d_out[c.positions] = d_hidden[at:at + len(c.positions)]
                at += len(c.positions)
                d_outputs.append(d_out)
            backprop(d_outputs)
            tok2vec.finish_update(optimizer)
            head.finish_update(optimizer)
            total, count = total + loss, count + len(hidden)
        log_line(f"pretraining epoch {epoch}: cosine loss {total / max(count, 1):.4f} "
                 f"({time.perf_counter() - clock:.0f} s)")
    return tok2vec

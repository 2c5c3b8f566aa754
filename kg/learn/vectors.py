"""Word vectors of our own, learned from the corpus's raw abstracts (no labels), for the recogniser.

A name the labels never show ("SHADE-Arena", "MedHopQA") still stands in the
corpus beside words that say what it is ("benchmark", "evaluated on"); vectors
trained on those contexts carry that to the recogniser. The table lives inside
the recogniser's weights: sorted norm hashes and one row of floats per word.
"""
from __future__ import annotations

import zlib
from typing import Callable, Iterable

import numpy
from spacy.attrs import NORM
from spacy.tokens import Doc
from thinc.api import Model
from thinc.types import Floats2d


def corpus_vectors(width: int) -> Model[list[Doc], list[Floats2d]]:
    """Each token's vector by its norm (zeros for words the table lacks); fixed, not trained further."""
    return Model("kg_corpus_vectors", _forward, dims={"nO": width},
                 attrs={"keys": numpy.zeros(0, dtype="uint64"), "table": numpy.zeros((0, width), dtype="float32")})


def _forward(model: Model, docs: list[Doc], is_train: bool) -> tuple[list[Floats2d], Callable]:
    keys, table = model.attrs["keys"], model.attrs["table"]
    out = []
    for doc in docs:
        norms = doc.to_array([NORM]).astype("uint64").reshape(-1)
        if len(keys) == 0:
            out.append(model.ops.alloc2f(len(doc), model.get_dim("nO")))
            continue
        rows = numpy.minimum(numpy.searchsorted(keys, norms), len(keys) - 1)
        vectors = table[rows] * (keys[rows] == norms)[:, None]
        out.append(model.ops.asarray2f(vectors))
    return out, lambda d_out: []


def set_table(model: Model, vocab_keys: Iterable[int], vectors: numpy.ndarray) -> None:
    """Put a table (one row per key) into every corpus-vectors layer of ``model``."""
    keys = numpy.asarray(list(vocab_keys), dtype="uint64")
    order = numpy.argsort(keys)
    for layer in model.walk():
        if layer.name == "kg_corpus_vectors":
            layer.attrs["keys"] = keys[order]
            layer.attrs["table"] = numpy.ascontiguousarray(vectors[order], dtype="float32")


def _stable_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


def train_vectors(sentences: list[list[str]], width: int, seed: int, min_count: int = 5,
                  epochs: int = 5) -> tuple[list[str], numpy.ndarray]:
    """Skip-gram vectors (gensim, one worker so the result is the same on every run) of the words in
    ``sentences`` seen at least ``min_count`` times; rows scaled to unit length."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences=sentences, vector_size=width, window=5, min_count=min_count, sg=1, negative=5,
                     epochs=epochs, workers=1, seed=seed, hashfxn=_stable_hash)
    words = list(model.wv.index_to_key)
    table = model.wv.vectors.astype("float32")
    table /= numpy.maximum(numpy.linalg.norm(table, axis=1, keepdims=True), 1e-6)
    return words, table

"""A linear softmax over a few outcomes with sparse string features: the learned scorers' model.

Small enough to read: weights are a dict from feature to one row of logits, saved
as gzipped JSON in the package, trained by full-batch Adam in numpy, seeded.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

Example = tuple[Sequence[str], Iterable[str], str]  # features, allowed outcomes (besides the first), outcome


class LinearModel:
    """Scores ``outcomes``; the first is the default ("no relation", "not the subject"), always allowed."""

    def __init__(self, outcomes: Sequence[str], weights: dict[str, np.ndarray], threshold: float):
        self.outcomes = tuple(outcomes)
        self.weights = weights
        self.threshold = threshold

    def probabilities(self, features: Iterable[str], allowed: Iterable[str]) -> dict[str, float]:
        """Each allowed outcome's probability, the default left out."""
        logits = np.zeros(len(self.outcomes))
        for feature in dict.fromkeys(features):  # each counts once, as in training
            row = self.weights.get(feature)
            if row is not None:
                logits += row
        keep = [0] + [self.outcomes.index(t) for t in allowed]
        chosen = logits[keep]
        exp = np.exp(chosen - chosen.max())
        probs = exp / exp.sum()
        return {self.outcomes[i]: float(p) for i, p in zip(keep[1:], probs[1:])}

    def best(self, features: Iterable[str], allowed: Iterable[str]) -> str | None:
        """The most likely allowed outcome if it clears the threshold, else None."""
        probs = self.probabilities(features, allowed)
        if not probs:
            return None
        kind = max(probs, key=probs.get)
        return kind if probs[kind] >= self.threshold else None

    def save(self, path: Path) -> None:
        data = {"outcomes": self.outcomes, "threshold": self.threshold,
                "weights": {f: [round(float(x), 4) for x in row] for f, row in sorted(self.weights.items())}}
        with gzip.open(path, "wt", encoding="utf-8") as out:
            json.dump(data, out, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path, outcomes: Sequence[str]) -> LinearModel:
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            data = json.load(stream)
        if tuple(data["outcomes"]) != tuple(outcomes):
            raise ValueError(f"{path}: trained for outcomes {data['outcomes']}, not {tuple(outcomes)}")
        return cls(outcomes, {f: np.asarray(row) for f, row in data["weights"].items()}, data["threshold"])


def train(examples: Sequence[Example], outcomes: Sequence[str], l2: float = 1e-3, steps: int = 300,
          learning_rate: float = 0.1, seed: int = 0) -> dict[str, np.ndarray]:
    """Weights fitted by full-batch Adam on the softmax loss over each example's allowed outcomes."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, (features, _, _) in enumerate(examples):
        for f in sorted(set(features)):  # not set order, which varies by process: the same vocabulary every run
            rows.append(i)
            cols.append(vocab.setdefault(f, len(vocab)))
    rows_a, cols_a = np.asarray(rows), np.asarray(cols)
    n, k = len(examples), len(outcomes)
    mask = np.full((n, k), -np.inf)
    gold = np.zeros((n, k))
    for i, (_, allowed, outcome) in enumerate(examples):
        mask[i, 0] = 0.0
        for t in allowed:
            mask[i, outcomes.index(t)] = 0.0
        gold[i, outcomes.index(outcome)] = 1.0
    rng = np.random.default_rng(seed)
    w = rng.normal(0, 1e-3, (len(vocab), k))
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        logits = np.stack([np.bincount(rows_a, w[cols_a, j], n) for j in range(k)], axis=1) + mask
        logits -= logits.max(axis=1, keepdims=True)
        probs = np.exp(logits)
        probs /= probs.sum(axis=1, keepdims=True)
        err = (probs - gold) / n
        grad = np.stack([np.bincount(cols_a, err[rows_a, j], len(vocab)) for j in range(k)], axis=1) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        w -= learning_rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return {f: w[i] for f, i in vocab.items() if np.abs(w[i]).max() >= 1e-3}

"""kg.learn.linear: the learned scorers' linear softmax, trained, thresholded, saved and loaded."""
import gzip
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from kg.learn.linear import LinearModel, train

OUTCOMES = ("-", "USES", "ADDRESSES")
EXAMPLES = ([(["bias", "verb:use"], ("USES", "ADDRESSES"), "USES")] * 20
            + [(["bias", "prep:for"], ("USES", "ADDRESSES"), "ADDRESSES")] * 20
            + [(["bias", "far"], ("USES", "ADDRESSES"), "-")] * 40)


def test_linear_learns_which_outcome_each_feature_signals():
    model = LinearModel(OUTCOMES, train(EXAMPLES, OUTCOMES), threshold=0.5)
    assert model.best(["bias", "verb:use"], ("USES", "ADDRESSES")) == "USES"
    assert model.best(["bias", "prep:for"], ("USES", "ADDRESSES")) == "ADDRESSES"
    assert model.best(["bias", "far"], ("USES", "ADDRESSES")) is None


def test_linear_only_allowed_outcomes_compete():
    model = LinearModel(OUTCOMES, train(EXAMPLES, OUTCOMES), threshold=0.0)
    assert model.best(["bias", "verb:use"], ("ADDRESSES",)) == "ADDRESSES"
    assert set(model.probabilities(["bias", "verb:use"], ("ADDRESSES",))) == {"ADDRESSES"}
    assert model.best(["bias", "verb:use"], ()) is None


def test_linear_threshold_keeps_only_the_sure():
    weights = {"cue": np.array([0.0, 1.0, 0.0])}
    probability = LinearModel(OUTCOMES, weights, 0.0).probabilities(["cue"], ("USES",))["USES"]
    assert LinearModel(OUTCOMES, weights, probability - 0.01).best(["cue"], ("USES",)) == "USES"
    assert LinearModel(OUTCOMES, weights, probability + 0.01).best(["cue"], ("USES",)) is None


def test_linear_training_is_deterministic_for_a_seed():
    first, second = train(EXAMPLES, OUTCOMES, steps=50), train(EXAMPLES, OUTCOMES, steps=50)
    assert first.keys() == second.keys()
    assert all(np.array_equal(first[f], second[f]) for f in first)


TRAIN_IN_A_PROCESS = ("import hashlib; from kg.learn.linear import train; import tests.test_learn_linear as t; "
                      "w = train(t.EXAMPLES, t.OUTCOMES, steps=50); "
                      "print(hashlib.sha1(repr(sorted((f, r.tolist()) for f, r in w.items())).encode()).hexdigest())")


def test_linear_training_is_the_same_in_every_process():
    """Strings hash differently in each process, and so iterate sets in another order: the weights must not."""
    digests = set()
    for seed in ("1", "2", "3"):
        done = subprocess.run([sys.executable, "-c", TRAIN_IN_A_PROCESS], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        digests.add(done.stdout.strip())
    assert len(digests) == 1, digests


def test_linear_a_repeated_feature_counts_once_as_in_training():
    model = LinearModel(OUTCOMES, train(EXAMPLES, OUTCOMES, steps=50), threshold=0.0)
    once = model.probabilities(["bias", "verb:use"], ("USES", "ADDRESSES"))
    assert model.probabilities(["bias", "verb:use", "verb:use", "bias"], ("USES", "ADDRESSES")) == once


def test_linear_save_and_load_round_trip(tmp_path):
    model = LinearModel(OUTCOMES, train(EXAMPLES, OUTCOMES, steps=50), threshold=0.35)
    model.save(tmp_path / "w.json.gz")
    loaded = LinearModel.load(tmp_path / "w.json.gz", OUTCOMES)
    assert loaded.threshold == 0.35
    for features in (["bias", "verb:use"], ["bias", "far"]):
        expected = model.probabilities(features, ("USES", "ADDRESSES"))
        assert loaded.probabilities(features, ("USES", "ADDRESSES")) == pytest.approx(expected, abs=1e-3)


def test_linear_load_refuses_weights_for_other_outcomes(tmp_path):
    with gzip.open(tmp_path / "w.json.gz", "wt") as out:
        json.dump({"outcomes": ["-", "USES"], "threshold": 0.5, "weights": {}}, out)
    with pytest.raises(ValueError, match="trained for outcomes"):
        LinearModel.load(tmp_path / "w.json.gz", OUTCOMES)

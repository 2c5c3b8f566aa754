"""kg.results.comparable: a claim's canonical metric, kind, change and direction.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from collections import Counter

import pytest
from samples import claim_in
from shared_data import CORPUS

from kg.results.comparable import comparable, improves, metric_named, metrics


# -- the metric table ------------------------------------------------------------------------

@pytest.mark.parametrize("written, canonical", [
    ("accuracy", "accuracy"), ("acc.", "accuracy"), ("Top-1 accuracy", "accuracy"),
    ("GSM8K zero-shot accuracy", "accuracy"), ("top-5 accuracy", "top-5 accuracy"), ("pass@1", "pass@1"),
    ("speed-up", "speedup"), ("decoding speedup", "speedup"), ("faster", "speedup"),
    ("WER", "WER"), ("word error rate", "WER"), ("PPL", "perplexity"), ("macro-F1", "F1"),
    ("peak memory consumption", "memory"), ("inference latency", "latency"),
])
def test_comparable_written_metrics_name_their_canonical_metric(written, canonical):
    assert metric_named(written).name == canonical


@pytest.mark.parametrize("written", ["them", "accumulated error", "tempo", "map of the city", None, ""])
def test_comparable_words_that_only_contain_a_metric_name_none(written):
    # "em" inside "them", "acc" inside "accumulated": variants are whole words only
    found = metric_named(written)
    assert found is None or written == "map of the city" and found.name == "mAP"


def test_comparable_every_metric_has_a_direction_and_no_variant_is_claimed_twice():
    seen = Counter(v for m in metrics() for v in m.variants)
    assert {m.better for m in metrics()} == {"higher", "lower"}
    assert [v for v, n in seen.items() if n > 1] == []
    assert {"accuracy": "higher", "WER": "lower", "perplexity": "lower", "latency": "lower",
            "speedup": "higher"}.items() <= {m.name: m.better for m in metrics()}.items()


@pytest.mark.seeds
@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpora is not here")
def test_comparable_every_metric_variant_is_earned_by_corpus_examples():
    from kg.results.comparable import _variant_pattern

    pattern, by_variant = _variant_pattern()
    seen: Counter = Counter()
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for line in f:
            for sentence in re.split(r"(?<=[.!?])\s+", json.loads(line).get("abstract") or ""):
                if re.search(r"\d", sentence):
                    seen.update({m.group(0).lower() for m in pattern.finditer(sentence)})
    per_metric = Counter()
    for variant, metric in by_variant.items():
        per_metric[metric.name] += seen[variant]
    assert {v for v in by_variant if seen[v] == 0} == set()
    assert {m: n for m, n in per_metric.items() if n < 5} == {}


# -- kind, change and direction ----------------------------------------------------------------

def test_comparable_a_reduction_said_either_way_is_the_same_claim():
    before = comparable(claim_in("Quillon reduces latency by 40% on the serving benchmark.", "40", unit="%",
                                 metric="latency"))
    after = comparable(claim_in("Quillon reaches 40% lower latency than the serving baseline.", "40", unit="%",
                                metric="latency"))
    assert before == after
    assert (before.canonical_metric, before.kind, before.change, before.better) == ("latency", "gain", "down", "lower")
    assert improves(before.better, before.change) is True


@pytest.mark.parametrize("sentence, number, unit, metric, kind", [
    ("Quillon reaches an accuracy of 92.3 on the reading split.", "92.3", None, "accuracy", "score"),
    ("Quillon scores 81.5% accuracy on the reading split.", "81.5", "%", "accuracy", "score"),
    ("Quillon improves accuracy by +4.1 points over the baseline.", "4.1", "points", "accuracy", "gain"),
    ("Quillon improves accuracy by 16% over the baseline.", "16", "%", "accuracy", "gain"),
    ("Quillon gives a 2.2x speedup over greedy decoding.", "2.2", "x", "speedup", "gain"),
    ("Quillon handles contexts of up to 380K tokens.", "380K", "tokens", None, "budget"),
    ("Quillon fits in 7 GB of memory at inference.", "7", "GB", "memory", "score"),
])
def test_comparable_the_kind_of_number(sentence, number, unit, metric, kind):
    result = comparable(claim_in(sentence, number, unit=unit, metric=metric))
    assert result.kind == kind


def test_comparable_a_change_word_as_metric_takes_the_metric_named_beside_the_number():
    # the extractor may keep only "improvement" as the metric; the clause names what improved
    found = comparable(claim_in("Quillon shows a 9% improvement in answer accuracy on the test split.", "9",
                                unit="%", metric="improvement"))
    assert (found.canonical_metric, found.kind, found.change) == ("accuracy", "gain", "up")


def test_comparable_better_words_move_a_lower_is_better_metric_down():
    found = comparable(claim_in("Quillon outperforms the reference model by 1.0 PPL on the web split.", "1.0",
                                metric="PPL"))
    assert (found.canonical_metric, found.kind, found.change) == ("perplexity", "gain", "down")
    assert improves(found.better, found.change) is True


def test_comparable_a_cue_after_another_clause_does_not_set_the_change():
    found = comparable(claim_in("Quillon improves accuracy by 3.2% while reducing the forgetting rate.", "3.2",
                                unit="%", metric="accuracy"))
    assert found.change == "up"


def test_comparable_a_longer_context_is_not_a_speedup():
    found = comparable(claim_in("Quillon gives a 4x context length extension on one node.", "4", unit="x",
                                metric="context length extension"))
    assert found.canonical_metric != "speedup"


def test_comparable_spelled_multiples_are_read_as_numbers():
    row = claim_in("Quillon offers ten-fold throughput on one device.", "ten", unit="x", metric="throughput",
                   value_min=10.0)
    assert comparable(row).canonical_metric == "throughput"


@pytest.mark.parametrize("sentence, number, metric", [
    ("Accuracy on Fenbench drops by at least 50% under paraphrase.", "50", "accuracy"),
    ("Quillon brings an accuracy improvement of 14.0% on Fenbench.", "14.0", "accuracy improvement"),
    ("Quillon yields maximum accuracy gains of 9.3% on Fenbench.", "9.3", "maximum accuracy gains"),
    ("With Quillon, the base model gains 4.1% accuracy on Fenbench.", "4.1", "accuracy"),
])
def test_comparable_changes_written_in_other_ways_are_gains(sentence, number, metric):
    found = comparable(claim_in(sentence, number, unit="%", metric=metric))
    assert (found.canonical_metric, found.kind) == ("accuracy", "gain")


@pytest.mark.parametrize("sentence, number, subject, metric, why", [
    ("LLMs reach only 41.2% accuracy on Fenbench.", "41.2", "LLMs", "accuracy", "unnamed subject"),
    ("Our method reaches 41.2% accuracy on Fenbench.", "41.2", "our method", "accuracy", "unnamed subject"),
    ("Accuracy on Fenbench falls by 3% under pruning.", "3", "Accuracy", "accuracy", "unnamed subject"),
    ("The Flarn module adds 2.1% accuracy on Fenbench.", "2.1", "Flarn module", "accuracy", "a part of a method"),
    ("Under adversarial attack, Quillon keeps 62.3% accuracy on Fenbench.", "62.3", "Quillon", "accuracy",
     "special setting (adversarial)"),
    ("Quillon reaches 88.1% accuracy on a filtered subset of Fenbench.", "88.1", "Quillon", "accuracy",
     "special setting (filtered)"),
    ("Quillon scores 70.2% accuracy on corrupted Fenbench images.", "70.2", "Quillon", "accuracy",
     "special setting (corrupted)"),
    ("Quillon matches Marlo accuracy while using 33% fewer model calls.", "33", "Quillon", "accuracy",
     "counts another thing"),
    ("An LLM-enhanced planner runs 40% faster than Marlo.", "40", "LLM-enhanced algorithm", "speedup",
     "unnamed subject"),
    ("With one typo, the accuracy of Quillon drops from 43.7% to 38.6% on Fenbench.", "38.6", "Quillon", "accuracy",
     "special setting (after a drop)"),
])
def test_comparable_doubtful_claims_say_why(sentence, number, subject, metric, why):
    assert comparable(claim_in(sentence, number, unit="%", metric=metric, subject=subject)).doubt == why


def test_comparable_doubts_read_the_claim_cues_without_spacy():
    # kg results runs on a store alone: its doubts share the extractor's cue words but not its imports.
    check = ("import sys; from kg.records import Claim; from kg.results.comparable import comparable; "
             "text = 'our retrieval module adds 3.1% accuracy'; "
             "claim = Claim('3.1', 26, 29, text, 0, len(text), subject='our retrieval module', unit='%', "
             "metric='accuracy'); "
             "print(comparable(claim).doubt, 'spacy' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["a", "part", "of", "a", "method", "False"]


@pytest.mark.parametrize("sentence, number, metric", [
    ("Quillon reaches 81.5% accuracy on Fenbench.", "81.5", "accuracy"),
    ("Quillon needs 3x less memory than Marlo.", "3", "memory"),
    ("Quillon-2B lowers WER by 12% on the call-centre split.", "12", "WER"),
    ("STATIC achieves a 948x speedup over a CPU trie.", "948", "speedup"),  # a common word, written as a name
])
def test_comparable_plain_claims_have_no_doubt(sentence, number, metric):
    assert comparable(claim_in(sentence, number, unit="%", metric=metric, subject=sentence.split()[0])).doubt is None


@pytest.mark.parametrize("sentence, number, reference", [
    ("Quillon achieves 72.1% accuracy on Fenbench, surpassing Marlo with 65.3%.", "65.3", True),
    ("Quillon achieves 72.1% accuracy on Fenbench, outperforming Marlo at 65.3%.", "65.3", True),
    ("Quillon reaches a perplexity of 16.9, surpassing Marlo with a perplexity of 75.1.", "75.1", True),
    ("Quillon achieves 72.1% accuracy on Fenbench, surpassing Marlo with 5.1% higher accuracy.", "5.1", False),
    ("Quillon surpasses Marlo with 72.1% accuracy on Fenbench.", "72.1", False),
])
def test_comparable_a_beaten_baseline_s_number_is_a_reference(sentence, number, reference):
    assert comparable(claim_in(sentence, number, unit="%", metric="accuracy")).reference is reference


def test_comparable_every_number_of_a_list_of_changes_is_a_gain():
    sentence = "Quillon improves accuracy by 3.1% and 2.4% on Fenbench and Marlobench."
    found = [comparable(claim_in(sentence, n, unit="%", metric="accuracy")) for n in ("3.1", "2.4")]
    assert [(f.kind, f.change) for f in found] == [("gain", "up"), ("gain", "up")]

"""kg_claims: which numbers are results, and what each one is about.

Every sentence here is written for these tests (no abstract is copied); the
entity names are invented so that the tests do not lean on a lexicon.
"""
from __future__ import annotations

import gzip
import json
import math
import re

import pytest
from conftest import claims_of, only_claim
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from shared_data import CORPUS

from kg.numbers import as_value, find_numbers, parse_value
from kg.records import Paper


# -- units ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, value, unit", [
    ("Quillon achieves a 3.1x speedup over greedy decoding.", "3.1", "x"),
    ("Quillon reduces memory by 4.5$\\times$ compared to full fine-tuning.", "4.5", "x"),
    ("Quillon improves throughput by 2.7\u00d7 on long prompts.", "2.7", "x"),
    ("Quillon runs 6 \\times faster than the reference solver.", "6", "x"),
    ("Quillon shrinks the index 12-fold without loss of recall.", "12", "x"),
    ("Quillon raises accuracy by 12% on the held-out split.", "12", "%"),
    ("Quillon reaches 41.2\\% mAP on the detection track.", "41.2", "%"),
    ("Quillon lowers the word error rate by 8 percent.", "8", "%"),
    ("Quillon gains 1.8 dB in PSNR over the wavelet codec.", "1.8", "dB"),
    ("Quillon improves exact match by 3.4 points.", "3.4", "points"),
    ("Quillon lifts recall by 2.5pp over the strongest baseline.", "2.5", "pp"),
    ("Quillon renders novel views at 120 FPS on a laptop GPU.", "120", "FPS"),
    ("Quillon extends the usable context to up to 380K tokens.", "380K", "tokens"),
    ("Quillon answers a query in only 35 ms on average.", "35", "ms"),
    ("Quillon keeps accuracy at 90+% while pruning heads.", "90", "%"),
    ("Quillon reaches 77.7$\\%$ accuracy on Glorbench.", "77.7", "%"),
    ("Quillon shrinks the index by 1.79\\(\\times\\) over Marlo.", "1.79", "x"),
    ("Quillon lowers grade-level complexity (up to -6.87 points).", "-6.87", "points"),
    ("Quillon needs $\\approx10$x less compute than Marlo.", "10", "x"),
    ("Quillon reaches a read latency of 750ns under contention.", "750", "ns"),
    ("Quillon reaches a traversal latency of 3.09us at the largest size.", "3.09", "us"),
    ("Quillon lifts the success rate by 4.5%p over the planner.", "4.5", "pp"),
    ("Quillon matches Marlo-70B with just 2.7B.", "2.7B", None),  # a bare scale is the value's, not a unit
])
def test_claims_unit_forms(nlp, sentence, value, unit):
    claim = only_claim(nlp, sentence)
    assert (claim.value, claim.unit) == (value, unit)


@pytest.mark.parametrize("sentence, value, low", [
    ("Quillon is three times faster than the greedy planner.", "three", 3.0),
    ("Quillon yields a twofold reduction in latency.", "two", 2.0),
    ("Quillon delivers a five-fold increase in throughput.", "five", 5.0),
])
def test_claims_spelled_out_multiples(nlp, sentence, value, low):
    claim = only_claim(nlp, sentence)
    assert (claim.value, claim.unit, claim.value_min) == (value, "x", low)


@pytest.mark.parametrize("sentence, value, low, high", [
    ("Quillon accelerates generation by 2.3-3.6x.", "2.3-3.6", 2.3, 3.6),
    ("Quillon cuts the parameter count by 24%-30%.", "24-30", 24.0, 30.0),
    ("Quillon lowers latency by 10\u201320%.", "10-20", 10.0, 20.0),
    ("Quillon reaches 80--92\\% accuracy across the suites.", "80-92", 80.0, 92.0),
    ("Quillon improves F1 by +5.8-9.2 pp on every language.", "5.8-9.2", 5.8, 9.2),
    ("Quillon raises throughput by 6.7x-12.6x over greedy decoding.", "6.7-12.6", 6.7, 12.6),
])
def test_claims_ranges_are_one_claim(nlp, sentence, value, low, high):
    claim = only_claim(nlp, sentence)
    assert (claim.value, claim.value_min, claim.value_max) == (value, low, high)


def test_claims_from_to_gives_two_claims(nlp):
    _, claims = claims_of(nlp, "Quillon raises the success rate from 61% to 74% on the seen rooms.")
    assert [c.value for c in claims] == ["61", "74"]


@pytest.mark.parametrize("sentence, qualifier", [
    ("Quillon speeds up decoding by up to 4.1x.", "up to"),
    ("Quillon achieves over 2.2x speedup.", "over"),
    ("Quillon is about 20 times faster than the solver.", "about"),
    ("Quillon is approximately 20 times faster than the solver.", "about"),
    ("Quillon reduces training cost by nearly 40%.", "nearly"),
    ("Quillon reduces training cost by almost 40%.", "nearly"),
    ("Quillon improves recall by more than 9%.", "over"),
    ("Quillon improves recall by at least 9%.", "at least"),
    ("Quillon recovers up to ~83% of the lost accuracy.", "up to"),
    ("Quillon needs only 0.3% of the labelled data to match the teacher.", "only"),
])
def test_claims_qualifiers(nlp, sentence, qualifier):
    assert only_claim(nlp, sentence).qualifier == qualifier


# -- bare numbers with a metric ----------------------------------------------------------

@pytest.mark.parametrize("sentence, value", [
    ("Quillon obtains an accuracy of 92.3 on the test set.", "92.3"),
    ("Quillon scores 35.2 BLEU on the news track.", "35.2"),
    ("Quillon reaches an F1 score of 0.87 on the clinical notes.", "0.87"),
    ("Quillon keeps coherence high (mean 0.81) across the prompts.", "0.81"),
])
def test_claims_bare_numbers_with_metric(nlp, sentence, value):
    assert only_claim(nlp, sentence).value == value


def test_claims_coordinated_number_shares_unit(nlp):
    _, claims = claims_of(nlp, "Quillon beats the voxel baseline by 3.2 and 1.4 dB on the two scenes.")
    assert [(c.value, c.unit) for c in claims] == [("3.2", "dB"), ("1.4", "dB")]


def test_claims_bare_range_from_to(nlp):
    _, claims = claims_of(nlp, "Quillon lifts the CIDEr score from 98.1 to 104.6 on the captions.")
    assert [c.value for c in claims] == ["98.1", "104.6"]


# -- not claims ----------------------------------------------------------------------------

RESULT = "Quillon raises accuracy by 12% over Blorp."


@pytest.mark.parametrize("sentence", [
    "We collect 253,070 data points from public forums.",
    "We run 1263 experiments over four weeks.",
    "The encoder is pretrained on three trillion tokens of web text.",
    "We fine-tune a model with 7B parameters.",
    "We evaluate on 16 datasets using 8 GPUs.",
    "In 2023, several groups released open chat models.",
    "Section 4 describes the sampler and Equation 3 gives its loss.",
    "We compare Llama-2-7B, GPT-4 and Qwen2.5-VL on the same prompts.",
    "The corpus contains 12,000 images, of which 30% are night scenes.",
    "The model performs well even with limited training data, ranging from 50% to 75% of the full dataset.",
    "We report results with 5-fold cross-validation.",
    "All intervals are 95% confidence intervals.",
    "Each prompt is repeated 3 times to reduce variance.",
    "Images are resized to 1000x1000 before training.",
    "We reconstruct 3D scenes from 2D images.",
    "Our contributions are two-fold: a loss and a dataset.",
    "The code is at https://example.org/quillon/v2.5 and in release 1.3.",
    "We release a 52B open-sourced model trained on 2T tokens.",
    "Scores are reported as 71.2 $\\pm$ 1.3 over five seeds.",
    "The study spans models from 1.3B OPT up to 70B Llama-2.",
    "We introduce a 4$\\times$4 landscape of four levels and four kinds of meaning.",
    "The experiments indicated that GPT-$3.5$ Turbo is the strongest of the readers.",
])
def test_claims_setup_numbers_are_not_claims(nlp, sentence):
    """Only the result stated after the setup sentence is a claim: an extractor that finds nothing fails too."""
    _, claims = claims_of(nlp, f"{sentence} {RESULT}")
    assert [(c.value, c.unit, c.metric) for c in claims] == [("12", "%", "accuracy")]


def test_claims_title_repeating_the_abstract_is_one_claim(nlp):
    _, claims = claims_of(nlp, "Quillon renders at 1000x speed.", title="Quillon: Rendering at 1000x Speed")
    assert len(claims) == 1 and claims[0].start > len("Quillon: Rendering at 1000x Speed")


# -- what the number is about ------------------------------------------------------------

@pytest.mark.parametrize("sentence, subject", [
    ("Quillon-2 achieves a 3.1x speedup over greedy decoding.", "Quillon-2"),
    ("Experiments show that Vexamo improves accuracy by 7%.", "Vexamo"),
    ("Vexamo, a sparse attention scheme, which recovers 93% of the dense accuracy, is simple.", "Vexamo"),
    ("We evaluate Zorblax on nine suites, showing that Vexamo-3B consistently wins, "
     "beats larger models, and yields a 15.7% average gain.", "Vexamo-3B"),
    ("Our method improves NDCG by 7% over BM25.", "Zorblax"),
    ("We achieve improvements of up to 24% on the arithmetic split.", "Zorblax"),
    ("It reduces memory by 8.2x.", "Zorblax"),
    ("The proposed scheme lowers latency by 31%.", "Zorblax"),
])
def test_claims_subject(nlp, sentence, subject):
    assert only_claim(nlp, sentence).subject == subject


@pytest.mark.parametrize("sentence, subject", [
    # a version number is part of the name, not a count that voids the subject (a real family: the rules
    # read versions in the names of the families they know)
    ("Gemini 1.5 Flash reaches an F1 score of 83.0% on Glorbench.", "Gemini 1.5 Flash"),
    ("The best model (Vexamo-3B) reaches a success rate of 72%.", "Vexamo-3B"),
    ("Only 45% of the questions are answered correctly by Vexamo-3B.", "Vexamo-3B"),
    ("Only 45% of the questions are answered correctly by the readers.", "Zorblax"),
])
def test_claims_subject_named_beside_the_clause_subject(nlp, sentence, subject):
    assert only_claim(nlp, sentence).subject == subject


@pytest.mark.parametrize("sentence, subjects", [
    ("Quillon reaches 98% accuracy versus 60% for Vexamo-3B.", ["Quillon", "Vexamo-3B"]),
    ("Quillon reaches 98% accuracy, compared to 60% for Vexamo-3B.", ["Quillon", "Vexamo-3B"]),
    ("Zorblax outperforms Vexamo-3B by 28 points (67% vs. 39%).", ["Zorblax", "Zorblax", "Vexamo-3B"]),
    ("Zorblax is more accurate than Vexamo-3B (67% vs. 39%).", ["Zorblax", "Vexamo-3B"]),
    ("Quillon reaches 98% accuracy versus 60% for the baselines.", ["Quillon", "Quillon"]),
])
def test_claims_subject_of_the_number_after_versus_is_what_it_is_compared_with(nlp, sentence, subjects):
    _, claims = claims_of(nlp, sentence)
    assert [c.subject for c in claims] == subjects


@pytest.mark.parametrize("sentence, subjects", [
    ("Tuning helps the classifiers (e.g., Vexamo-3B: F1 = 47.3 -> 78.5 F1).", ["Vexamo-3B", "Vexamo-3B"]),
    ("Both Quillon and Zorblax reach 45% success rates, outperforming Vexamo-3B's 34%.",
     ["Quillon", "Vexamo-3B"]),
    ("Chat models cite invalid links (21.2% for Vexamo-3B and 67.7% for Marlo-7B).", ["Vexamo-3B", "Marlo-7B"]),
    ("Zorblax boosts the speed-up by up to 16% for Vexamo-3B.", ["Zorblax"]),
])
def test_claims_subject_the_number_is_written_against(nlp, sentence, subjects):
    _, claims = claims_of(nlp, sentence)
    assert [c.subject for c in claims] == subjects


def test_claims_number_after_versus_is_not_compared_with_its_own_subject(nlp):
    _, claims = claims_of(nlp, "Zorblax outperforms the latest Vexamo-3B by 68.2% versus 49.0%.")
    assert [(c.subject, c.baseline) for c in claims] == [("Zorblax", "Vexamo-3B"), ("Vexamo-3B", None)]


def test_claims_subject_of_a_paper_proposing_nothing_is_the_model_its_title_leads_with(nlp):
    claim = only_claim(nlp, "The analysis reveals that only 24% of routes reach the goal.",
                       title="Why Vexamo-3B Fails: An Analysis of Route Planning")
    assert claim.subject == "Vexamo-3B"


@pytest.mark.parametrize("sentence, metric", [
    ("Quillon achieves a 3.1x speedup.", "speedup"),
    ("Quillon shows 11.5% higher accuracy than the prompt baseline.", "accuracy"),
    ("Quillon improves the win rate to 64% against the chat baseline.", "win rate"),
    ("Quillon reduces memory by 8.2x.", "memory"),
    ("Quillon attains an accuracy of 92.3.", "accuracy"),
    ("Quillon achieves a speedup of 10.7x compared to a GPU.", "speedup"),
    ("Quillon brings a 1 dB gain in PSNR.", "PSNR"),
    ("Quillon gains 1.8 dB in PSNR over the wavelet codec.", "PSNR"),
    ("Quillon delivers a 5% increase in click-through rate.", "click-through rate"),
    ("Quillon yields a 30% reduction of latency on long prompts.", "latency"),
])
def test_claims_metric(nlp, sentence, metric):
    assert only_claim(nlp, sentence).metric == metric


@pytest.mark.parametrize("sentence, baseline", [
    ("Quillon achieves a 3.1x speedup over Blorp.", "Blorp"),
    ("Quillon is 4 times faster than Blorp.", "Blorp"),
    ("Quillon lowers latency by 20% compared to Blorp.", "Blorp"),
    ("Quillon lowers latency by 20% relative to Blorp.", "Blorp"),
    ("Quillon outperforms Blorp by 6.2% on the long split.", "Blorp"),
])
def test_claims_baseline(nlp, sentence, baseline):
    assert only_claim(nlp, sentence).baseline == baseline


@pytest.mark.parametrize("sentence, via", [
    ("Quillon improves recall by 9% with FlarnRetriever.", "FlarnRetriever"),
    ("Quillon improves recall by 9% using Flarn.", "Flarn"),
    # only a method the paper names is credited
    ("Quillon achieves a 2.2x speedup by adding extra decoding heads.", None),
    ("Quillon achieves a 2.2x speedup with lower perplexity.", None),
    ("Quillon cuts memory by 2.5x with minimal accuracy loss.", None),
    ("Quillon improves recall by 9% with no retraining of Flarn.", None),
])
def test_claims_via(nlp, sentence, via):
    assert only_claim(nlp, sentence).via == via


@pytest.mark.parametrize("sentence, dataset", [
    ("Quillon improves accuracy by 5% on GSM8K.", "GSM8K"),
    ("Quillon improves accuracy by 5% on the Glorbench benchmark.", "Glorbench"),
])
def test_claims_dataset(nlp, sentence, dataset):
    assert only_claim(nlp, sentence).dataset == dataset


@pytest.mark.parametrize("sentence, pairs", [
    ("Quillon reaches 81.2% on Glorbench and 45.3% on MathVex.", [("81.2", "Glorbench"), ("45.3", "MathVex")]),
    ("Quillon achieves 81.2%, 45.3% and 60.1% on Glorbench, MathVex and CodeVex.",
     [("81.2", "Glorbench"), ("45.3", "MathVex"), ("60.1", "CodeVex")]),
    ("Quillon achieves 81.2% and 45.3% on Glorbench and MathVex, respectively.",
     [("81.2", "Glorbench"), ("45.3", "MathVex")]),
    ("On Glorbench and MathVex, Quillon scores 81.2% and 45.3%, respectively.",
     [("81.2", "Glorbench"), ("45.3", "MathVex")]),
    ("Quillon improves BLEU by 2.1 and 3.4 points on SpeechVex and TalkVex, respectively.",
     [("2.1", "SpeechVex"), ("3.4", "TalkVex")]),
    ("Quillon brings an accuracy gain of 14.18% with a 10.72 times speed-up on Glorbench and an accuracy gain "
     "of 14.00% with a 7.73 times speed-up on MathVex.",
     [("14.18", "Glorbench"), ("10.72", "Glorbench"), ("14.00", "MathVex"), ("7.73", "MathVex")]),
    ("Quillon improves accuracy by 11.4% across many models while changing as little as 1.59% of the weights, "
     "with minimal impact on other abilities as measured by Glorbench.", [("11.4", None), ("1.59", None)]),
    ("Quillon runs 720x faster than the reference flow, achieves higher coverage, and reduces false alarms on "
     "Glorbench.", [("720", None)]),
])
def test_claims_listed_numbers_each_take_their_own_dataset(nlp, sentence, pairs):
    _, claims = claims_of(nlp, sentence)
    assert [(c.value, c.dataset) for c in claims] == pairs


@pytest.mark.parametrize("sentence, value, low, high", [
    ("Quillon accelerates inference by 100~1000x over the dense solver.", "100-1000", 100.0, 1000.0),
    ("Quillon improves accuracy by +5.11 to +6.82 points on Glorbench.", "5.11-6.82", 5.11, 6.82),
    ("Quillon renders views $100\\sim 1000\\times$ faster than the solver.", "100-1000", 100.0, 1000.0),
])
def test_claims_a_range_is_one_claim_with_both_ends(nlp, sentence, value, low, high):
    claim = only_claim(nlp, sentence)
    assert (claim.value, claim.value_min, claim.value_max) == (value, low, high)


@pytest.mark.parametrize("sentence, subject", [
    ("Quiet-STaR improves accuracy by 5.0% on Glorbench.", "Quiet-STaR"),
    ("On math, objective-Quiet-STaR reaches 32.03% accuracy on Glorbench.", "Quiet-STaR"),
    ("The best variant, reasoning-Quiet-STaR, reaches 32.03% accuracy on Glorbench.", "Quiet-STaR"),
    ("Our Team Optimization stage improves accuracy by 4.2% on Glorbench.", "Zorblax"),
    ("The Team Optimization stage of Quillon raises accuracy by 4.2% on Glorbench.", "Quillon"),
    ("Our Flarn module improves recall by 2.0% on Glorbench.", "Zorblax"),
])
def test_claims_subject_is_the_whole_name_and_the_method_not_its_part(nlp, sentence, subject):
    assert only_claim(nlp, sentence).subject == subject


# -- offsets and robustness ----------------------------------------------------------------

def _check(text: str, claims) -> None:
    for c in claims:
        assert as_value(text[c.start:c.end]) == c.value
        assert text[c.text_start:c.text_end] == c.text
        assert c.text_start <= c.start < c.end <= c.text_end
        assert c.value_min is not None and c.value_min <= c.value_max
        assert parse_value(c.value) == (c.value_min, c.value_max)


@pytest.mark.parametrize("text", [
    "",
    " ",
    "\n\n",
    "1 2 3 4 5 % % x x $\\times$ 7B 2023 (((( 3.5x ]]] 4--5% ~~ 9e9 1,2,3,4 .5 5.",
    "Gains of (12% [see 3.4x } and &amp; 5 &lt; 6 %&gt; <b>7.1\\%</b> $\\frac{1}{2}$ 3\u00d7",
    "Quillon: x\n\n" + "Quillon improves accuracy by 12% over Blorp. " * 4,
    "$$$ \\times\\times 12 \\% -- -- 0.0.0.1 1.2.3x 99999999999999999999% 1e-9",
])
def test_claims_no_crash_on_odd_text(nlp, text):
    doc = nlp(text)
    _check(text, doc._.kg_claims)


def test_claims_long_text_costs_the_same_per_sentence(nlp):
    """kg's work on a long text grows with its length, never faster (its speed is scripts/bench_extract.py's).

    The work is counted, not timed: the lines of kg's own code run (loops counted per pass), which are the same
    for the same input on any machine. A look-up that walks the whole document for each number or entity
    would make each sentence of the long text cost more than one of the short text.
    """
    import sys
    from pathlib import Path

    import kg

    kg_code = str(Path(kg.__file__).parent)
    sentence = "Quillon improves accuracy by 12% over Blorp on the Glorbench benchmark while using 7B parameters. "

    def extracted_counting_lines(text: str):
        lines = 0

        def in_kg(frame, event, arg):
            nonlocal lines
            if event == "line":
                lines += 1
            return in_kg

        def on_call(frame, event, arg):
            return in_kg if frame.f_code.co_filename.startswith(kg_code) else None

        previous = sys.gettrace()
        sys.settrace(on_call)
        try:
            doc = nlp(text)
        finally:
            sys.settrace(previous)
        return doc, lines

    _, short_lines = extracted_counting_lines(sentence * 250)
    text = sentence * 1000  # 98,000 characters
    doc, long_lines = extracted_counting_lines(text)
    _check(text, doc._.kg_claims)
    assert len(doc._.kg_claims) >= 900
    assert long_lines / 1000 <= 1.05 * short_lines / 250, \
        f"{long_lines / 1000:.0f} lines of kg per sentence of the long text, {short_lines / 250:.0f} of the short"


@pytest.mark.parametrize("text, values", [
    ("over 2.2x and 2.3-3.6x", ["2.2", "2.3-3.6"]),
    ("Llama-2-7B and Qwen3-235B-A22B", []),
    ("a 6.7x-12.6x gain from Quillon-2x-7B", ["6.7", "12.6"]),
    ("Hit@1 and MRR$\\texttt{@}$5", []),
    ("3D and 4th and 1000x1000", []),
    ("on Glorbench ($\\uparrow2.31\\%$)", ["2.31"]),
    ("reaches 65.9/57.0/61.0 ROUGE-1/2/L and 1.27%/3.5% WER", ["65.9", "57.0", "61.0", "1.27", "3.5"]),
    ("up to 1/6 of the cost, on 7/9 suites", ["1/6", "7/9"]),
    ("Vexamo-4/5, V2/V3, pages 1/2/3 and 3/4.5, 1/0", ["1", "3", "1"]),
    ("in 13.6h at 71Hz", ["13.6", "71"]),
])
def test_numbers_find(text, values):
    assert [m.value for m in find_numbers(text)] == values


def test_numbers_a_fraction_is_its_quotient():
    assert parse_value("1/8") == (0.125, 0.125)
    assert [(m.low, m.unit) for m in find_numbers("cuts the input to 1/4 of its length")] == [(0.25, None)]


SOUP = st.lists(
    st.sampled_from(list("0123456789.,-%x$\\()[]{} ~+/") + ["times", "fold", "\u00d7", "by ", "up to ",
                                                            "accuracy ", "Quillon ", "\n\n", "B", "K", "three"]),
    max_size=60,
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(SOUP)
@example("}/1%")  # the sentencizer splits the number from its unit
def test_claims_random_text_never_breaks(nlp, text):
    doc = nlp(text)
    _check(text, doc._.kg_claims)


def test_claims_a_number_reads_its_own_sentence_where_the_sentencizer_split_off_its_unit(nlp):
    from kg.claim_cues import ClaimCues
    from kg.extract.claims.context import ClaimContext, DocFacts

    doc = nlp("}/1%")
    (mention,) = find_numbers(doc.text)
    sents = list(doc.sents)
    assert len(sents) == 2 and sents[1].text == "%"  # the split this test is about
    ctx = ClaimContext(doc, DocFacts.of(doc), mention, ClaimCues.load())
    assert ctx.sent.start_char <= mention.start < ctx.sent.end_char
    assert ctx.sentence_place == (0, 2)


@pytest.mark.parametrize("sentence, value, low, high", [
    ("Orvalent shows gains of 8.38% to 38.6% in tool selection accuracy.", "8.38-38.6", 8.38, 38.6),
    ("Orvalent triggers bugs $1.86\\times$ to $3.09\\times$ faster than fuzzers.", "1.86-3.09", 1.86, 3.09),
    ("Orvalent reaches speedup ratios 1.36$\\times$-1.77$\\times$ over baselines.", "1.36-1.77", 1.36, 1.77),
    ("Orvalent yields energy savings ranging from 44% to 89% on code generation.", "44-89", 44.0, 89.0),
])
def test_claims_a_range_written_with_to_is_one_claim(nlp, sentence, value, low, high):
    claims = nlp("Orvalent: Fast\n\n" + sentence)._.kg_claims
    assert [(c.value, c.value_min, c.value_max) for c in claims] == [(value, low, high)]


@pytest.mark.parametrize("sentence, values", [
    ("Orvalent raises accuracy from 70% to 78% on GSM8K.", ["70", "78"]),
    ("Orvalent lifts accuracy from baselines of 24.70% to 49.30% on GSM8K.", ["24.70", "49.30"]),
    ("Orvalent raises the score from approximately 49% to 93.4% on GSM8K.", ["49", "93.4"]),
])
def test_claims_a_change_from_one_value_to_another_is_two_claims(nlp, sentence, values):
    claims = nlp("Orvalent: Fast\n\n" + sentence)._.kg_claims
    assert [c.value for c in claims] == values


@pytest.mark.parametrize("sentence, value, low, high", [
    ("Orvalent reaches an accuracy between 92% and 100% in detecting leaks.", "92-100", 92.0, 100.0),
    ("Orvalent improves execution success by 14.59%p to 17.23%p.", "14.59-17.23", 14.59, 17.23),
])
def test_claims_a_range_written_between_or_with_its_units_is_one_claim(nlp, sentence, value, low, high):
    claims = nlp("Orvalent: Fast\n\n" + sentence)._.kg_claims
    assert [(c.value, c.value_min, c.value_max) for c in claims] == [(value, low, high)]


# -- values as written: parsed or dropped, never invented ----------------------------------------

def test_claims_scientific_notation_is_not_a_multiple(nlp):
    _, claims = claims_of(nlp, "Quillon's loss stops following the power law below 2.2 times 10^{15} FLOPs.")
    assert not any(c.unit == "x" for c in claims), [(c.value, c.unit) for c in claims]


def test_claims_a_qualifier_before_the_number_is_not_a_baseline(nlp):
    found = only_claim(nlp, "Quillon can achieve over 2.2x speedup without losing quality.")
    assert (found.value, found.qualifier, found.baseline) == ("2.2", "over", None)


@pytest.mark.seeds
@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpora is not here")
def test_claims_corpus_claim_values_are_finite_and_inside_what_is_written():
    import kg

    papers = []
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        for n, line in enumerate(f):
            record = json.loads(line)
            if n % 40 == 0:
                papers.append(Paper(id=record["id"], title=record["title"], abstract=record["abstract"]))
    checked = 0
    for extraction in kg.extract(papers, jobs=1):
        for c in extraction.claims:
            written = [float(x.replace(",", "")) for x in re.findall(r"\d[\d,]*(?:\.\d+)?|\.\d+",
                                                                      extraction.paper.text[c.start:c.end])]
            if extraction.paper.text[c.start] in "-\u2212":  # "(-40% RMSE": written negative
                written[0] = -written[0]
            assert c.value_min is not None and math.isfinite(c.value_min) and math.isfinite(c.value_max), c
            assert c.value_min <= c.value_max, c
            if "/" in c.value:  # a fraction is its quotient
                assert c.value_min == c.value_max == pytest.approx(written[0] / written[1]), c
            elif written:  # a value with a K/M/B scale is its number times the scale
                scale = max(1.0, c.value_max / max(written)) if max(written) else 1.0
                assert min(written) * scale - 1e-6 <= c.value_min and c.value_max <= max(written) * scale + 1e-6, c
            checked += 1
    assert checked > 200

"""kg.results: comparable claims, leaderboards, trends, the index beside the store, and the SVG pictures.

Every sentence here is written for these tests; the names are invented.
"""
from __future__ import annotations

import dataclasses
import gzip
import json
import math
import re
import xml.etree.ElementTree as ET
from collections import Counter
import pytest
from conftest import claims_of, only_claim
from shared_data import CORPUS

from kg.graph import build_graph
from kg.records import Claim, Entity, Extraction, Paper, Span
from kg.results.comparable import comparable, improves, metric_named, metrics
from kg.results.index import index_path, load_index
from kg.results.leaderboard import Query, leaderboard, menu, result_rows, units
from kg.results.plot import results_svg, trends_svg
from kg.results.report import shown_value
from kg.results.trends import entity_timelines, growth, trends


def claim_in(sentence: str, number: str, *, unit: str | None = None, metric: str | None = None,
             value_min: float | None = None, value_max: float | None = None, **fields) -> Claim:
    """A claim on the first ``number`` of ``sentence``, as the extractor records it."""
    start = sentence.index(number)
    low = value_min if value_min is not None else float(re.findall(r"[\d.]+", number)[0])
    return Claim(value=number, start=start, end=start + len(number), text=sentence, text_start=0,
                 text_end=len(sentence), value_min=low, value_max=value_max if value_max is not None else low,
                 unit=unit, metric=metric, **fields)


# -- the metric table ------------------------------------------------------------------------

@pytest.mark.parametrize("written, canonical", [
    ("accuracy", "accuracy"), ("acc.", "accuracy"), ("Top-1 accuracy", "accuracy"),
    ("GSM8K zero-shot accuracy", "accuracy"), ("top-5 accuracy", "top-5 accuracy"), ("pass@1", "pass@1"),
    ("speed-up", "speedup"), ("decoding speedup", "speedup"), ("faster", "speedup"),
    ("WER", "WER"), ("word error rate", "WER"), ("PPL", "perplexity"), ("macro-F1", "F1"),
    ("peak memory consumption", "memory"), ("inference latency", "latency"),
])
def test_written_metrics_name_their_canonical_metric(written, canonical):
    assert metric_named(written).name == canonical


@pytest.mark.parametrize("written", ["them", "accumulated error", "tempo", "map of the city", None, ""])
def test_words_that_only_contain_a_metric_name_none(written):
    # "em" inside "them", "acc" inside "accumulated": variants are whole words only
    found = metric_named(written)
    assert found is None or written == "map of the city" and found.name == "mAP"


def test_every_metric_has_a_direction_and_no_variant_is_claimed_twice():
    seen = Counter(v for m in metrics() for v in m.variants)
    assert {m.better for m in metrics()} == {"higher", "lower"}
    assert [v for v, n in seen.items() if n > 1] == []
    assert {"accuracy": "higher", "WER": "lower", "perplexity": "lower", "latency": "lower",
            "speedup": "higher"}.items() <= {m.name: m.better for m in metrics()}.items()


@pytest.mark.seeds
@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpora is not here")
def test_every_metric_variant_is_earned_by_corpus_examples():
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

def test_a_reduction_said_either_way_is_the_same_claim():
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
def test_the_kind_of_number(sentence, number, unit, metric, kind):
    result = comparable(claim_in(sentence, number, unit=unit, metric=metric))
    assert result.kind == kind


def test_a_change_word_as_metric_takes_the_metric_named_beside_the_number():
    # the extractor may keep only "improvement" as the metric; the clause names what improved
    found = comparable(claim_in("Quillon shows a 9% improvement in answer accuracy on the test split.", "9",
                                unit="%", metric="improvement"))
    assert (found.canonical_metric, found.kind, found.change) == ("accuracy", "gain", "up")


def test_better_words_move_a_lower_is_better_metric_down():
    found = comparable(claim_in("Quillon outperforms the reference model by 1.0 PPL on the web split.", "1.0",
                                metric="PPL"))
    assert (found.canonical_metric, found.kind, found.change) == ("perplexity", "gain", "down")
    assert improves(found.better, found.change) is True


def test_a_cue_after_another_clause_does_not_set_the_change():
    found = comparable(claim_in("Quillon improves accuracy by 3.2% while reducing the forgetting rate.", "3.2",
                                unit="%", metric="accuracy"))
    assert found.change == "up"


def test_a_longer_context_is_not_a_speedup():
    found = comparable(claim_in("Quillon gives a 4x context length extension on one node.", "4", unit="x",
                                metric="context length extension"))
    assert found.canonical_metric != "speedup"


# -- values as written: parsed or dropped, never invented ----------------------------------------

def test_scientific_notation_is_not_a_multiple(nlp):
    _, claims = claims_of(nlp, "Quillon's loss stops following the power law below 2.2 times 10^{15} FLOPs.")
    assert not any(c.unit == "x" for c in claims), [(c.value, c.unit) for c in claims]


def test_a_qualifier_before_the_number_is_not_a_baseline(nlp):
    found = only_claim(nlp, "Quillon can achieve over 2.2x speedup without losing quality.")
    assert (found.value, found.qualifier, found.baseline) == ("2.2", "over", None)


def test_spelled_multiples_are_read_as_numbers():
    row = claim_in("Quillon offers ten-fold throughput on one device.", "ten", unit="x", metric="throughput",
                   value_min=10.0)
    assert comparable(row).canonical_metric == "throughput"


@pytest.mark.seeds
@pytest.mark.skipif(not CORPUS.is_file(), reason="../shared/corpora is not here")
def test_corpus_claim_values_are_finite_and_inside_what_is_written():
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
            assert c.value_min is not None and math.isfinite(c.value_min) and math.isfinite(c.value_max), c
            assert c.value_min <= c.value_max, c
            if written:  # a value with a K/M/B scale is its number times the scale
                scale = max(1.0, c.value_max / max(written)) if max(written) else 1.0
                assert min(written) * scale - 1e-6 <= c.value_min and c.value_max <= max(written) * scale + 1e-6, c
            checked += 1
    assert checked > 200


# -- leaderboards --------------------------------------------------------------------------------

def _paper(pid: str, date: str, text: str) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", abstract=text, date=date)


def _extraction(pid: str, date: str, subject: str, sentence: str, number: str, *, unit=None, metric=None,
                dataset=None, task=None) -> Extraction:
    paper = _paper(pid, date, sentence)
    offset = paper.abstract_offset
    claim = claim_in(sentence, number, unit=unit, metric=metric, subject=subject, dataset=dataset)
    claim = Claim(**{**claim.to_dict(), "start": claim.start + offset, "end": claim.end + offset,
                     "text_start": offset, "text_end": offset + len(sentence)})
    entities = [Entity(subject, "Model", "proposed", (Span(offset, offset + len(subject), subject),))]
    for name, kind in ((dataset, "Dataset"), (task, "Task")):
        if name:
            at = sentence.index(name) + offset
            entities.append(Entity(name, kind, "used", (Span(at, at + len(name), name),)))
    return Extraction(paper, tuple(entities), (claim,))


@pytest.fixture()
def board_graph():
    rows = [
        ("p1", "2025-01-10", "Quillon", "Quillon reaches 81.5% accuracy on Fenbench for tabular parsing.", "81.5",
         "%", "accuracy", "Fenbench", "tabular parsing"),
        ("p2", "2025-03-02", "Marlo", "Marlo reaches 88.0% accuracy on Fenbench.", "88.0", "%", "accuracy",
         "Fenbench", None),
        ("p3", "2025-06-20", "Tessar", "Tessar reaches 0.91 accuracy on Fenbench.", "0.91", None, "accuracy",
         "Fenbench", None),
        ("p4", "2025-02-11", "Quillon", "Quillon reaches 3.1% WER on Vosk-clean.", "3.1", "%", "WER",
         "Vosk-clean", None),
        ("p5", "2025-05-05", "Marlo", "Marlo reaches 2.4% WER on Vosk-clean.", "2.4", "%", "WER", "Vosk-clean",
         None),
        ("p6", "2025-04-01", "Zemmet", "Zemmet gives a 2.2x speedup over greedy decoding.", "2.2", "x", "speedup",
         None, None),
        ("p7", "2025-04-09", "Orrin", "Orrin gives a 3.5x speedup over greedy decoding.", "3.5", "x", "speedup",
         None, None),
    ]
    return build_graph([_extraction(pid, date, subject, sentence, number, unit=unit, metric=metric, dataset=dataset,
                                    task=task)
                        for pid, date, subject, sentence, number, unit, metric, dataset, task in rows])


def test_a_score_board_is_best_first_by_the_metric_direction(board_graph):
    rows = result_rows(board_graph)
    accuracy = leaderboard(rows, Query(metric="accuracy", dataset="fenbench", kind="score"))
    assert [(r.subject, r.value) for r in accuracy] == [("Marlo", "88.0"), ("Quillon", "81.5")]
    wer = leaderboard(rows, Query(metric="WER", dataset="Vosk-clean", kind="score"))
    assert [r.subject for r in wer] == ["Marlo", "Quillon"]  # lower is better


def test_units_are_kept_apart_and_the_others_are_reported(board_graph):
    rows = result_rows(board_graph)
    query = Query(metric="accuracy", dataset="Fenbench", kind="score")
    assert units(rows, query) == Counter({"%": 2, "": 1})
    fractions = leaderboard(rows, Query(metric="accuracy", dataset="Fenbench", kind="score", unit="none"))
    assert [r.subject for r in fractions] == ["Tessar"]


def test_filters_by_task_and_date(board_graph):
    rows = result_rows(board_graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="accuracy", task="tabular parsing"))] == ["Quillon"]
    assert [r.subject for r in leaderboard(rows, Query(metric="WER", since="2025-04"))] == ["Marlo"]


def test_the_menu_lists_the_biggest_boards_first(board_graph):
    items = menu(result_rows(board_graph))
    assert (items[0].metric, items[0].dataset, items[0].kind, items[0].claims) == ("accuracy", "Fenbench", "score", 3)
    assert ("speedup", None, "gain", 2) in [(i.metric, i.dataset, i.kind, i.claims) for i in items]


def test_gains_that_made_things_worse_rank_after_improvements():
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Quillon raises WER by 9% on phone audio.", "9", unit="%",
                    metric="WER"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo cuts WER by 4% on phone audio.", "4", unit="%", metric="WER")])
    ranked = leaderboard(result_rows(graph), Query(metric="WER", kind="gain"))
    assert [r.value for r in ranked] == ["4", "9"]


def test_a_drop_is_a_negative_change_below_every_rise():
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Accuracy of Quillon on Fenbench drops by 3% after pruning.", "3",
                    unit="%", metric="accuracy", dataset="Fenbench"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo raises accuracy by 1% on Fenbench.", "1", unit="%",
                    metric="accuracy", dataset="Fenbench")])
    ranked = leaderboard(result_rows(graph), Query(metric="accuracy", dataset="Fenbench", kind="gain"))
    assert [(r.subject, shown_value(r)) for r in ranked] == [("Marlo", "1"), ("Quillon", "-3")]


def test_a_range_ranks_by_the_least_it_claims():
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Quillon runs 100~1000x faster than the solver.", "100~1000",
                    unit="x", metric="faster"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo runs 200x faster than the solver.", "200", unit="x",
                    metric="faster")])
    rows = result_rows(graph)
    rows = [r if r.subject == "Marlo" else dataclasses.replace(r, value_max=1000.0) for r in rows]
    ranked = leaderboard(rows, Query(metric="speedup"))
    assert [(r.subject, shown_value(r)) for r in ranked] == [("Marlo", "200x"), ("Quillon", "100-1000x")]


def test_an_extended_benchmark_is_not_its_base():
    # the graph merges the names; the board keeps HumanEval+ apart from HumanEval
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Quillon scores 88.1% on CodeFen.", "88.1", unit="%",
                    metric="pass@1", dataset="CodeFen"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo scores 90.2% on CodeFen+.", "90.2", unit="%",
                    metric="pass@1", dataset="CodeFen+")])
    rows = result_rows(graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="pass@1", dataset="CodeFen"))] == ["Quillon"]
    assert [r.subject for r in leaderboard(rows, Query(metric="pass@1", dataset="CodeFen+"))] == ["Marlo"]
    assert {(i.dataset, i.claims) for i in menu(rows)} == {("CodeFen", 1), ("CodeFen+", 1)}


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
def test_doubtful_claims_say_why(sentence, number, subject, metric, why):
    assert comparable(claim_in(sentence, number, unit="%", metric=metric, subject=subject)).doubt == why


@pytest.mark.parametrize("sentence, number, metric", [
    ("Quillon reaches 81.5% accuracy on Fenbench.", "81.5", "accuracy"),
    ("Quillon needs 3x less memory than Marlo.", "3", "memory"),
    ("Quillon-2B lowers WER by 12% on the call-centre split.", "12", "WER"),
    ("STATIC achieves a 948x speedup over a CPU trie.", "948", "speedup"),  # a common word, written as a name
])
def test_plain_claims_have_no_doubt(sentence, number, metric):
    assert comparable(claim_in(sentence, number, unit="%", metric=metric, subject=sentence.split()[0])).doubt is None


def test_doubtful_rows_stay_off_a_board_unless_all_are_asked_for():
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Under attack, Quillon keeps 62.3% accuracy on Fenbench.", "62.3",
                    unit="%", metric="accuracy", dataset="Fenbench"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo reaches 55.0% accuracy on Fenbench.", "55.0", unit="%",
                    metric="accuracy", dataset="Fenbench")])
    rows = result_rows(graph)
    assert [r.subject for r in leaderboard(rows, Query(metric="accuracy", dataset="Fenbench"))] == ["Marlo"]
    everything = leaderboard(rows, Query(metric="accuracy", dataset="Fenbench", doubtful=True))
    assert [(r.subject, r.doubt) for r in everything] == [("Quillon", "special setting (attack)"), ("Marlo", None)]


@pytest.mark.parametrize("sentence, number, reference", [
    ("Quillon achieves 72.1% accuracy on Fenbench, surpassing Marlo with 65.3%.", "65.3", True),
    ("Quillon achieves 72.1% accuracy on Fenbench, outperforming Marlo at 65.3%.", "65.3", True),
    ("Quillon reaches a perplexity of 16.9, surpassing Marlo with a perplexity of 75.1.", "75.1", True),
    ("Quillon achieves 72.1% accuracy on Fenbench, surpassing Marlo with 5.1% higher accuracy.", "5.1", False),
    ("Quillon surpasses Marlo with 72.1% accuracy on Fenbench.", "72.1", False),
])
def test_a_beaten_baseline_s_number_is_a_reference(sentence, number, reference):
    assert comparable(claim_in(sentence, number, unit="%", metric="accuracy")).reference is reference


def test_every_number_of_a_list_of_changes_is_a_gain():
    sentence = "Quillon improves accuracy by 3.1% and 2.4% on Fenbench and Marlobench."
    found = [comparable(claim_in(sentence, n, unit="%", metric="accuracy")) for n in ("3.1", "2.4")]
    assert [(f.kind, f.change) for f in found] == [("gain", "up"), ("gain", "up")]


@pytest.mark.parametrize("sentence, number", [
    ("Quillon lifts accuracy on Fenbench from 61.2% to 79.9% over the base model.", "61.2"),
    ("Quillon reaches 79.9% accuracy on Fenbench vs. 61.2% for the base model.", "61.2"),
    ("Quillon reaches 79.9% accuracy on Fenbench, compared to 61.2% without tuning.", "61.2"),
    ("Quillon sets a new best on Fenbench: 61.2->79.9 accuracy.", "61.2"),
    ("Quillon sets a new best on Fenbench ($61.2 \\rightarrow 79.9$ accuracy).", "61.2"),
])
def test_the_number_a_result_is_set_against_stays_off_the_board(sentence, number):
    graph = build_graph([
        _extraction("a", "2025-01-01", "Quillon", sentence, number, unit="%", metric="accuracy", dataset="Fenbench"),
        _extraction("b", "2025-01-02", "Quillon", sentence, "79.9", unit="%", metric="accuracy", dataset="Fenbench")])
    rows = result_rows(graph)
    assert {r.value: r.reference for r in rows} == {number: True, "79.9": False}
    assert [r.value for r in leaderboard(rows, Query(metric="accuracy", dataset="Fenbench"))] == ["79.9"]


def test_a_benchmark_is_not_the_subject_of_a_result():
    graph = build_graph([_extraction("a", "2025-01-01", "Fenbench", "On Fenbench, leading models exceed 94% accuracy.",
                                     "94", unit="%", metric="accuracy", dataset="Fenbench")])
    assert leaderboard(result_rows(graph), Query(metric="accuracy", dataset="Fenbench")) == []


@pytest.mark.parametrize("sentence, number, metric", [
    ("Accuracy on Fenbench drops by at least 50% under paraphrase.", "50", "accuracy"),
    ("Quillon brings an accuracy improvement of 14.0% on Fenbench.", "14.0", "accuracy improvement"),
    ("Quillon yields maximum accuracy gains of 9.3% on Fenbench.", "9.3", "maximum accuracy gains"),
    ("With Quillon, the base model gains 4.1% accuracy on Fenbench.", "4.1", "accuracy"),
])
def test_changes_written_in_other_ways_are_gains(sentence, number, metric):
    found = comparable(claim_in(sentence, number, unit="%", metric=metric))
    assert (found.canonical_metric, found.kind) == ("accuracy", "gain")


def test_a_spelled_value_is_shown_as_its_number():
    graph = build_graph([Extraction(_paper("a", "2025-01-01", "x"), (), (
        claim_in("Quillon offers ten-fold throughput.", "ten", unit="x", metric="throughput", value_min=10.0),))])
    assert shown_value(result_rows(graph)[0]) == "10x"


# -- trends ----------------------------------------------------------------------------------------

def test_growth_is_shrunk_for_small_counts():
    # two recent papers of an unseen name rise less than a name that went from 10 to 60 papers
    assert 0 < growth(2, 0, 1000, 3000) < growth(60, 10, 1000, 3000)
    assert growth(25, 75, 1000, 3000) == pytest.approx(0.0)
    assert growth(0, 40, 1000, 3000) < 0


def test_trends_find_the_rising_and_the_falling_entity():
    extractions = []
    months = ["2025-01", "2025-02", "2025-03", "2025-04"]
    for m, month in enumerate(months):
        for n in range(10):
            names = ["Steady"] + (["Riser"] if m == 3 else []) + (["Faller"] if m == 0 else [])
            text = " and ".join(names) + " are used."
            paper = _paper(f"{month}-{n}", f"{month}-15", text)
            entities = tuple(Entity(name, "Method", "used", (Span(paper.abstract_offset + text.index(name),
                                                                  paper.abstract_offset + text.index(name) + len(name),
                                                                  name),)) for name in names)
            extractions.append(Extraction(paper, entities))
    timelines, per_month = entity_timelines(build_graph(extractions))
    report = trends(timelines, per_month, top=5)
    assert report.periods == tuple(months) and report.recent_from == "2025-04"
    assert [t.name for t in report.top][0] == "Steady"
    assert report.rising[0].name == "Riser" and report.falling[0].name == "Faller"
    assert "Steady" not in [t.name for t in report.rising + report.falling]
    assert trends(timelines, per_month, by="quarter").periods == ("2025-Q1", "2025-Q2")


# -- the index beside the graph --------------------------------------------------------------------

def test_the_index_is_made_once_and_again_when_the_graph_changes(tmp_path, board_graph):
    graph_file = tmp_path / "graph.json"
    board_graph.save(graph_file)
    builds = []

    def loader(path):
        builds.append(path)
        from kg.graph import KnowledgeGraph
        return KnowledgeGraph.load(path)

    first = load_index(graph_file, loader)
    again = load_index(graph_file, loader)
    assert len(builds) == 1 and index_path(graph_file).is_file()
    assert again.rows == first.rows
    build_graph([]).save(graph_file)
    assert load_index(graph_file, loader).rows == [] and len(builds) == 2


def test_a_store_where_the_index_cannot_be_written_still_answers(tmp_path, board_graph):
    from kg.graph import KnowledgeGraph

    graph_file = tmp_path / "graph.json"
    board_graph.save(graph_file)
    index_path(graph_file).mkdir()  # in the index's way: writing it fails (as root too, unlike chmod)
    index = load_index(graph_file, KnowledgeGraph.load)
    assert len(index.rows) == 7 and index_path(graph_file).is_dir()


# -- pictures ----------------------------------------------------------------------------------------

def test_the_svg_pictures_parse_and_escape_paper_text(board_graph):
    rows = leaderboard(result_rows(board_graph), Query(metric="speedup"))
    hostile = [r.__class__(**{**r.__dict__, "subject": "<script>alert(1)</script>"}) for r in rows]
    svg = results_svg(hostile, "speedup <b>")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg") and "<script>" not in svg and "&lt;script&gt;" in svg
    assert len(root.findall(".//{http://www.w3.org/2000/svg}circle")) == 2
    timelines, per_month = entity_timelines(board_graph, min_papers=1)
    lines = ET.fromstring(trends_svg(trends(timelines, per_month))).findall(".//{http://www.w3.org/2000/svg}polyline")
    assert len(lines) >= 2


def test_a_subject_neither_in_the_sentence_nor_proposed_is_doubtful():
    graph = build_graph([_extraction("a", "2025-01-01", "Quillon", "The kernels it wrote run 48x faster.", "48",
                                     unit="x", metric="faster")])
    assert [r.doubt for r in result_rows(graph)] == [None]  # Quillon is what paper "a" proposes
    paper_a = next(n for n, d in graph.graph.nodes(data=True) if d.get("label") == "Paper")
    graph.graph.remove_edges_from([(u, v, k) for u, v, k in graph.graph.out_edges(paper_a, keys=True)
                                   if k == "PROPOSES"])
    assert [r.doubt for r in result_rows(graph)] == ["subject not in its sentence"]


def test_kg_results_leaves_doubtful_claims_out_and_all_shows_them_marked(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    build_graph([
        _extraction("a", "2025-01-01", "Quillon", "Under attack, Quillon keeps 62.3% accuracy on Fenbench.", "62.3",
                    unit="%", metric="accuracy", dataset="Fenbench"),
        _extraction("b", "2025-01-01", "Marlo", "Marlo reaches 55.0% accuracy on Fenbench.", "55.0", unit="%",
                    metric="accuracy", dataset="Fenbench")]).save(tmp_path / "graph.json")
    board = ["results", "--graph", str(tmp_path / "graph.json"), "--metric", "accuracy", "--dataset", "Fenbench"]
    shown = CliRunner().invoke(main, board)
    assert shown.exit_code == 0 and "Marlo" in shown.output and "Quillon" not in shown.output
    everything = CliRunner().invoke(main, [*board, "--all"])
    assert everything.exit_code == 0
    assert "Quillon" in everything.output and "[doubt: special setting (attack)]" in everything.output

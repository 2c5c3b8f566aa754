"""Training labels are stored as offsets and names, and join back with the paper's text."""
import json

import pytest
from shared_data import CORPUS, DEV, LABELS

from kg.errors import LabelError
from kg.learn.labels import (clause_span, corpus_texts, entity_mentions, fold_of, from_draft, read_labels, split_of,
                             to_gold, write_gold)

TEXT = ("Medusa: Simple LLM Inference Acceleration\n\n"
        "We present Medusa, which adds decoding heads to large language models (LLMs). "
        "Medusa-1 achieves over 2.2x speedup, and LLM serving gets cheaper.")


def test_labels_mentions_find_every_form_case_insensitively_longest_first():
    mentions = entity_mentions(TEXT, ["large language models", "LLMs", "LLM"])
    assert [TEXT[m["start"]:m["end"]] for m in mentions] == ["LLM", "large language models", "LLMs", "LLM"]


def test_labels_mentions_skip_a_name_inside_a_hyphenated_name():
    assert [TEXT[m["start"]:m["end"]] for m in entity_mentions(TEXT, ["Medusa"])] == ["Medusa", "Medusa"]


def test_labels_clause_span_tolerates_whitespace_and_refuses_what_is_not_there():
    span = clause_span(TEXT, "Medusa-1 achieves over\n2.2x speedup")
    assert TEXT[span["start"]:span["end"]] == "Medusa-1 achieves over 2.2x speedup"
    with pytest.raises(LabelError, match="not found"):
        clause_span(TEXT, "Medusa-3 achieves 9x")


def test_labels_draft_to_stored_to_gold_round_trip_keeps_no_text():
    draft = {"id": "p1",
             "entities": [{"name": "Medusa", "type": "Method", "aliases": ["Medusa-1"], "role": "proposed"}],
             "claims": [{"subject": "Medusa-1", "value": "2.2", "unit": "x", "metric": "speedup", "via": None,
                         "baseline": None, "dataset": None, "text": "Medusa-1 achieves over 2.2x speedup"}],
             "relations": []}
    stored = from_draft(draft, TEXT)
    assert "text" not in stored["claims"][0] and "title" not in stored
    assert [TEXT[m["start"]:m["end"]] for m in stored["entities"][0]["mentions"]] == ["Medusa", "Medusa", "Medusa-1"]
    gold = to_gold(stored, TEXT)
    assert gold["title"] == "Medusa: Simple LLM Inference Acceleration"
    assert gold["claims"][0]["text"] == "Medusa-1 achieves over 2.2x speedup"
    assert gold["entities"] == stored["entities"]


def test_labels_read_names_the_file_and_line_of_a_bad_record(tmp_path):
    path = tmp_path / "b01.jsonl"
    path.write_text(json.dumps({"id": "p1"}) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"b01.jsonl:2: not JSON"):
        list(read_labels([path]))


def test_labels_mentions_inside_compounds_only_when_the_name_is_nowhere_on_its_own():
    text = "A transformer-based model and a GPT-based agent; GPT alone."
    assert [text[m["start"]:m["end"]] for m in entity_mentions(text, ["transformer"])] == ["transformer"]
    assert [text[m["start"]:m["end"]] for m in entity_mentions(text, ["GPT"])] == ["GPT"]
    assert entity_mentions(text, ["GPT"])[0]["start"] == text.index("GPT alone")


@pytest.mark.parametrize("form, text, expected", [
    ("VerifiaBLE", "We build VerifiaBLE: verifiable code.", ["VerifiaBLE"]),
    ("Reason-KE", "Reason-KE++ extends Reason-KE.", ["Reason-KE"]),
    ("Llama", "Llama runs in llama.cpp; Llama.", ["Llama", "Llama"]),
    ("SPLANNING", "SPLANNING, code at github.com/x/SPLANNING.", ["SPLANNING"]),
    ("Hestia", "Hestia (https://x.org/Hestia) and Hestia.", ["Hestia", "Hestia"]),
    ("B-WER", "WER/B-WER drop.", ["B-WER"]),
    ("speculative decoding", "Speculative Decoding: speculative decoding.", ["Speculative Decoding", "speculative decoding"]),
])
def test_labels_mentions_are_names_as_written_not_other_words(form, text, expected):
    assert [text[m["start"]:m["end"]] for m in entity_mentions(text, [form])] == expected


def test_labels_mentions_keep_case_only_for_words_spelled_as_names():
    text = "Spatial GPU Sharing: spatial GPU sharing, not spatial gpu sharing."
    assert [text[m["start"]:m["end"]] for m in entity_mentions(text, ["spatial GPU sharing"])] == [
        "Spatial GPU Sharing", "spatial GPU sharing"]


def test_labels_write_gold_is_score_py_input_joined_with_the_text(tmp_path):
    label = {"id": "p1", "entities": [], "relations": [],
             "claims": [{"subject": "Medusa-1", "value": "2.2", "span": {"start": TEXT.index("Medusa-1"),
                                                                          "end": TEXT.index(" speedup")}}]}
    write_gold(tmp_path / "gold.jsonl", [label], {"p1": TEXT})
    (record,) = map(json.loads, (tmp_path / "gold.jsonl").read_text(encoding="utf-8").splitlines())
    assert record["title"] == "Medusa: Simple LLM Inference Acceleration"
    assert record["claims"][0]["text"] == "Medusa-1 achieves over 2.2x" and "span" not in record["claims"][0]


@pytest.mark.seeds
@pytest.mark.skipif(not DEV.is_dir(), reason="../shared/eval is not here")
def test_labels_never_hold_a_dev_paper():
    from kg.records import normalise_title

    dev = [json.loads(line) for line in (DEV / "papers.jsonl").open(encoding="utf-8")]
    labels = list(read_labels(sorted(LABELS.glob("*.jsonl"))))
    texts = corpus_texts(CORPUS, (label["id"] for label in labels))
    dev_titles = {normalise_title(paper["title"]) for paper in dev}
    dev_ids = {str(paper["id"]) for paper in dev}
    clashes = [label["id"] for label in labels
               if label["id"] in dev_ids or normalise_title(texts[label["id"]].split("\n\n", 1)[0]) in dev_titles]
    assert len(labels) > 1000 and clashes == []


def test_labels_folds_part_every_split_evenly():
    ids = [f"2401.{n:05d}" for n in range(4000)]
    for split in ("train", "tuning", "validation"):
        members = [i for i in ids if split_of(i) == split]
        sizes = [sum(fold_of(i, 4) == k for i in members) for k in range(4)]
        assert min(sizes) > 0.8 * len(members) / 4, (split, sizes)

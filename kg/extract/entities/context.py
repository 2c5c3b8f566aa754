"""Typing a name by its context, strongest evidence first.

The lexicons; an apposition ("X, a new benchmark", "a dedicated metric, X", a
title's "X: A ... Model"); the word next to a name ("the GSM8K benchmark",
"dataset X", "measured by X"); the name's shape ("-7B", a model family); a list
after "on" in a sentence about evaluation; the name a title leads with ("Medusa: ...").
A name with no evidence is a Method.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from kg.extract.entities.candidates import Candidate
from kg.extract.entities.lexicon import Lexicon
from kg.extract.entities.names import PARAM_SIZE, QUANTITY
from kg.extract.entities.phrases import METRIC_CUES

APPOSITION_TYPES = {
    "model": "Model", "models": "Model", "llm": "Model", "vlm": "Model", "mllm": "Model", "checkpoint": "Model",
    "benchmark": "Dataset", "dataset": "Dataset", "corpus": "Dataset", "suite": "Dataset", "testbed": "Dataset",
    "collection": "Dataset", "treebank": "Dataset", "benchmarks": "Dataset", "datasets": "Dataset",
    "framework": "Method", "method": "Method", "approach": "Method", "technique": "Method", "algorithm": "Method",
    "system": "Method", "architecture": "Method", "pipeline": "Method", "strategy": "Method", "paradigm": "Method",
    "metric": "Metric", "score": "Metric", "measure": "Metric", "task": "Task", "problem": "Task",
}
GENERIC_HEAD_TYPES = {
    "benchmark": "Dataset", "benchmarks": "Dataset", "dataset": "Dataset", "datasets": "Dataset",
    "data set": "Dataset", "corpus": "Dataset", "suite": "Dataset", "model": "Model", "models": "Model",
    "metric": "Metric", "metrics": "Metric", "task": "Task", "tasks": "Task", "problem": "Task",
}
EVALUATION_LEMMAS = frozenset({"evaluate", "evaluation", "experiment", "benchmark", "result", "achieve", "test",
                               "outperform", "accuracy", "score", "perform", "performance", "improve", "improvement",
                               "surpass", "state-of-the-art", "validate", "demonstrate", "dataset", "fine-tune",
                               "show", "boost", "speed-up", "speedup", "reach", "obtain", "gain", "train", "report"})
DATASET_WORDS = frozenset({"benchmark", "benchmarks", "dataset", "datasets", "corpus", "corpora", "suites"})


def name_type(lexicon: Lexicon, doc: Doc, cand: Candidate, title_name: str | None) -> tuple[str, str]:
    """The type of a name candidate and the kind of evidence for it; ``title_name``: the name the paper's
    title leads with (``kg.records.title_lead``), if any."""
    span = doc[cand.start:cand.end]
    text = span.text
    lexicon_type = lexicon.type_of(text)
    if lexicon_type:
        return lexicon_type, "lexicon"
    after = doc[cand.end].lower_ if cand.end < len(doc) else ""
    before = doc[cand.start - 1].lower_ if cand.start > 0 else ""
    apposition = apposition_type(doc, cand.end) or introduced_type(doc, cand.start)
    if apposition:
        return apposition, "apposition"
    if cand.start >= 2 and (doc[cand.start - 2].lower_, before) in METRIC_CUES:
        return "Metric", "cue"
    for word in (after, before):
        if word in GENERIC_HEAD_TYPES:
            return GENERIC_HEAD_TYPES[word], "cue"
    if lexicon.is_family(text) or PARAM_SIZE.search(text):
        return "Model", "shape"
    if after in lexicon.head_with_modifier and after not in lexicon.generic_heads:
        return lexicon.head_with_modifier[after], "cue"
    if evaluated_on(doc, cand.start):
        return "Dataset", "cue"
    if text == title_name:
        return "Method", "title"  # "Imprompter: Tricking LLM Agents ...": the paper's own, wherever it is named
    return "Method", "default"


def long_form_type(lexicon: Lexicon, doc: Doc, long_span: Span, short: Span) -> tuple[str, str]:
    """The type of an abbreviation's long form and the kind of evidence for it."""
    entity_type = lexicon.type_of(long_span.text) or lexicon.type_of(short.text)
    if entity_type:
        return entity_type, "lexicon"
    after = doc[short.end + 1].lower_ if short.end + 1 < len(doc) else ""
    if after in GENERIC_HEAD_TYPES:
        # "Context-Aware Visual Grounding (CAVG) model": the word after the definition types it
        return GENERIC_HEAD_TYPES[after], "cue"
    entity_type = lexicon.head_type([t.text for t in long_span if not t.is_punct]) or apposition_type(doc, short.end + 1)
    if entity_type:
        return entity_type, "head"
    return "Method", "default"


def evaluated_on(doc: Doc, start: int) -> bool:
    """Whether the name is in a list after "on" in a sentence about evaluation ("results on X, Y and Z")."""
    i = start - 1
    while i >= 0 and i > start - 12 and (doc[i].text in (",", "and", "or") or doc[i].pos_ in ("PROPN", "NUM")
                                         or doc[i].is_punct and doc[i].text in "-/"):
        i -= 1
    if i >= 1 and doc[i].lower_ in ("as", "including", "like", ":", "(") and any(
            t.lower_ in DATASET_WORDS for t in doc[max(0, i - 4):i]):
        return True  # "benchmarks such as X and Y"
    if i < 0 or doc[i].lower_ not in ("on", "across", "including", "like"):
        return False
    sent = doc[i].sent
    return any(t.lemma_.lower() in EVALUATION_LEMMAS for t in sent)


def introduced_type(doc: Doc, start: int) -> str | None:
    """The type the word that introduces a name gives: "a dedicated metric, KAS", "a benchmark called X"."""
    if start < 2 or doc[start - 1].lower_ not in ("called", "named", "dubbed", "termed", "coined", ",", ":"):
        return None
    return APPOSITION_TYPES.get(doc[start - 2].lower_)


def apposition_type(doc: Doc, end: int) -> str | None:
    """The type a following "X, a new benchmark ..." or "X is a ... model" gives."""
    if end < len(doc) and doc[end].text == "(":
        close = next((t.i for t in doc[end:min(len(doc), end + 12)] if t.text == ")"), None)
        end = close + 1 if close is not None else end
    if end + 1 >= len(doc):
        return None
    title_colon = doc[end].text == ":" and "\n" not in doc.text[:doc[end].idx]
    if doc[end].text == "," or doc[end].lemma_ == "be" or title_colon:
        if doc[end + 1].lower_ not in ("a", "an", "the"):
            return None
        for token in doc[end + 2:min(len(doc), end + 12)]:
            if QUANTITY.match(token.text) or token.like_num:
                continue  # "a 52B open multilingual model": the size is no head
            if title_colon and token.lower_ in APPOSITION_TYPES:
                return APPOSITION_TYPES[token.lower_]  # "X: A Large Language Model for ...": parses of titles are poor
            if token.pos_ in ("NOUN", "PROPN") and token.dep_ not in ("compound", "amod", "nmod"):
                return APPOSITION_TYPES.get(token.lower_)
            if token.text in (",", ".", ";", "(", "that", "which"):
                return None
    return None

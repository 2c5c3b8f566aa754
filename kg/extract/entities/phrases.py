"""Phrase candidates: noun chunks and lexicon terms, trimmed to what names a thing.

Noun chunks are split at "and"/"or" and numbers, trimmed of determiners, generic
modifiers and grading words (comparatives; adjectives the corpus grades, before
a task or metric: "thorough exploration") and typed by their head word
("speculative decoding", "image captioning", "success rate"). Lexicon terms are
found wherever they occur, also outside noun chunks ("fine-tune"). A title-cased
title is cut into its capitalised phrases instead: the parser reads title case poorly.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.extract.entities.candidates import Candidate
from kg.extract.entities.lexicon import Lexicon
from kg.extract.entities.names import NAME_SHAPE, YEAR

# The part of those that only says what kind or how much ("college-level", "memory-intensive"); not
# "tree-based attention", which names the thing.
KIND_SUFFIX = re.compile(r"-(?:level|specific|intensive|consuming|agnostic|oriented|friendly|centric|related|sized|"
                         r"grade|class|ready|heavy|hungry|critical|sensitive)$", re.IGNORECASE)
DETERMINERS = {"the", "a", "an", "our", "their", "its", "his", "her", "this", "these", "that", "those", "we",
               "such", "which", "whose", "what", "it", "they", "them", "one", "two", "three", "four", "five",
               "six", "seven", "eight", "nine", "ten", "no", "each", "every", "both", "all", "any", "some"}
# Heads that make a capitalised name before them a part of a system ("the Target Grounding module").
COMPONENT_HEADS = frozenset({"module", "modules", "framework", "mechanism", "component", "components", "method",
                             "approach", "algorithm", "technique", "architecture", "strategy", "scheme", "pipeline",
                             "paradigm", "procedure", "recipe", "network", "block", "layer", "head", "policy"})
# "measured by BPB", "in terms of MRR": the name is what is measured.
METRIC_CUES = frozenset({("measured", "by"), ("measure", "by"), ("terms", "of"), ("evaluated", "by"),
                         ("assessed", "by"), ("quantified", "by")})
MEASURED_NUMBER = re.compile(r"^[<>~]?\d[\d.,]*(?:%|x|\u00d7|pp)?$")
# Nouns of change: "a 5% increase in X", "a 50% memory reduction".
CHANGE_NOUNS = frozenset({"increase", "increases", "decrease", "decreases", "reduction", "reductions", "improvement",
                          "improvements", "rise", "boost", "enhancement", "jump", "uplift", "lift"})
MEASURE_WORDS = frozenset({"metric", "metrics", "score", "scores", "measured", "measure", "measures", "rate", "rates"})


def measured(sent: Span) -> bool:
    """Whether a sentence measures something: a number, or words that name a measure."""
    words = [t.lower_ for t in sent]
    return any(t.like_num and not YEAR.fullmatch(t.text) or MEASURED_NUMBER.match(t.text) for t in sent) or any(
        w in MEASURE_WORDS for w in words) or any(pair in METRIC_CUES for pair in zip(words, words[1:]))


def strip_grading(lexicon: Lexicon, span: Span, entity_type: str | None) -> Span:
    """Drop the opening words that say how good the thing is, not which thing it is.

    Comparatives and superlatives ("deeper reasoning", "best accuracy") never
    name anything; plain adjectives only when the corpus grades them and the
    phrase is a task or metric ("thorough exploration", but "discriminative
    training" and "sparse attention" stay).
    """
    start = span.start
    while start < span.end - 1:
        token = span.doc[start]
        if token.tag_ in ("JJR", "JJS", "RBR", "RBS") or (
                token.tag_ == "JJ" and token.lower_ in lexicon.gradable and entity_type in ("Task", "Metric")):
            start += 1
        else:
            break
    return span.doc[start:span.end]


def names_nothing(lexicon: Lexicon, token: Token) -> bool:
    """Whether a word opening a phrase names nothing: a determiner, a generic or grading word, a function word."""
    return (token.lower_ in DETERMINERS or token.lower_ in lexicon.generic_modifiers
            or token.lower_ in lexicon.procedure_dismissers
            or token.tag_ in ("JJR", "JJS", "RBR", "RBS")  # "deeper reasoning", "best accuracy"
            or token.is_punct or token.pos_ in ("PRON", "ADV", "NUM", "CCONJ", "ADP", "VERB", "AUX", "SCONJ", "X", "DET", "PART")
            or token.lower_ in ("i.e.", "e.g.", "i.e", "e.g", "ie", "eg", "etc")
            or token.like_num or (token.lower_.endswith("ly") and token.pos_ != "PROPN"))


def hyphened_to_next(doc: Doc, i: int) -> bool:
    """Whether token ``i`` opens a hyphened word ("prior-LLM", "real-time"): a part of it opens no phrase alone."""
    return i + 2 < len(doc) and not doc[i].whitespace_ and doc[i + 1].text == "-" and not doc[i + 1].whitespace_ \
        and doc[i].is_alpha


def trim(lexicon: Lexicon, span: Span, content: bool = True) -> Span | None:
    """Strip what opens a phrase without naming anything; ``content=False`` strips only determiners and punctuation."""
    doc = span.doc
    start, end = span.start, span.end
    for t in span:
        if t.text == "(":
            end = t.i
            break
    for t in doc[start:end]:
        if t.text in ("'s", "\u2019s") and t.i + 1 < end:
            start = t.i + 1
    while start < end and not content and (doc[start].lower_ in DETERMINERS or doc[start].is_punct):
        start += 1
    while start < end and content and names_nothing(lexicon, doc[start]):
        if hyphened_to_next(doc, start):
            # A hyphened word goes whole or not at all: "fine-tuned heads" loses "fine-tuned",
            # "prior-LLM fusion" keeps "prior-LLM".
            last = start
            while last + 2 < end and doc[last + 1].text == "-" and not doc[last].whitespace_ and not doc[last + 1].whitespace_:
                last += 2
            if not (doc[last].pos_ in ("VERB", "AUX", "ADV") or doc[last].tag_ in ("VBN", "VBD", "VBG")):
                break
            start = last
        start += 1
    # "college-level reasoning", "memory-intensive spherical harmonics": a hyphened word that only
    # says what kind ("-level", "-specific", "-intensive") opens no name
    while content and start + 3 < end and doc[start + 1].text == "-" and doc[start].is_alpha and KIND_SUFFIX.match(
            "-" + doc[start + 2].text) and not doc[start].text[:1].isupper():
        start += 3
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].lower_ in ("'s", "\u2019s")):
        end -= 1
    return doc[start:end] if end > start else None


def title_cased(title: str) -> bool:
    words = [w for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3 and not w.isupper()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def title_phrases(doc: Doc, title_end: int) -> list[Span] | None:
    """The runs of capitalised words of a title-cased title, or None for a title in sentence case.

    "Medusa: Simple LLM Inference Acceleration Framework with Multiple
    Decoding Heads" gives "Medusa", "Simple LLM Inference Acceleration
    Framework" and "Multiple Decoding Heads"; a hyphened word stays whole
    ("Mixture-of-Experts", "prior-LLM"). A gerund that opens the title or the
    part after its colon is a verb ("Guiding Data Generation ..."), not part
    of a name.
    """
    if title_end <= 0 or not title_cased(doc.text[:title_end]):
        return None
    end = 0
    while end < len(doc) and doc[end].idx < title_end:
        end += 1

    def hyphened(i: int) -> bool:
        token = doc[i]
        return (token.text == "-" and i > 0 and not doc[i - 1].whitespace_ and not token.whitespace_) or (
            i + 1 < end and doc[i + 1].text == "-" and not token.whitespace_) or (
            i > 0 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_)

    def material(i: int) -> bool:
        token = doc[i]
        if hyphened(i):
            return True
        return token.text[:1].isupper() and not token.like_num or bool(NAME_SHAPE.match(token.text))

    phrases = []
    i = 0
    while i < end:
        if not material(i):
            i += 1
            continue
        start = i
        i += 1
        # "GPT-4 Enhanced Multimodal Grounding": a name, then the participle it modifies with
        while i < end and material(i) and not (doc[i].lower_.endswith("ed") and not hyphened(i)
                                                and NAME_SHAPE.match(doc[i - 1].text) and not hyphened(i - 1)):
            i += 1
        opens = start == 0 or doc[start - 1].text == ":"
        if opens and i - start > 1 and doc[start].lower_.endswith("ing") and not hyphened(start):
            start += 1
        phrases.append(doc[start:i])
    return phrases


def chunk_parts(doc: Doc, title_end: int) -> list[Span]:
    """Noun chunks, split at "and"/"or" and at numbers ("fine-tuning and prompt engineering"); a
    title-cased title's capitalised phrases instead of its chunks."""
    parts = []
    phrases = title_phrases(doc, title_end)
    for chunk in doc.noun_chunks:
        if phrases is not None and chunk.start_char < title_end:
            continue
        first = chunk.start
        for token in chunk:
            if token.pos_ == "CCONJ" or token.text in (",", ";", "/") or token.like_num or "%" in token.text:
                if token.i > first:
                    parts.append(doc[first:token.i])
                first = token.i + 1
        if chunk.end > first:
            parts.append(doc[first:chunk.end])
    return (phrases or []) + parts


def title_fragment(doc: Doc, start: int, end: int, title_end: int) -> bool:
    """A lone title-cased word that is part of a longer capitalised phrase of the title.

    "Vocabulary Pruning for ...", "Boosting LLMs with ...": the parser splits
    title case badly, and the one word alone ("Pruning", "Boosting") is a
    fragment of a name or a verb, not the technique.
    """
    if end - start != 1 or doc[start].idx >= title_end or not doc[start].text[:1].isupper():
        return False
    neighbours = [doc[i] for i in (start - 1, end) if 0 <= i < len(doc) and doc[i].idx < title_end]
    return any(t.text[:1].isupper() and any(c.isalpha() for c in t.text) for t in neighbours)


def measured_change(span: Span) -> bool:
    """Whether a phrase is what a measured change is in: "a 5.04% increase in consumption"."""
    preposition = span[-1].head
    if span[-1].dep_ != "pobj" or preposition.lower_ not in ("in", "of") or preposition.head.lower_ not in CHANGE_NOUNS:
        return False
    change = preposition.head
    return any(t.like_num or MEASURED_NUMBER.match(t.text) for t in change.doc[max(0, change.i - 3):change.i])


def chunk_candidates(lexicon: Lexicon, doc: Doc, named: set[int], title_end: int, max_tokens: int) -> list[Candidate]:
    """Noun-chunk phrases of at most ``max_tokens`` words, trimmed and typed by the lexicon or their head
    word; ``named``: the tokens of names."""
    out = []
    for part in chunk_parts(doc, title_end):
        span = trim(lexicon, part)
        if span is None:
            continue
        if span[-1].i in named and span[-1].lower_ not in lexicon.head_with_modifier:
            continue  # "the multilingual model TowerInstruct": the name speaks for itself (not "multi-choice QA")
        if title_fragment(doc, span.start, span.end, title_end):
            continue
        whole = [t.text for t in span]
        words = lexicon.without_generic_heads(whole)
        popped = whole[len(words)].lower() if len(words) < len(whole) else None
        if len(words) > 1 and words[-1].lower() in CHANGE_NOUNS and lexicon.head_type(words[:-1]) == "Metric":
            words.pop()  # "a 50% static VRAM reduction": what changes is the metric
        span = span.doc[span.start:span.start + len(words)]
        if len(span.text.split()) > max_tokens or any(t.text in (":", "(", ")") for t in span):
            continue
        text = span.text
        entity_type = lexicon.type_of(text)
        evidence = "lexicon"
        if entity_type is None and popped in COMPONENT_HEADS and len(span) > 1 and span.start_char >= title_end and all(
                t.text[:1].isupper() for t in span if t.is_alpha):
            # "a Spatio-Temporal Fusion Mapping module": a capitalised name the paper gives a part of its system
            out.append(Candidate(span.start, span.end, "Method", "cue"))
            continue
        if entity_type is None:
            entity_type = lexicon.head_type([t.text for t in span if not t.is_punct] or words)
            stripped = strip_grading(lexicon, span, entity_type)
            if stripped.start > span.start:
                span, words = stripped, [t.text for t in stripped]
                entity_type = lexicon.type_of(span.text)
                if entity_type is not None:
                    out.append(Candidate(span.start, span.end, entity_type, "lexicon"))
                    continue
                entity_type = lexicon.head_type([t.text for t in span if not t.is_punct] or words)
            evidence = "head"
            if entity_type and words[-1].lower() in lexicon.low_precision_heads and not (
                    span.start_char < title_end or all(t.text[:1].isupper() for t in span if t.is_alpha)
                    or entity_type == "Metric" and measured(span.sent)):
                evidence = "weak"
        if entity_type is None and measured_change(span):
            entity_type, evidence = "Metric", "cue"
        if entity_type is None:
            continue
        out.append(Candidate(span.start, span.end, entity_type, evidence))
    return out


def term_candidates(lexicon: Lexicon, doc: Doc, title_end: int) -> list[Candidate]:
    """The lexicon's lower-cased terms wherever they stand as a name of their own."""
    out = []
    for _, start, end in lexicon.matcher(doc):
        if title_fragment(doc, start, end, title_end):
            continue
        if end - start > 1 and doc[start].tag_ in ("JJR", "JJS"):
            continue  # "deeper reasoning": the noun chunk, stripped of the comparative, speaks for it
        last = doc[end - 1]
        # A term that only modifies a noun ("a translation resource") names nothing there; across a
        # comma it is an item of a list the parser misread ("image captioning, visual question answering").
        if last.dep_ in ("compound", "amod", "nmod") and last.head.i >= end and last.head.lower_ not in lexicon.generic_heads \
                and not any(t.text in (",", ";") for t in doc[end:last.head.i]):
            continue
        if start > 0 and doc[start - 1].text == "-" or end < len(doc) and doc[end].text == "-":
            continue
        entity_type = lexicon.terms.get(doc[start:end].text.lower())
        if entity_type:
            out.append(Candidate(start, end, entity_type, "lexicon"))
    return out

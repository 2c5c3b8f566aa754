"""Abbreviation definitions: "Long Form (ABBR)" and, reversed, "ABBR (Long Form)".

The long form is found by Schwartz & Hearst's walk (``kg.abbreviations``) within
the sentence before the bracket; every later ``ABBR`` refers to it. Reversed, the
bracket spells the name, and the long form is an alias of the name.
"""
from __future__ import annotations

from spacy.tokens import Doc, Span

from kg.abbreviations import long_form_start
from kg.extract.doc import starts_sentence
from kg.extract.entities.lexicon import Lexicon
from kg.extract.entities.phrases import trim


def abbreviations(lexicon: Lexicon, doc: Doc, text: str) -> list[tuple[Span, Span, bool]]:
    """(long form, abbreviation, reverse) triples defined as "Long Form (ABBR)" or, reversed, "ABBR (Long Form)"."""
    pairs = []
    for token in doc:
        if token.text != "(" or token.i == 0:
            continue
        reverse = reverse_definition(lexicon, doc, text, token.i)
        if reverse is not None:
            pairs.append((reverse, doc[token.i - 1:token.i], True))
            continue
        close = next((t.i for t in doc[token.i + 1:token.i + 6] if t.text == ")"), None)
        if close is None or close == token.i + 1:
            continue
        short = doc[token.i + 1:close]
        short_text = short.text
        if not (2 <= len(short_text) <= 15 and " " not in short_text and short_text[0].isalnum()
                and sum(c.isupper() for c in short_text) >= 1 and not short_text.islower()):
            continue
        window_start = token.i - min(len(short_text) + 5, 2 * len(short_text) + 1)
        window_start = max(window_start, clause_start(doc, token.i, window_start))
        long_span = long_form(lexicon, doc, text, window_start, token.i, short_text)
        if long_span is not None:
            pairs.append((long_span, short, False))
    return pairs


def reverse_definition(lexicon: Lexicon, doc: Doc, text: str, open_paren: int) -> Span | None:
    """The long form in "FLUE (French Language Understanding Evaluation)": the whole bracket, spelling the name."""
    short = doc[open_paren - 1].text
    if not (2 <= len(short) <= 12 and sum(c.isupper() for c in short) >= 2 and short[0].isalpha()):
        return None
    close = next((t.i for t in doc[open_paren + 1:open_paren + 16] if t.text in (")", "(")), None)
    if close is None or doc[close].text != ")" or close - open_paren < 3:
        return None
    long_span = long_form(lexicon, doc, text, open_paren + 1, close, short)
    if long_span is None or long_span.start > open_paren + 2 or long_span.end != close:
        return None
    return long_span


def clause_start(doc: Doc, i: int, limit: int) -> int:
    """The first token of the sentence holding token ``i``, looking back no further than ``limit``."""
    j = i
    while j > max(limit, 0) and not starts_sentence(doc, j):
        j -= 1
    return j


def long_form(lexicon: Lexicon, doc: Doc, doc_text: str, first: int, end: int, short: str) -> Span | None:
    """The words of ``doc[first:end]`` that spell ``short``, trimmed, if they do."""
    letters = "".join(c.lower() for c in short.rstrip("s") if c.isalnum()) or "".join(
        c.lower() for c in short if c.isalnum())
    base = doc[first].idx
    start = long_form_start(letters, doc_text[base:doc[end - 1].idx + len(doc[end - 1].text)].lower())
    if start is None:
        return None
    span = doc.char_span(base + start, doc[end - 1].idx + len(doc[end - 1].text), alignment_mode="expand")
    if span is None:
        return None
    trimmed = trim(lexicon, span)
    if trimmed is not None and span.start < trimmed.start and not trimmed.text.lower().startswith(letters[0]):
        # "High Dynamic Range ... (HDR-GS)": a word that gives the first letter stays
        trimmed = trim(lexicon, span, content=False)
    span = trimmed
    if span is None or len(span) > 10 or any(c in span.text for c in "<>\\{}") or any(
            t.text in "()[];:" or t.i != span.start and starts_sentence(doc, t.i) for t in span):
        return None
    return span

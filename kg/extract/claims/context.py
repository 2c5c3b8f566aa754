"""A candidate number and the doc around it: its tokens, sentence and words, and the entity mentions
that claims' subjects, baselines and datasets are read from."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from kg.claim_cues import ClaimCues
from kg.extract.doc import ENTITY_SPANS, MAX_WALK
from kg.numbers import NumberMention
from kg.records import title_end

# "7B", "1.5B": a model size names no subject.
SIZE = re.compile(r"^\d+(?:\.\d+)?[KMBT]$")
MAX_ENTITY_TOKENS = 32  # longer "entity" spans are noise and would slow the look-ups


def _words_before(text: str, start: int, limit: int, floor: int) -> str:
    return " ".join(text[max(floor, start - limit):start].lower().split())


def ends_with_phrase(text: str, phrase: str) -> bool:
    if not text.endswith(phrase):
        return False
    rest = text[: len(text) - len(phrase)]
    return not rest or not phrase[0].isalnum() or not rest[-1].isalnum()


@dataclass(frozen=True)
class DocFacts:
    """What each number reads of its doc, found once per doc: ``doc.text`` joins every token on each access,
    and ``doc.sents`` walks the doc."""

    text: str
    sentence_starts: tuple[int, ...]  # the first token of each sentence
    title_end: int

    @classmethod
    def of(cls, doc: Doc) -> DocFacts:
        text = doc.text
        return cls(text, tuple(sent.start for sent in doc.sents), title_end(text))


class ClaimContext:
    """One candidate number with the doc around it."""

    def __init__(self, doc: Doc, facts: DocFacts, mention: NumberMention, cues: ClaimCues):
        self.doc, self.text, self.mention, self.cues = doc, facts.text, mention, cues
        self.in_title = mention.start < facts.title_end
        number = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        whole = doc.char_span(mention.start, max(mention.unit_end, mention.end), alignment_mode="expand")
        self.number = number
        self.whole = whole or number
        self.anchor: Token = self.whole.root
        # The number's own sentence: the unit may fall past a split the sentencizer made ("}/1" | "%").
        self.sent: Span = self.whole[0].sent
        starts = facts.sentence_starts
        self.sentence_place = (starts.index(self.sent.start), len(starts))  # (place, of how many)
        self.unit_text = facts.text[mention.end:mention.unit_end].strip().lower()

    # -- the tokens and words around the number ----------------------------------------

    def tokens_after(self, n: int) -> list[Token]:
        end = min(self.whole.end + n, self.sent.end)
        return [t for t in self.doc[self.whole.end:end]]

    def tokens_before(self, n: int) -> list[Token]:
        start = max(self.whole.start - n, self.sent.start)
        return list(self.doc[start:self.whole.start])

    def text_before(self, limit: int = 40) -> str:
        return _words_before(self.text, self.mention.start, limit, self.sent.start_char)

    def governing_verb(self) -> Token | None:
        token = self.anchor
        for _ in range(MAX_WALK):
            if token.pos_ in ("VERB", "AUX"):
                return token
            if token.head.i == token.i:
                return None
            token = token.head
        return None


# -- what the number is about -------------------------------------------------------------

def clean_phrase(doc: Doc, start: int, end: int, skip: frozenset[str]) -> str | None:
    while start < end and (doc[start].pos_ in ("DET", "PRON", "PUNCT", "NUM", "ADP", "CCONJ")
                           or doc[start].lower_ in skip or doc[start].like_num or doc[start].text in "%$\\"):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text not in ")]") :
        end -= 1
    if end <= start:
        return None
    text = doc[start:end].text.strip()
    return text or None


def head_phrase(head: Token, skip: frozenset[str]) -> str | None:
    """The words of a noun phrase up to its head ('the memory-bound speed-up' -> 'memory-bound speed-up'),
    and on through words glued to it ('state-of-the-arts')."""
    end = head.i + 1
    while end <= head.right_edge.i and not head.doc[end - 1].whitespace_:
        end += 1
    return clean_phrase(head.doc, head.left_edge.i, end, skip)


def entity_spans(doc: Doc) -> list[Span]:
    spans = doc.spans[ENTITY_SPANS] if ENTITY_SPANS in doc.spans else []
    kept = [s for s in spans if len(s) <= MAX_ENTITY_TOKENS and not SIZE.match(s.text) and not s[0].like_num]
    return sorted(kept, key=lambda s: s.start)


def glued_start(doc: Doc, i: int) -> int:
    """Where the name whose part starts at token ``i`` starts: back over the words hyphen-glued before it
    ("Quiet-STaR" where the part is "STaR"), but not over a lower-case word leading the run, which is prose
    ("objective-Quiet-STaR")."""
    start = i
    while start >= 2 and doc[start - 1].text == "-" and not doc[start - 1].whitespace_ \
            and not doc[start - 2].whitespace_ and doc[start - 2].is_alpha:
        start -= 2
    while start < i and doc[start].is_lower:
        start += 2
    return start


def entity_name(span: Span) -> str:
    return span.doc[glued_start(span.doc, span.start):span.end].text


def entity_in(spans: list[Span], start: int, end: int, head: int | None = None,
               label: str | None = None) -> Span | None:
    """The entity mention in tokens [start, end): the one holding ``head``, else the last before it."""
    first = bisect_left(spans, start - MAX_ENTITY_TOKENS, key=lambda s: s.start)
    last = bisect_left(spans, end, key=lambda s: s.start)
    inside = [s for s in spans[first:last] if s.end > start and (label is None or s.label_ == label)]
    if not inside:
        return None
    if head is not None:
        for s in inside:
            if s.start <= head < s.end:
                return s
        before = [s for s in inside if s.end <= head + 1]
        if before:
            return before[-1]
    return inside[0]


def span_at(spans: list[Span], start: int | None = None, end: int | None = None,
            labels: frozenset[str] | None = None) -> Span | None:
    """The entity mention that starts at token ``start`` or ends before token ``end`` (one of ``labels``)."""
    last = bisect_left(spans, end if start is None else start + 1, key=lambda s: s.start)
    first = bisect_left(spans, (end if start is None else start) - MAX_ENTITY_TOKENS, key=lambda s: s.start)
    return next((s for s in spans[first:last] if (start is None or s.start == start) and (end is None or s.end == end)
                 and (labels is None or s.label_ in labels)), None)


def in_name(spans: list[Span], i: int) -> bool:
    """Whether token ``i`` is part of an entity's name other than a metric's (the "1.5" of "Gemini 1.5 Flash")."""
    span = entity_in(spans, i, i + 1, head=i)
    return span is not None and span.start <= i < span.end and span.label_ != "Metric"


def name_like(span: Span) -> bool:
    """'HDR-GS', 'Medusa', 'LLaMA-2' rather than 'fusion algorithms'."""
    return any(t.pos_ == "PROPN" or any(c.isupper() or c.isdigit() for c in t.text) for t in span)

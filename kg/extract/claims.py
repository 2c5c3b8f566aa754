"""The kg_claims component: the quantitative results a paper reports.

Every number ``kg.numbers.find_numbers`` sees is a candidate. A
candidate is kept when its unit and context mark it as a result ("2.2x
speedup", "by 16%", "accuracy of 92.3") rather than the setup ("7B
parameters", "253,070 data points", "50% of the full dataset"). The
dependency parse then attaches what the number is about: the subject whose
clause reports it (an entity found by kg_entities where one is there, else the
paper's proposed entity for "we", "our method", "it", or, in a paper that
proposes nothing, the model or method its title leads with), the metric (what
is measured: "PSNR" in "a 1 dB gain in PSNR"), the mechanism credited ("via"),
the baseline, the dataset and the qualifier.

The cue words are data: ``tables/claim_cues.json``, ``claim_metrics.txt``,
``claim_units.json`` and ``claim_spelled_numbers.json``.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from kg.claim_cues import ClaimCues
from kg.extract.doc import ENTITY_SPANS, MAX_WALK
from kg.numbers import CHANGE_FROM, RANGE_LEAD, NumberMention, as_value, find_numbers
from kg.learn import numbers
from kg.learn.linear import LinearModel
from kg.records import TITLE_SEPARATOR, Claim, title_end

URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|io|net|ai|github\.io)(?:/\S*)?", re.IGNORECASE)
# Bare numbers joined to a unit-carrying one ("3.84 and 1.91 dB") share its unit.
COORDINATION = re.compile(r"^\s*(?:,|/|and|or|,\s*and|,\s*or)\s*$")
SPAN_TO = re.compile(r"^\s*to\s*$")
# "gains of 8.38% to 38.6%", "1.36$\times$-1.77$\times$": two numbers joined by "to" or a dash are one
# range (GUIDELINES: one claim per reported number, a range is one claim) ...
RANGE_JOIN = re.compile(r"^[\s$]*(?:to|-|\u2013|~|\\sim)[\s$]*\+?[\s$]*$")
# ... except a change, "from 70% to 78%", which is two; "ranging from 1.3% to 51.8%" is still one
# (kg.numbers: CHANGE_FROM, RANGE_LEAD).
PLUS_MINUS = re.compile(r"(?:\\pm|±|\+/-|\+-)\s*\$?\s*$")
# "7B", "1.5B": a model size names no subject.
SIZE = re.compile(r"^\d+(?:\.\d+)?[KMBT]$")
TITLE_PHRASE_STARTS = frozenset(
    "why how what when where which who can do does is are should towards toward on beyond rethinking".split())
YEAR = re.compile(r"^(?:19|20)\d\d$")
MAX_ENTITY_TOKENS = 32  # longer "entity" spans are noise and would slow the look-ups
MAX_DATASET_GAP = 12  # tokens between a number and a dataset named outside its clause
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass")
ACHIEVERS = frozenset({"Method", "Model"})  # what can reach a number, where a clause names it only in apposition
PROPOSED = object()  # marker: the subject is the paper's own method
MECHANISM_TYPE = "Method"  # what a claim's "via" names: 250 of the 308 vias in our labels, 12 a Model


def _words_before(text: str, start: int, limit: int, floor: int) -> str:
    return " ".join(text[max(floor, start - limit):start].lower().split())


def _ends_with_phrase(text: str, phrase: str) -> bool:
    if not text.endswith(phrase):
        return False
    rest = text[: len(text) - len(phrase)]
    return not rest or not phrase[0].isalnum() or not rest[-1].isalnum()


class ClaimContext:
    """One candidate number with the doc around it."""

    def __init__(self, doc: Doc, text: str, mention: NumberMention, cues: ClaimCues):
        # doc.text joins every token on each access: the text is passed in once.
        self.doc, self.text, self.mention, self.cues = doc, text, mention, cues
        number = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        whole = doc.char_span(mention.start, max(mention.unit_end, mention.end), alignment_mode="expand")
        self.number = number
        self.whole = whole or number
        self.anchor: Token = self.whole.root
        self.sent: Span = self.anchor.sent
        self.unit_text = text[mention.end:mention.unit_end].strip().lower()

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


# -- is it a result? ----------------------------------------------------------------------

def _qualifier(ctx: ClaimContext) -> str | None:
    before = ctx.text_before()
    found = None
    for _ in range(3):
        for phrase, name in ctx.cues.qualifiers.items():
            if _ends_with_phrase(before, phrase):
                found = name
                before = before[: len(before) - len(phrase)].rstrip()
                break
        else:
            break
    return found


def _setup_noun_follows(ctx: ClaimContext) -> bool:
    after = [t.lower_ for t in ctx.tokens_after(3) if not t.is_punct or t.text == "-"]
    after = [w for w in after if w not in ("-", "open", "sourced", "open-sourced", "activated", "total", "trainable")]
    return bool(after) and after[0] in ctx.cues.setup_nouns_after


def _model_follows(ctx: ClaimContext) -> bool:
    """'up to 7B Llama-2', '1.3B OPT': the size of a model, not a result."""
    end = ctx.whole.end
    return any(span.start == end and span.label_ == "Model" for span in ctx.doc.spans.get(ENTITY_SPANS, []))


def _is_data_fraction(ctx: ClaimContext) -> bool:
    """'50% of the full dataset', 'masking ratio of 75%': a share of the setup, not a result."""
    cues = ctx.cues
    sentence = ctx.sent.text.lower()
    before = ctx.text_before(60)
    if any(c in before for c in ("dropout", "masking ratio", "mask ratio", "learning rate")):
        return True
    verb = ctx.governing_verb()
    verb_lemma = verb.lemma_.lower() if verb is not None else ""
    near = [t.lower_ for t in ctx.tokens_before(2) + ctx.tokens_after(3)]
    if verb_lemma not in cues.result_verbs and not any(w in cues.comparatives for w in near) and any(
            t.pos_ == "VERB" and t.lemma_.lower() in cues.composition_verbs for t in ctx.sent):
        return True  # "the corpus contains 12,000 images, of which 30% are night scenes"
    after = " ".join(t.lower_ for t in ctx.tokens_after(6))
    if not after.startswith("of "):
        return False
    if not any(f" {h}" in after for h in cues.data_fraction_heads):
        return False
    if any(_ends_with_phrase(before, w) for w in cues.result_context_for_data):
        return False
    return verb_lemma in cues.setup_verbs or any(c in sentence for c in cues.setup_context)


def _times_is_result(ctx: ClaimContext) -> bool:
    after = [t.lower_ for t in ctx.tokens_after(2)]
    if after and after[0] in ("times", "fold", "-fold"):
        after = after[1:]
    if after and (after[0] in ctx.cues.comparatives or after[0].endswith("er")):
        return True
    before = ctx.text_before(20)
    return _ends_with_phrase(before, "by") or _ends_with_phrase(before, "a") or _ends_with_phrase(before, "up to")


def _metric_word_near(ctx: ClaimContext) -> str | None:
    """A metric named right before ('accuracy of 92.3', 'mean 0.832') or right after ('35.2 BLEU')."""
    cues = ctx.cues
    after = ctx.tokens_after(2)
    if after:
        pair = " ".join(t.lower_ for t in after)
        if pair in cues.metrics:
            return " ".join(t.text for t in after)
        if after[0].lower_ in cues.metrics:
            return after[0].text
    tokens = ctx.tokens_before(7)
    i = len(tokens) - 1
    nouns_skipped = 0
    while i >= 0:
        word = tokens[i].lower_
        if i > 0 and f"{tokens[i - 1].lower_} {word}" in cues.metrics:
            return f"{tokens[i - 1].text} {tokens[i].text}"
        if word in cues.metrics:
            return tokens[i].text
        if word in cues.bare_gap_words or tokens[i].like_num or word in cues.comparatives:
            i -= 1
            continue
        if tokens[i].pos_ == "NOUN" and nouns_skipped < 1:
            nouns_skipped += 1  # "TTFT spikes of 10-16s", "accuracy gains of 3.1"
            i -= 1
            continue
        return None
    return None


def _is_result(ctx: ClaimContext) -> bool:
    m, cues = ctx.mention, ctx.cues
    after = [t.lower_ for t in ctx.tokens_after(2)]
    if PLUS_MINUS.search(ctx.text[max(0, m.start - 6):m.start]):
        return False  # the spread of a result, not a result
    if m.unit_class == "result":
        if m.unit == "x" and (ctx.unit_text in ("times", "fold", "-fold") or m.spelled):
            if any(w.startswith("cross") for w in after[:2]):
                return False
            if ctx.unit_text == "times" or m.spelled and "times" in ctx.text[m.end:m.unit_end]:
                return _times_is_result(ctx)
            # "a twofold speedup", "improves 3-fold"; not "our contributions are two-fold:"
            nxt = ctx.tokens_after(1)
            return _times_is_result(ctx) or bool(nxt) and nxt[0].pos_ in ("NOUN", "ADJ") or (
                ctx.governing_verb() is not None and ctx.governing_verb().lemma_.lower() in cues.result_verbs)
        if after and after[0] in ("confidence", "ci", "quantile", "percentile"):
            return False
        if m.unit == "%" and _is_data_fraction(ctx):
            return False
        return True
    if m.unit_class in ("rate", "measure", "count"):
        if _setup_noun_follows(ctx) or m.unit_class == "count" and _model_follows(ctx):
            return False
        if m.unit_class == "rate":
            return True
        before = ctx.text_before(30)
        if _qualifier(ctx) in ("up to", "only", "less than", "at most"):
            return True
        if _metric_word_near(ctx):
            return True
        verb = ctx.governing_verb()
        return m.unit_class == "measure" and verb is not None and verb.lemma_.lower() in cues.result_verbs and any(
            _ends_with_phrase(before, w) for w in cues.measure_cues_before)
    if m.unit_class is None:
        if YEAR.match(m.value) or m.spelled:
            return False
        return _metric_word_near(ctx) is not None
    return False


# -- what the number is about -------------------------------------------------------------

def _clean_phrase(doc: Doc, start: int, end: int, skip: frozenset[str]) -> str | None:
    while start < end and (doc[start].pos_ in ("DET", "PRON", "PUNCT", "NUM", "ADP", "CCONJ")
                           or doc[start].lower_ in skip or doc[start].like_num or doc[start].text in "%$\\"):
        start += 1
    while end > start and (doc[end - 1].is_punct and doc[end - 1].text not in ")]") :
        end -= 1
    if end <= start:
        return None
    text = doc[start:end].text.strip()
    return text or None


def _head_phrase(head: Token, skip: frozenset[str]) -> str | None:
    """The words of a noun phrase up to its head ('the memory-bound speed-up' -> 'memory-bound speed-up'),
    and on through words glued to it ('state-of-the-arts')."""
    end = head.i + 1
    while end <= head.right_edge.i and not head.doc[end - 1].whitespace_:
        end += 1
    return _clean_phrase(head.doc, head.left_edge.i, end, skip)


def _entity_spans(doc: Doc) -> list[Span]:
    spans = doc.spans[ENTITY_SPANS] if ENTITY_SPANS in doc.spans else []
    kept = [s for s in spans if len(s) <= MAX_ENTITY_TOKENS and not SIZE.match(s.text) and not s[0].like_num]
    return sorted(kept, key=lambda s: s.start)


def _glued_start(doc: Doc, i: int) -> int:
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


def _entity_name(span: Span) -> str:
    return span.doc[_glued_start(span.doc, span.start):span.end].text


def _entity_in(spans: list[Span], start: int, end: int, head: int | None = None,
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


def _in_name(spans: list[Span], i: int) -> bool:
    """Whether token ``i`` is part of an entity's name other than a metric's (the "1.5" of "Gemini 1.5 Flash")."""
    span = _entity_in(spans, i, i + 1, head=i)
    return span is not None and span.start <= i < span.end and span.label_ != "Metric"


def _name_like(span: Span) -> bool:
    """'HDR-GS', 'Medusa', 'LLaMA-2' rather than 'fusion algorithms'."""
    return any(t.pos_ == "PROPN" or any(c.isupper() or c.isdigit() for c in t.text) for t in span)


def _climb_to_noun(token: Token) -> Token:
    """From a relative clause or apposition to the noun it describes."""
    for _ in range(MAX_WALK):
        if token.dep_ == "appos" and token.head.i != token.i:
            token = token.head
            continue
        break
    return token


def _subject_candidates(ctx: ClaimContext) -> list[Token]:
    """Subjects of the clauses above the number, nearest clause first."""
    token = ctx.anchor
    anchor_i = ctx.anchor.i
    found: list[Token] = []
    for _ in range(MAX_WALK):
        # "44.96% of the instances are answered by GPT-4": a passive clause's agent is its doer
        passive = any(c.dep_ in ("auxpass", "nsubjpass") for c in token.children)
        agent = next((c for c in token.children if c.dep_ == "agent"), None) if passive else None
        doer = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        if doer is not None and not doer.like_num and not (doer.left_edge.i <= anchor_i <= doer.right_edge.i):
            found.append(doer)
        subj = next((c for c in token.children if c.dep_ in SUBJECT_DEPS), None)
        if subj is not None and not (subj.left_edge.i <= anchor_i <= subj.right_edge.i):
            if subj.lower_ in ("which", "that", "who") and token.dep_ in ("relcl", "acl") and token.head.i != token.i:
                found.append(_climb_to_noun(token.head))
            else:
                found.append(subj)
        elif token.dep_ in ("relcl", "acl") and token.pos_ in ("VERB", "AUX") and token.head.i != token.i \
                and not (token.head.left_edge.i <= anchor_i <= token.head.i):
            found.append(_climb_to_noun(token.head))
        if token.head.i == token.i:
            break
        token = token.head
    # A misattached conjunct ("We evaluate X, showing that Y achieves ..., and yields 15%")
    # loses its subject in the tree; the nearest subject before the number on the line is the fallback.
    for t in reversed(ctx.doc[ctx.sent.start:ctx.whole.start]):
        if t.dep_ in SUBJECT_DEPS and t not in found and not t.like_num:
            found.append(t)
            break
    return found


def _resolve_subject(ctx: ClaimContext, subj: Token, spans: list[Span]):
    """What a subject token names: an entity or name (str), PROPOSED for 'we'/'our method', or a
    (plain noun phrase,) tuple as a last resort, or None when it names nothing."""
    cues, doc = ctx.cues, ctx.doc
    # the subject's own words: its left side up to the head, without relative clauses
    start, end = subj.left_edge.i, subj.i + 1
    if subj.dep_ in ("csubj", "csubjpass"):
        start, end = subj.left_edge.i, subj.right_edge.i + 1
    if subj.dep_ not in ("csubj", "csubjpass") and any(
            t.like_num and t.i != subj.i and not _in_name(spans, t.i) for t in doc[start:end]):
        return None  # "a 2.2x speedup", "45% of the errors"; not "Gemini 1.5 Flash"
    for prep in subj.rights:
        # "a smaller LLM like Llama 3": the instance is the more specific subject.
        words = prep.lower_ if prep.dep_ == "prep" else ""
        if words in cues.instance_preps or (words == "as" and prep.i > 0 and doc[prep.i - 1].lower_ == "such"):
            entity = _entity_in(spans, prep.i, prep.right_edge.i + 1)
            if entity is not None and entity.label_ != "Metric":
                return _entity_name(entity)
    entity = _entity_in(spans, start, end, head=subj.i)
    if entity is None:
        # "the best model (GPT-4o)": the method or model named in apposition is the subject
        for appos in (t for t in subj.rights if t.dep_ == "appos"):
            named = _entity_in(spans, appos.left_edge.i, appos.right_edge.i + 1, head=appos.i)
            if named is not None and named.label_ in ACHIEVERS and _name_like(named):
                return _entity_name(named)
    if entity is not None and entity.end <= subj.i and subj.lemma_.lower() in cues.component_heads:
        # a stage or module reports the number of the method it is part of ("the X stage of Quillon")
        of = next((p for p in subj.rights if p.dep_ == "prep" and p.lower_ == "of"), None)
        whole = _entity_in(spans, of.i + 1, of.right_edge.i + 1) if of is not None else None
        return _entity_name(whole) if whole is not None and whole.label_ != "Metric" else PROPOSED
    if entity is not None and entity.label_ != "Metric" and (
            _name_like(entity) or not any(t.lower_ in cues.proposed_markers for t in doc[start:entity.start])):
        return _entity_name(entity)
    words = [t.lower_ for t in doc[start:end]]
    if any(w in cues.other_markers for w in words):
        return None
    if subj.lower_ != "we" and (subj.lower_ in cues.reporting_subjects or subj.lemma_.lower() in cues.reporting_subjects):
        return None
    if any(w in cues.proposed_markers for w in words) or subj.lower_ in ("we", "it", "they", "this"):
        return PROPOSED
    names = [t for t in doc[start:end] if not SIZE.match(t.text) and (
        t.pos_ == "PROPN" or any(c.isupper() for c in t.text[1:])
        or (any(c.isdigit() for c in t.text) and any(c.isalpha() for c in t.text)))]
    if names:
        return doc[_glued_start(doc, names[0].i):names[-1].i + 1].text
    if subj.lower_ in cues.generic_subject_heads or subj.lemma_.lower() in cues.generic_subject_heads:
        return PROPOSED
    if subj.pos_ == "NOUN" and subj.lemma_.lower() not in cues.metrics and subj.lemma_.lower() != "rate":
        phrase = _clean_phrase(doc, start, end, frozenset())
        return (phrase,) if phrase else None
    return None


CONTRAST_WORDS = frozenset({"vs", "vs.", "versus"})
OWNER_PREPS = frozenset({"for", "of", "by", "with"})
# what precedes the thing a sentence compares against: "outperforms NS", "than LintQ", "compared to 2:4 sparsity"
COMPARED_CUES = frozenset({"than", "outperform", "outperforms", "outperformed", "surpass", "surpasses", "beat",
                           "beats", "over", "to", "with", "against"})
MAX_CUE_GAP = 3  # words between a comparison cue and the name it compares against ("than the strong LintQ")


def _compared(doc: Doc, token: Token) -> bool:
    """Whether ``token`` is the "to" or "with" of "compared to", "compared with"."""
    return token.lower_ in ("to", "with") and token.i > 0 and doc[token.i - 1].lower_ == "compared"


def _contrasted_owner(ctx: ClaimContext, spans: list[Span]) -> str | None:
    """Whose the number after "versus" is: "98% versus 60% for a flat-context baseline" names it after the
    number; "outperforms Claude Sonnet (67% vs. 39%)" names it where the sentence says what is beaten."""
    before = ctx.tokens_before(2)[-1:]
    if not before or not (before[0].lower_ in CONTRAST_WORDS or _compared(ctx.doc, before[0])):
        return None
    after = ctx.tokens_after(1)
    if after and after[0].lower_ in OWNER_PREPS:
        entity = _entity_in(spans, after[0].i + 1, after[0].i + 1 + MAX_CUE_GAP)
        return _entity_name(entity) if entity is not None and entity.start <= after[0].i + MAX_CUE_GAP \
            and entity.label_ != "Metric" else None
    for cue in ctx.doc[ctx.sent.start:before[0].i]:
        if cue.lower_ in COMPARED_CUES and (cue.lower_ not in ("to", "with") or _compared(ctx.doc, cue)):
            entity = _entity_in(spans, cue.i + 1, min(cue.i + 1 + MAX_CUE_GAP, before[0].i))
            if entity is not None and entity.label_ != "Metric" and entity.start <= cue.i + MAX_CUE_GAP:
                return _entity_name(entity)
    return None


def _subject(ctx: ClaimContext, spans: list[Span]):
    """The nearest subject that names something; a plain noun ('the navigator') only when none does."""
    plain = None
    candidates = _subject_candidates(ctx)
    for subj in candidates:
        name = _resolve_subject(ctx, subj, spans)
        if isinstance(name, tuple) and subj.head.dep_ == "agent":
            continue  # "answered by the readers": a passive's doer counts only where it is named
        if isinstance(name, tuple):
            plain = plain or name[0]
        elif name is PROPOSED and subj.lower_ == "we" and candidates[-1].i > subj.i:
            # "We evaluate X, showing that Y achieves ...": the nearer named subject is the one.
            nearer = _resolve_subject(ctx, candidates[-1], spans)
            return nearer if isinstance(nearer, str) else name
        elif name is not None:
            return name
    return plain


def _changed_measure(change: Token, ctx: ClaimContext, spans: list[Span]) -> str | None:
    """What a change noun is a change in: 'PSNR' in 'gain in PSNR', 'basket size' in 'increase in basket size'."""
    if change.i + 1 >= ctx.sent.end or ctx.doc[change.i + 1].lower_ not in ("in", "of"):
        return None
    obj = next((c for c in ctx.doc[change.i + 1].children if c.dep_ == "pobj"), None)
    if obj is None or obj.pos_ not in ("NOUN", "PROPN") or any(t.like_num for t in ctx.doc[obj.left_edge.i:obj.i + 1]):
        return None
    entity = _entity_in(spans, obj.left_edge.i, obj.i + 1, head=obj.i)
    if entity is not None:
        return _entity_name(entity) if entity.label_ == "Metric" else None  # "improvement in ASR": where, not what
    if obj.lower_ in ctx.cues.setup_nouns_after:
        return None  # "an improvement in ASR tasks"
    return _head_phrase(obj, ctx.cues.metric_skip_words)


def _metric(ctx: ClaimContext, spans: list[Span]) -> str | None:
    cues, doc = ctx.cues, ctx.doc
    after = ctx.tokens_after(6)
    # "1 dB in PSNR", "9.1% Hit@1 on WebQSP"
    if len(after) >= 2 and after[0].lower_ in ("in", "on", "of") and after[1].lower_ in cues.metrics:
        return after[1].text
    # "2.2x speedup", "16% higher MBSU", "5.04% increase in consumption"
    words = []
    for t in after:
        if t.pos_ in ("NOUN", "PROPN", "ADJ", "VERB") and not t.like_num or t.text in ("-", "/"):
            words.append(t)
            continue
        break
    if words and words[-1].lower_ in cues.change_nouns:
        # "1 dB gain in PSNR", "a 30% reduction of latency": the change is in what is measured
        measured = _changed_measure(words[-1], ctx, spans)
        if measured:
            return measured
    while words and (words[-1].pos_ in ("ADJ", "VERB") or words[-1].text in "-/"):
        words.pop()
    while words and (words[0].lower_ in cues.metric_skip_words - {"average", "relative", "absolute"}):
        words.pop(0)
    if words and not (words[0].lower_ in cues.setup_nouns_after):
        return doc[words[0].i:words[-1].i + 1].text
    # "accuracy of 92.3", "a speedup of 10.7x"
    before = ctx.tokens_before(4)
    while before and (before[-1].lower_ in ("an", "a", "the", "average") or before[-1].lower_ in cues.qualifiers):
        before.pop()
    if before and before[-1].lower_ in ("of", "to", "by") and before[-1].head.pos_ in ("NOUN", "PROPN"):
        phrase = _head_phrase(before[-1].head, cues.metric_skip_words)
        if phrase:
            return phrase
    word = _metric_word_near(ctx)
    if word:
        return word
    # "improves the speedup to 2.3-3.6x", "reduces memory by 8.2x"
    verb = ctx.governing_verb()
    if verb is not None:
        obj = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and not (
            c.left_edge.i <= ctx.anchor.i <= c.right_edge.i)), None)
        if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
            return _head_phrase(obj, cues.metric_skip_words)
    return None


def _clause_tokens(ctx: ClaimContext) -> list[Token]:
    """Tokens of the clause around the number: the governing verb's subtree, within the sentence."""
    verb = ctx.governing_verb()
    if verb is None:
        return list(ctx.sent)
    return [t for t in verb.subtree if ctx.sent.start <= t.i < ctx.sent.end]


def _coordinated_clauses(ctx: ClaimContext) -> set[int]:
    """Tokens of the clauses coordinated with the number's ("X runs 720x faster ..., and reduces errors on
    Y"): what they are measured on is theirs."""
    verb = ctx.governing_verb()
    if verb is None:
        return set()
    return {t.i for c in verb.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")
            and not c.left_edge.i <= ctx.anchor.i <= c.right_edge.i for t in c.subtree}


def _numberless(obj: Token | None) -> Token | None:
    """``obj``, unless its phrase holds a number (then it is the result, not what it is about)."""
    return None if obj is None or any(t.like_num for t in obj.subtree) else obj


def _prep_object(prep: Token) -> Token | None:
    """The head of what the preposition governs ("by adding extra heads": heads), None for a number."""
    obj = next((c for c in prep.children if c.dep_ in ("pobj", "pcomp")), None)
    if obj is not None and obj.dep_ == "pcomp" and obj.pos_ == "VERB":
        obj = next((c for c in obj.children if c.dep_ in ("dobj", "pobj")), obj)
    return _numberless(obj)


def _phrase_entity(obj: Token, spans: list[Span]) -> Span | None:
    """The entity the phrase headed by ``obj`` names, if any."""
    return _entity_in(spans, obj.left_edge.i, obj.right_edge.i + 1, head=obj.i)


def _object_phrase(prep: Token, spans: list[Span], skip: frozenset[str]) -> str | None:
    obj = _prep_object(prep)
    if obj is None:
        return None
    entity = _phrase_entity(obj, spans)
    if entity is not None:
        return _entity_name(entity)
    return _head_phrase(obj, skip)


def _mechanism(obj: Token | None, spans: list[Span]) -> str | None:
    """The method a phrase names, the mechanism a claim credits; never a bare phrase: on the tuning split 46
    of the 48 phrases taken before were wrong ("28pp", "accuracy", "test"), the two right ones both methods."""
    entity = _phrase_entity(obj, spans) if obj is not None else None
    return _entity_name(entity) if entity is not None and entity.label_ == MECHANISM_TYPE else None


def _via_object(word: Token, number_tokens: set[int], cues: ClaimCues) -> Token | None:
    """What a via word ("by", "with", "using") governs where it may credit a mechanism: not the number itself
    ("by 2.5x"), nor what the result costs ("with minimal accuracy loss", "with no retraining")."""
    if word.lower_ == "using" and word.pos_ == "VERB":
        return _numberless(next((c for c in word.children if c.dep_ == "dobj"), None))
    obj = _prep_object(word)
    costs = obj is not None and any(t.lower_ in cues.slight_words for t in obj.doc[obj.left_edge.i:obj.i])
    return None if obj is None or obj.i in number_tokens or costs else obj


def _attachments(ctx: ClaimContext, spans: list[Span]) -> tuple[str | None, str | None, str | None]:
    """via, baseline and dataset from the prepositions of the number's clause."""
    cues = ctx.cues
    via = baseline = dataset = None
    dataset_at = len(ctx.doc)
    tokens = _clause_tokens(ctx)
    elsewhere = _coordinated_clauses(ctx)
    number_tokens = set(range(ctx.whole.start, ctx.whole.end))
    skip = cues.metric_skip_words
    for t in tokens:
        if t.i in number_tokens:
            continue
        word = t.lower_
        if t.i < ctx.whole.start and word in cues.qualifiers and all(
                x.lower_ in ("a", "an", "the") or x.lower_ in cues.qualifiers for x in ctx.doc[t.i + 1:ctx.whole.start]):
            continue  # "over 2.2x speedup", "over a 1000x speedup": a qualifier of the number, not a baseline
        if t.dep_ == "prep" or t.pos_ == "ADP" or word in ("using", "compared", "relative"):
            if word in ("compared", "relative", "comparison"):
                inner = next((c for c in t.children if c.dep_ == "prep"), None)
                if inner is not None and baseline is None:
                    baseline = _object_phrase(inner, spans, skip)
                continue
            if word in cues.baseline_preps and baseline is None and t.head.lower_ not in ("compared", "relative"):
                baseline = _object_phrase(t, spans, skip)
            elif word in cues.via_preps and via is None:
                via = _mechanism(_via_object(t, number_tokens, cues), spans)
            elif word in cues.dataset_preps and t.i not in elsewhere and (
                    dataset is None or t.i > ctx.whole.end > dataset_at):
                # the first dataset of the clause, or the first after the number when that one came before it
                # ("a 14.2% gain on GSM8K and a 14.0% gain in CSQA": CSQA is the second number's)
                obj = next((c for c in t.children if c.dep_ == "pobj"), None)
                named = None
                if obj is not None:
                    entity = _entity_in(spans, obj.left_edge.i, obj.right_edge.i + 1, label="Dataset")
                    if entity is not None and not _names_hardware(entity, cues):
                        named = _entity_name(entity)
                    elif obj.lemma_.lower() in cues.dataset_heads:
                        names = [x for x in obj.lefts if x.dep_ == "compound" or x.pos_ == "PROPN"]
                        if names:
                            named = ctx.doc[names[0].i:obj.i].text
                    elif word == "on" and _name_like(ctx.doc[obj.i:obj.i + 1]) and not _entity_in(
                            spans, obj.left_edge.i, obj.right_edge.i + 1) and not SIZE.match(obj.text) and not (
                            _names_hardware(obj.subtree, cues)):
                        # "by 5% on GSM8K": a name measured on is a dataset the entities missed
                        named = _clean_phrase(ctx.doc, obj.left_edge.i, obj.i + 1, frozenset())
                if named:
                    dataset, dataset_at = named, t.i
        elif t.lemma_.lower() in cues.beat_verbs and baseline is None:
            obj = next((c for c in t.children if c.dep_ == "dobj"), None)
            if obj is not None and not (obj.left_edge.i <= ctx.anchor.i <= obj.right_edge.i):
                entity = _phrase_entity(obj, spans)
                baseline = _entity_name(entity) if entity is not None else _head_phrase(obj, skip)
    if dataset is None:
        # a dataset outside the number's clause, only near it ("... with little impact as measured by MMLU" is not it)
        entity = _entity_in(spans, max(ctx.sent.start, ctx.whole.start - MAX_DATASET_GAP),
                            min(ctx.sent.end, ctx.whole.end + MAX_DATASET_GAP), label="Dataset")
        if entity is not None and not _names_hardware(entity, cues):
            dataset = _entity_name(entity)
    return via, baseline, dataset


def _names_hardware(tokens, cues: ClaimCues) -> bool:
    """Whether a phrase names the hardware something ran on ("an H800 GPU", "RTX 4090"), not a dataset."""
    return any(t.text in cues.hardware for t in tokens)


def _clause_bounds(ctx: ClaimContext) -> tuple[int, int]:
    """The sentence, cut at the semicolons around the number; no surrounding space."""
    text = ctx.text
    start, end = ctx.sent.start_char, ctx.sent.end_char
    left = text.rfind(";", start, ctx.mention.start)
    right = text.find(";", ctx.mention.end, end)
    start = left + 1 if left >= 0 else start
    end = right if right >= 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _proposed_name(doc: Doc, text: str, spans: list[Span]) -> str | None:
    roles = doc._.kg_roles or {}
    proposed = [name for name, role in roles.items() if role == "proposed"]
    if proposed:
        firsts = {}
        for s in spans:
            name = s._.kg_name or s.text
            if name in proposed and name not in firsts:
                firsts[name] = s.start
        return min(proposed, key=lambda n: firsts.get(n, len(doc)))
    title = text[:title_end(text)]
    head, colon, _ = title.partition(":")
    words = head.split()
    # "Medusa: Simple LLM Inference ...": a short name before the title's colon is the paper's own;
    # "Why LLMs Fail: ..." or "Bridging Speech and Text: ..." is a phrase, not a name.
    if colon and 0 < len(words) <= 3 and any(c.isupper() for c in head) and not (
            words[0].lower() in TITLE_PHRASE_STARTS or words[0].lower().endswith("ing")):
        return head.strip()
    if colon and TITLE_SEPARATOR in text:
        # "Why LLMs Fail: ...": a paper that proposes nothing reports on the one model or method its title
        # leads with, whose role is "used"
        lead = {s._.kg_name or s.text for s in spans if s.end_char <= len(head) and s.label_ in ("Method", "Model")}
        if len(lead) == 1:
            return lead.pop()
    return None


def _with_shared_units(mentions: list[NumberMention], text: str) -> list[NumberMention]:
    """'3.84 and 1.91 dB': a bare number takes the unit of the number it is listed with."""
    out = list(mentions)
    for i in range(len(out) - 2, -1, -1):
        m, nxt = out[i], out[i + 1]
        if m.unit is None and nxt.unit_class == "result" and COORDINATION.match(text[m.end:nxt.start]):
            out[i] = replace(m, unit=nxt.unit, unit_class=nxt.unit_class)
    return out


def detector_features(ctx: ClaimContext, rule_keep: bool) -> list[str]:
    """What the learned claim detector reads of one number (``kg.learn.numbers``)."""
    m = ctx.mention
    return numbers.number_features(ctx.sent, ctx.whole, m.unit, m.unit_class, rule_keep, ctx.governing_verb(),
                                   m.start < title_end(ctx.text), m.low != m.high)


def _hardware_before(text: str, start: int) -> bool:
    """Whether the number at ``start`` ends a hardware name ("RTX 4090", "Jetson Orin 64")."""
    words = text[max(0, start - 16):start].split()
    return bool(words) and words[-1] in ClaimCues.load().hardware


def _with_ranges(mentions: list[NumberMention], text: str) -> list[NumberMention]:
    """Two numbers written as a range ("8% to 54%", "1.36x-1.77x") become one mention "8-54"."""
    out: list[NumberMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (prev is not None and not prev.spelled and not m.spelled and prev.low <= m.low
                and prev.low == prev.high and m.low == m.high
                and (prev.unit is None or prev.unit == m.unit)
                and RANGE_JOIN.match(text[prev.unit_end:m.start])):
            before = text[max(0, prev.start - 24):prev.start]
            if not CHANGE_FROM.search(before) or RANGE_LEAD.search(before):
                out[-1] = replace(m, value=as_value(text[prev.start:m.end]), start=prev.start, low=prev.low)
                continue
        out.append(m)
    return out


# -- numbers listed with their datasets -------------------------------------------------------

# "81.2%, 45.3% and 60.1%": numbers listed together.
LIST_SEP = re.compile(r"^[\s$]*(?:,|/|;)?\s*(?:and|or)?[\s$]*$")
NAME_SEP = frozenset({",", "and", "/", "&", "or"})
# "... on GSM8K, MATH and MMLU": where a list of numbers meets its list of datasets.
LIST_PREPS = frozenset({"on", "in", "across", "for"})
DATASET_LABELS = frozenset({"Dataset", "Task"})  # what a number can be measured on
MAX_OWN_GAP = 6  # tokens between a number and its own "on <dataset>" ("81.2% top-1 accuracy on X")


def _name_at(doc: Doc, spans: list[Span], i: int, end: int) -> tuple[str, int] | None:
    """The name starting at token ``i`` (after an article): an entity mention, else a run of name-like tokens;
    with the token after it."""
    while i < end and doc[i].lower_ in ("the", "a", "an"):
        i += 1
    if i >= end:
        return None
    at = bisect_left(spans, i, key=lambda s: s.start)
    entity = spans[at] if at < len(spans) and spans[at].start == i and spans[at].end <= end else None
    if entity is not None:
        return (_entity_name(entity) if entity.label_ in DATASET_LABELS else None), entity.end
    j = i
    while j < end and not doc[j].like_num and (doc[j].pos_ == "PROPN" or any(c.isupper() for c in doc[j].text)
                                               or j > i and not doc[j - 1].whitespace_ and doc[j].text not in ","):
        j += 1
    if j == i or doc[i:j].text.lower() in ClaimCues.load().metrics:
        return None
    return doc[i:j].text, j


def _name_list(doc: Doc, spans: list[Span], i: int, end: int) -> list[str]:
    """The names listed from token ``i``: "GSM8K, MATH and MMLU" -> three names."""
    names: list[str] = []
    while i < end:
        found = _name_at(doc, spans, i, end)
        if found is None or found[0] is None:
            break
        names.append(found[0])
        i = found[1]
        seps = 0
        while i < end and doc[i].lower_ in NAME_SEP:
            i, seps = i + 1, seps + 1
        if not seps:
            break
    return names


def _list_runs(kept: list[tuple[NumberMention, ClaimContext]], text: str) -> list[list[int]]:
    """Indices of ``kept`` grouped into runs of numbers listed together in one sentence."""
    runs: list[list[int]] = []
    for i, (m, ctx) in enumerate(kept):
        if runs and kept[runs[-1][-1]][1].sent.start == ctx.sent.start and LIST_SEP.match(
                text[kept[runs[-1][-1]][0].unit_end:m.start]):
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def _dataset_lists(ctx: ClaimContext, spans: list[Span], after: int) -> list[list[str]]:
    """The lists of names after "on", "in", "across" or "for" in the sentence, those from token ``after`` first."""
    doc, sent = ctx.doc, ctx.sent
    found = [(t.i < after, _name_list(doc, spans, t.i + 1, sent.end)) for t in sent if t.lower_ in LIST_PREPS]
    return [names for _, names in sorted(found, key=lambda f: f[0]) if names]


def _own_dataset(ctx: ClaimContext, spans: list[Span]) -> str | None:
    """"81.2% on GSM8K and 45.3% on MATH": the dataset named right after the number, before the next one."""
    doc = ctx.doc
    for t in doc[ctx.whole.end:min(ctx.whole.end + MAX_OWN_GAP, ctx.sent.end)]:
        if t.like_num or t.is_punct or t.lower_ in NAME_SEP or t.pos_ in ("VERB", "AUX"):
            return None
        if t.lower_ in ("on", "in"):
            found = _name_at(doc, spans, t.i + 1, ctx.sent.end)
            return found[0] if found and not _names_hardware(doc[t.i + 1:found[1]], ctx.cues) else None
    return None


def _paired_datasets(kept: list[tuple[NumberMention, ClaimContext]], text: str,
                     spans: list[Span]) -> dict[int, str]:
    """Each listed number's own dataset: "x% and y% on A and B (respectively)" pairs them by position, and
    "x% on A and y% on B" gives each the one after it."""
    paired: dict[int, str] = {}
    for run in _list_runs(kept, text):
        ctx = kept[run[-1]][1]
        if len(run) > 1:
            respectively = "respectively" in ctx.sent.text.lower()
            lists = _dataset_lists(ctx, spans, ctx.whole.end)
            if lists and len(lists[0]) == len(run) and (respectively or not _own_dataset(kept[run[0]][1], spans)):
                paired.update(zip(run, lists[0]))
                continue
            same = [names for names in lists if len(names) == len(run)]
            if respectively and same:
                paired.update(zip(run, same[0]))
                continue
        for i in run:
            own = _own_dataset(kept[i][1], spans)
            if own:
                paired[i] = own
    return paired


@Language.factory("kg_claims", default_config={"detector": None})
class ClaimFinder:
    """Finds result numbers and writes them to ``doc._.kg_claims`` as ``Claim`` records.

    ``detector``: the learned claim detector's weights (``kg.learn.numbers``), which decides
    which numbers are results with the rules' verdict as one of its features; None: the rules decide.
    """

    def __init__(self, nlp: Language, name: str, detector: str | None = None):
        self.name = name
        self.cues = ClaimCues.load()
        self.detector = LinearModel.load(Path(detector), numbers.OUTCOMES) if detector else None

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_claims = self.find(doc)
        return doc

    def decisions(self, doc: Doc) -> list[tuple[NumberMention, ClaimContext, bool]]:
        """Every number of the doc outside URLs, with the rules' verdict: is it a result?"""
        text = doc.text
        urls = [(u.start(), u.end()) for u in URL.finditer(text)]
        mentions = [m for m in find_numbers(text) if not any(a <= m.start < b for a, b in urls)
                    and not (m.unit is None and _hardware_before(text, m.start))]
        mentions = _with_ranges(_with_shared_units(mentions, text), text)
        decided: list[tuple[NumberMention, ClaimContext, bool]] = []
        for m in mentions:
            ctx = ClaimContext(doc, text, m, self.cues)
            if ctx.number is not None:
                decided.append((m, ctx, _is_result(ctx)))
        for i in range(len(decided) - 1):
            (a, _, keep_a), (b, _, keep_b) = decided[i], decided[i + 1]
            if keep_a != keep_b and SPAN_TO.match(text[a.unit_end:b.start]):
                # "from 23.5 to 26.2" is two results or none: a bare end follows the other,
                # and a setup share ("from 50% to 75% of the full dataset") sinks both.
                both = (keep_a or keep_b) if a.unit is None or b.unit is None else False
                decided[i] = (a, decided[i][1], both)
                decided[i + 1] = (b, decided[i + 1][1], both)
        return decided

    def find(self, doc: Doc) -> list[Claim]:
        text = doc.text
        spans = _entity_spans(doc)
        proposed = None
        claims: list[Claim] = []
        decided = self.decisions(doc)
        if self.detector is not None:
            decided = [(m, ctx, self.detector.best(detector_features(ctx, keep), (numbers.CLAIM,)) is not None)
                       for m, ctx, keep in decided]
        abstract_start = title_end(text)
        abstract_values = {(m.value, m.unit) for m, _, keep in decided if keep and m.start > abstract_start}
        kept = [(m, ctx) for m, ctx, keep in decided if keep and not (
            # A title repeating a result the abstract states ("at 1000x Speed") is not a second claim.
            m.start < abstract_start and (m.value, m.unit) in abstract_values)]
        last_subject: tuple[int, str | None] | None = None
        paired = _paired_datasets(kept, text, spans)
        for i, (m, ctx) in enumerate(kept):
            subject = _contrasted_owner(ctx, spans) or _subject(ctx, spans)
            if subject is None and last_subject is not None and last_subject[0] == ctx.sent.start:
                subject = last_subject[1]
            if subject is None or subject is PROPOSED:
                if proposed is None:
                    proposed = _proposed_name(doc, text, spans) or ""
                subject = proposed or None
            last_subject = (ctx.sent.start, subject)
            via, baseline, dataset = _attachments(ctx, spans)
            if baseline == subject:
                baseline = None  # "X beats Y by 68.2% versus 49.0%": Y's own number is not compared with Y
            dataset = paired.get(i, dataset)
            text_start, text_end = _clause_bounds(ctx)
            claims.append(Claim(
                value=m.value, start=m.start, end=m.end,
                text=text[text_start:text_end], text_start=text_start, text_end=text_end,
                value_min=m.low, value_max=m.high, unit=m.unit,
                metric=_metric(ctx, spans), subject=subject, via=via, baseline=baseline,
                dataset=dataset, qualifier=_qualifier(ctx),
            ))
        return claims

"""Whose a claim is: the subject whose clause reports the number (an entity where one is there), what a
number after "versus" is compared with, and the paper's own method for "we", "our method", "it"."""
from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kg.extract.claims.context import (SIZE, ClaimContext, clean_phrase, entity_in, entity_name, glued_start,
                                       in_name, name_like, span_at)
from kg.extract.doc import MAX_WALK
from kg.records import TITLE_SEPARATOR, title_end, title_lead

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj", "csubjpass")
MODELS = frozenset({"Model"})
ACHIEVERS = frozenset({"Method", "Model"})  # what can reach a number, where a clause names it only in apposition
PROPOSED = object()  # marker: the subject is the paper's own method


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
            t.like_num and t.i != subj.i and not in_name(spans, t.i) for t in doc[start:end]):
        return None  # "a 2.2x speedup", "45% of the errors"; not "Gemini 1.5 Flash"
    for prep in subj.rights:
        # "a smaller LLM like Llama 3": the instance is the more specific subject.
        words = prep.lower_ if prep.dep_ == "prep" else ""
        if words in cues.instance_preps or (words == "as" and prep.i > 0 and doc[prep.i - 1].lower_ == "such"):
            entity = entity_in(spans, prep.i, prep.right_edge.i + 1)
            if entity is not None and entity.label_ != "Metric":
                return entity_name(entity)
    entity = entity_in(spans, start, end, head=subj.i)
    if entity is None:
        # "the best model (GPT-4o)": the method or model named in apposition is the subject
        for appos in (t for t in subj.rights if t.dep_ == "appos"):
            named = entity_in(spans, appos.left_edge.i, appos.right_edge.i + 1, head=appos.i)
            if named is not None and named.label_ in ACHIEVERS and name_like(named):
                return entity_name(named)
    if entity is not None and entity.end <= subj.i and subj.lemma_.lower() in cues.component_heads:
        # a stage or module reports the number of the method it is part of ("the X stage of Quillon")
        of = next((p for p in subj.rights if p.dep_ == "prep" and p.lower_ == "of"), None)
        whole = entity_in(spans, of.i + 1, of.right_edge.i + 1) if of is not None else None
        return entity_name(whole) if whole is not None and whole.label_ != "Metric" else PROPOSED
    if entity is not None and entity.label_ != "Metric" and (
            name_like(entity) or not any(t.lower_ in cues.proposed_markers for t in doc[start:entity.start])):
        return entity_name(entity)
    words = [t.lower_ for t in doc[start:end]]
    if any(w in cues.other_markers for w in words):
        return None
    reporting = cues.reporting_subjects
    if subj.lower_ != "we" and (subj.lower_ in reporting or subj.lemma_.lower() in reporting):
        return None
    if any(w in cues.proposed_markers for w in words) or subj.lower_ in ("we", "it", "they", "this"):
        return PROPOSED
    names = [t for t in doc[start:end] if not SIZE.match(t.text) and (
        t.pos_ == "PROPN" or any(c.isupper() for c in t.text[1:])
        or (any(c.isdigit() for c in t.text) and any(c.isalpha() for c in t.text)))]
    if names:
        return doc[glued_start(doc, names[0].i):names[-1].i + 1].text
    if subj.lower_ in cues.generic_subject_heads or subj.lemma_.lower() in cues.generic_subject_heads:
        return PROPOSED
    if subj.pos_ == "NOUN" and subj.lemma_.lower() not in cues.metrics and subj.lemma_.lower() != "rate":
        phrase = clean_phrase(doc, start, end, frozenset())
        return (phrase,) if phrase else None
    return None


CONTRAST_WORDS = frozenset({"vs", "vs.", "versus"})
OWNER_PREPS = frozenset({"for", "of", "by", "with"})
# what precedes the thing a sentence compares against: "outperforms NS", "than LintQ" (and "compared to")
COMPARED_CUES = frozenset({"than", "outperform", "outperforms", "outperformed", "surpass", "surpasses", "beat",
                           "beats", "over", "against"})
MAX_CUE_GAP = 3  # words between a cue and the name it introduces ("than the strong LintQ")


def _compared(doc: Doc, token: Token) -> bool:
    """Whether ``token`` is the "to" or "with" of "compared to", "compared with"."""
    return token.lower_ in ("to", "with") and token.i > 0 and doc[token.i - 1].lower_ == "compared"


def _named_after(spans: list[Span], cue: Token, stop: int) -> str | None:
    """The entity (not a metric) named within ``MAX_CUE_GAP`` words after ``cue``, before token ``stop``."""
    entity = entity_in(spans, cue.i + 1, min(cue.i + 1 + MAX_CUE_GAP, stop))
    if entity is None or entity.label_ == "Metric" or entity.start > cue.i + MAX_CUE_GAP:
        return None
    return entity_name(entity)


def contrasted_owner(ctx: ClaimContext, spans: list[Span]) -> str | None:
    """Whose the number after "versus" is: "98% versus 60% for a flat-context baseline" names it after the
    number; "outperforms Claude Sonnet (67% vs. 39%)" names it where the sentence says what is beaten."""
    doc, before = ctx.doc, ctx.tokens_before(1)
    if not before or not (before[0].lower_ in CONTRAST_WORDS or _compared(doc, before[0])):
        return None
    after = ctx.tokens_after(1)
    if after and after[0].lower_ in OWNER_PREPS:
        return _named_after(spans, after[0], len(doc))
    for cue in doc[ctx.sent.start:before[0].i]:
        if cue.lower_ in COMPARED_CUES or _compared(doc, cue):
            owner = _named_after(spans, cue, before[0].i)
            if owner is not None:
                return owner
    return None


POSSESSIVES = frozenset({"'s", "\u2019s"})
OWNER_AFTER = frozenset({"for", "by"})  # "21.2% for Bard", "at most 40.0% by Openai-o3"
MAX_LABEL_GAP = 6  # words between a name's colon and its number: "MedAlpaca: F1 = 47.3 -> 78.5"


def labelled_owner(ctx: ClaimContext, spans: list[Span]) -> str | None:
    """The method or model a number is written against, where the words around it say so however the
    sentence parses: "MedAlpaca: F1 = 47.3", "AutoGen's 34%", "21.2% for Bard" (a model only: "for dense
    models" is a condition; so is the model after a gain, "boosts the speed-up by 16% for Llama-3")."""
    doc, start = ctx.doc, ctx.whole.start
    before = ctx.tokens_before(MAX_LABEL_GAP + 1)
    colon = next((t for t in reversed(before) if t.text == ":"), None)
    owner = None
    if colon is not None and not any(t.text in ",;()" for t in doc[colon.i + 1:start]):
        owner = span_at(spans, end=colon.i, labels=ACHIEVERS)
    elif before and before[-1].text in POSSESSIVES:
        owner = span_at(spans, end=before[-1].i, labels=ACHIEVERS)
    elif not any(t.lower_ == "by" for t in before[-3:]):
        after = ctx.tokens_after(1)
        if after and after[0].lower_ in OWNER_AFTER:
            owner = span_at(spans, start=after[0].i + 1, labels=MODELS)
    return entity_name(owner) if owner is not None else None


def subject_of(ctx: ClaimContext, spans: list[Span]):
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


def proposed_name(doc: Doc, text: str, spans: list[Span]) -> str | None:
    roles = doc._.kg_roles or {}
    proposed = [name for name, role in roles.items() if role == "proposed"]
    if proposed:
        firsts = {}
        for s in spans:
            name = s._.kg_name or s.text
            if name in proposed and name not in firsts:
                firsts[name] = s.start
        return min(proposed, key=lambda n: firsts.get(n, len(doc)))
    lead = title_lead(text)  # "Medusa: Simple LLM Inference ...": the paper's own
    if lead:
        return lead
    head, colon, _ = text[:title_end(text)].partition(":")
    if colon and TITLE_SEPARATOR in text:
        # "Why LLMs Fail: ...": a paper that proposes nothing reports on the one model or method its title
        # leads with, whose role is "used"
        named = {s._.kg_name or s.text for s in spans if s.end_char <= len(head) and s.label_ in ("Method", "Model")}
        if len(named) == 1:
            return named.pop()
    return None

"""What else a claim names: the metric measured, the mechanism credited ("via"), the baseline, the
dataset, and the clause that states it."""
from __future__ import annotations

from spacy.tokens import Span, Token

from kg.claim_cues import ClaimCues
from kg.extract.claims.context import (SIZE, ClaimContext, clean_phrase, entity_in, entity_name, head_phrase,
                                       name_like)
from kg.extract.claims.results import metric_word_near

MAX_DATASET_GAP = 12  # tokens between a number and a dataset named outside its clause
MECHANISM_TYPE = "Method"  # what a claim's "via" names: 250 of the 308 vias in our labels, 12 a Model


def _changed_measure(change: Token, ctx: ClaimContext, spans: list[Span]) -> str | None:
    """What a change noun is a change in: 'PSNR' in 'gain in PSNR', 'basket size' in 'increase in basket size'."""
    if change.i + 1 >= ctx.sent.end or ctx.doc[change.i + 1].lower_ not in ("in", "of"):
        return None
    obj = next((c for c in ctx.doc[change.i + 1].children if c.dep_ == "pobj"), None)
    if obj is None or obj.pos_ not in ("NOUN", "PROPN") or any(t.like_num for t in ctx.doc[obj.left_edge.i:obj.i + 1]):
        return None
    entity = entity_in(spans, obj.left_edge.i, obj.i + 1, head=obj.i)
    if entity is not None:
        return entity_name(entity) if entity.label_ == "Metric" else None  # "improvement in ASR": where, not what
    if obj.lower_ in ctx.cues.setup_nouns_after:
        return None  # "an improvement in ASR tasks"
    return head_phrase(obj, ctx.cues.metric_skip_words)


def metric_of(ctx: ClaimContext, spans: list[Span]) -> str | None:
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
        phrase = head_phrase(before[-1].head, cues.metric_skip_words)
        if phrase:
            return phrase
    word = metric_word_near(ctx)
    if word:
        return word
    # "improves the speedup to 2.3-3.6x", "reduces memory by 8.2x"
    verb = ctx.governing_verb()
    if verb is not None:
        obj = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and not (
            c.left_edge.i <= ctx.anchor.i <= c.right_edge.i)), None)
        if obj is not None and obj.pos_ in ("NOUN", "PROPN"):
            return head_phrase(obj, cues.metric_skip_words)
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
    return entity_in(spans, obj.left_edge.i, obj.right_edge.i + 1, head=obj.i)


def _object_phrase(prep: Token, spans: list[Span], skip: frozenset[str]) -> str | None:
    obj = _prep_object(prep)
    if obj is None:
        return None
    entity = _phrase_entity(obj, spans)
    if entity is not None:
        return entity_name(entity)
    return head_phrase(obj, skip)


def _mechanism(obj: Token | None, spans: list[Span]) -> str | None:
    """The method a phrase names, the mechanism a claim credits; never a bare phrase: on the tuning split 46
    of the 48 phrases taken before were wrong ("28pp", "accuracy", "test"), the two right ones both methods."""
    entity = _phrase_entity(obj, spans) if obj is not None else None
    return entity_name(entity) if entity is not None and entity.label_ == MECHANISM_TYPE else None


def _via_object(word: Token, number_tokens: set[int], cues: ClaimCues) -> Token | None:
    """What a via word ("by", "with", "using") governs where it may credit a mechanism: not the number itself
    ("by 2.5x"), nor what the result costs ("with minimal accuracy loss", "with no retraining")."""
    if word.lower_ == "using" and word.pos_ == "VERB":
        return _numberless(next((c for c in word.children if c.dep_ == "dobj"), None))
    obj = _prep_object(word)
    costs = obj is not None and any(t.lower_ in cues.slight_words for t in obj.doc[obj.left_edge.i:obj.i])
    return None if obj is None or obj.i in number_tokens or costs else obj


def attachments_of(ctx: ClaimContext, spans: list[Span]) -> tuple[str | None, str | None, str | None]:
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
                x.lower_ in ("a", "an", "the") or x.lower_ in cues.qualifiers
                for x in ctx.doc[t.i + 1:ctx.whole.start]):
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
                    entity = entity_in(spans, obj.left_edge.i, obj.right_edge.i + 1, label="Dataset")
                    if entity is not None and not names_hardware(entity, cues):
                        named = entity_name(entity)
                    elif obj.lemma_.lower() in cues.dataset_heads:
                        names = [x for x in obj.lefts if x.dep_ == "compound" or x.pos_ == "PROPN"]
                        if names:
                            named = ctx.doc[names[0].i:obj.i].text
                    elif word == "on" and name_like(ctx.doc[obj.i:obj.i + 1]) and not entity_in(
                            spans, obj.left_edge.i, obj.right_edge.i + 1) and not SIZE.match(obj.text) and not (
                            names_hardware(obj.subtree, cues)):
                        # "by 5% on GSM8K": a name measured on is a dataset the entities missed
                        named = clean_phrase(ctx.doc, obj.left_edge.i, obj.i + 1, frozenset())
                if named:
                    dataset, dataset_at = named, t.i
        elif t.lemma_.lower() in cues.beat_verbs and baseline is None:
            obj = next((c for c in t.children if c.dep_ == "dobj"), None)
            if obj is not None and not (obj.left_edge.i <= ctx.anchor.i <= obj.right_edge.i):
                entity = _phrase_entity(obj, spans)
                baseline = entity_name(entity) if entity is not None else head_phrase(obj, skip)
    if dataset is None:
        # a dataset outside the number's clause, only near it ("... with little impact as measured by MMLU" is not it)
        entity = entity_in(spans, max(ctx.sent.start, ctx.whole.start - MAX_DATASET_GAP),
                            min(ctx.sent.end, ctx.whole.end + MAX_DATASET_GAP), label="Dataset")
        if entity is not None and not names_hardware(entity, cues):
            dataset = entity_name(entity)
    return via, baseline, dataset


def names_hardware(tokens, cues: ClaimCues) -> bool:
    """Whether a phrase names the hardware something ran on ("an H800 GPU", "RTX 4090"), not a dataset."""
    return any(t.text in cues.hardware for t in tokens)


def clause_bounds(ctx: ClaimContext) -> tuple[int, int]:
    """The number's sentence, cut at the semicolons around the number; no surrounding space.
    It always holds the number's unit, even past a split the sentencizer made ("}/1" | "%")."""
    text = ctx.text
    start = ctx.sent.start_char
    end = max(ctx.sent.end_char, ctx.mention.end, ctx.mention.unit_end)
    left = text.rfind(";", start, ctx.mention.start)
    right = text.find(";", ctx.mention.end, end)
    start = left + 1 if left >= 0 else start
    end = right if right >= 0 else end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

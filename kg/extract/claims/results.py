"""Is a number a result? Its unit and the words around it say: "2.2x speedup", "by 16%", "accuracy of 92.3"
are results; "7B parameters", "253,070 data points", "50% of the full dataset" are the setup. Also which
numbers are one mention: ranges ("8.38% to 38.6%") and bare numbers sharing a unit ("3.84 and 1.91 dB")."""
from __future__ import annotations

import re
from dataclasses import replace

from kg.claim_cues import ClaimCues
from kg.extract.claims.context import ClaimContext, ends_with_phrase
from kg.extract.doc import ENTITY_SPANS
from kg.learn import numbers
from kg.numbers import CHANGE_FROM, RANGE_LEAD, NumberMention, as_value

URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|io|net|ai|github\.io)(?:/\S*)?", re.IGNORECASE)
# Bare numbers joined to a unit-carrying one ("3.84 and 1.91 dB") share its unit.
COORDINATION = re.compile(r"^\s*(?:,|/|and|or|,\s*and|,\s*or)\s*$")
SPAN_TO = re.compile(r"^\s*to\s*$")
# "gains of 8.38% to 38.6%", "1.36$\times$-1.77$\times$": two numbers joined by "to" or a dash are one
# range (GUIDELINES: one claim per reported number, a range is one claim) ...
RANGE_JOIN = re.compile(r"^[\s$]*(?:to|-|\u2013|~|\\sim)[\s$]*\+?[\s$]*$")
# "between 92% and 100%" is a range too.
BETWEEN_JOIN = re.compile(r"^[\s$]*and[\s$]*$")
BETWEEN_LEAD = re.compile(r"\bbetween\s*\$?\s*$", re.IGNORECASE)
# ... except a change, "from 70% to 78%", which is two; "ranging from 1.3% to 51.8%" is still one
# (kg.numbers: CHANGE_FROM, RANGE_LEAD).
PLUS_MINUS = re.compile(r"(?:\\pm|±|\+/-|\+-)\s*\$?\s*$")
YEAR = re.compile(r"^(?:19|20)\d\d$")


# -- is it a result? ----------------------------------------------------------------------

def qualifier(ctx: ClaimContext) -> str | None:
    before = ctx.text_before()
    found = None
    for _ in range(3):
        for phrase, name in ctx.cues.qualifiers.items():
            if ends_with_phrase(before, phrase):
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
    if any(ends_with_phrase(before, w) for w in cues.result_context_for_data):
        return False
    return verb_lemma in cues.setup_verbs or any(c in sentence for c in cues.setup_context)


def _times_is_result(ctx: ClaimContext) -> bool:
    after = [t.lower_ for t in ctx.tokens_after(2)]
    if after and after[0] in ("times", "fold", "-fold"):
        after = after[1:]
    if after and (after[0] in ctx.cues.comparatives or after[0].endswith("er")):
        return True
    before = ctx.text_before(20)
    return ends_with_phrase(before, "by") or ends_with_phrase(before, "a") or ends_with_phrase(before, "up to")


def metric_word_near(ctx: ClaimContext) -> str | None:
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


def is_result(ctx: ClaimContext) -> bool:
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
        if qualifier(ctx) in ("up to", "only", "less than", "at most"):
            return True
        if metric_word_near(ctx):
            return True
        verb = ctx.governing_verb()
        return m.unit_class == "measure" and verb is not None and verb.lemma_.lower() in cues.result_verbs and any(
            ends_with_phrase(before, w) for w in cues.measure_cues_before)
    if m.unit_class is None:
        if YEAR.match(m.value) or m.spelled:
            return False
        return metric_word_near(ctx) is not None
    return False


def with_shared_units(mentions: list[NumberMention], text: str) -> list[NumberMention]:
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
                                   ctx.in_title, m.low != m.high, ctx.sentence_place)


def hardware_before(text: str, start: int) -> bool:
    """Whether the number at ``start`` ends a hardware name ("RTX 4090", "Jetson Orin 64")."""
    words = text[max(0, start - 16):start].split()
    return bool(words) and words[-1] in ClaimCues.load().hardware


def _range_joined(text: str, first: NumberMention, second: NumberMention) -> bool:
    """Whether the words between two numbers join them as a range: "8% to 54%", "between 92% and 100%"."""
    between = text[first.unit_end:second.start]
    return bool(RANGE_JOIN.match(between) or BETWEEN_JOIN.match(between)
                and BETWEEN_LEAD.search(text, max(0, first.start - 12), first.start))


def with_ranges(mentions: list[NumberMention], text: str) -> list[NumberMention]:
    """Two numbers written as a range ("8% to 54%", "1.36x-1.77x") become one mention "8-54"."""
    out: list[NumberMention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (prev is not None and not prev.spelled and not m.spelled and prev.low <= m.low
                and prev.low == prev.high and m.low == m.high
                and (prev.unit is None or prev.unit == m.unit)
                and _range_joined(text, prev, m)):
            before = text[max(0, prev.start - 24):prev.start]
            if not CHANGE_FROM.search(before) or RANGE_LEAD.search(before):
                out[-1] = replace(m, value=as_value(text[prev.start:m.end]), start=prev.start, low=prev.low)
                continue
        out.append(m)
    return out

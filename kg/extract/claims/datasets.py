"""Numbers listed with their datasets: "x% and y% on A and B (respectively)" pairs them by position,
and "x% on A and y% on B" gives each the one after it."""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from kg.claim_cues import ClaimCues
from kg.extract.claims.attachments import names_hardware
from kg.extract.claims.context import ClaimContext, entity_name, span_at
from kg.numbers import NumberMention

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
    entity = span_at(spans, start=i)
    if entity is not None and entity.end <= end:
        return (entity_name(entity) if entity.label_ in DATASET_LABELS else None), entity.end
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
            return found[0] if found and not names_hardware(doc[t.i + 1:found[1]], ctx.cues) else None
    return None


def paired_datasets(kept: list[tuple[NumberMention, ClaimContext]], text: str,
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

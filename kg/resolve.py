"""One node per real thing: canonical keys, abbreviations and merging across papers.

Resolution is a pure function of the set of extractions (their order does not
matter), so building A then B gives the same graph as building A and B at once.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from kg.records import ENTITY_TYPES, Extraction

# When papers disagree on an entity's type and the votes tie, the earlier type
# here wins: a named model is more specific than a method, a dataset than a task.
TYPE_PRIORITY = ("Model", "Dataset", "Method", "Metric", "Task")
GENERIC_TAILS = frozenset({"benchmark", "dataset", "corpus", "suite"})
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)")
_WORD = re.compile(r"\d+(?:\.\d+)+|[a-z0-9]+")


def clean_surface(name: str) -> str:
    """A surface form with Unicode variants folded and spacing collapsed; case kept."""
    text = unicodedata.normalize("NFKC", name).translate(_DASHES).replace("\u00d7", "x")
    return " ".join(text.split()).strip(" .,;:")


def _singular(word: str) -> str:
    if len(word) <= 3 or not word.isalpha() or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") else word


def canonical_key(name: str) -> str:
    """The slug that identifies a thing, whatever its spelling or type.

    Case, hyphens, spaces, dots between words and a plural ending are ignored;
    digits are kept and never merged across a separator ("Llama-2-7B" is
    ``llama-2-7b``, "Llama-27B" is ``llama-27b``).
    """
    surface = clean_surface(name)
    surface = re.sub(r"(?<=[A-Z0-9])s\b", "", surface)  # LLMs -> LLM
    words = _WORD.findall(surface.casefold())
    if words and words[0] in ("the", "a", "an"):
        words = words[1:]
    while len(words) > 1 and words[-1] in GENERIC_TAILS:
        words.pop()
    if words:
        words[-1] = _singular(words[-1])
    parts = [p for w in words for p in _LETTER_DIGIT.split(w)]
    return "-".join(parts)


def majority_type(votes: Counter) -> str:
    top = max(votes.values())
    return min((t for t, n in votes.items() if n == top), key=TYPE_PRIORITY.index)


@dataclass(frozen=True)
class ResolvedEntity:
    key: str
    name: str
    type: str
    aliases: tuple[str, ...]
    alias_counts: dict[str, int] = field(compare=False)
    type_votes: dict[str, int] = field(compare=False)
    paper_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    entities: dict[str, ResolvedEntity]
    keys: dict[tuple[str, str], str]  # (paper id, surface form) -> key

    def key_of(self, paper_id: str, name: str | None) -> str | None:
        if not name:
            return None
        return self.keys.get((paper_id, clean_surface(name))) or (
            canonical_key(name) if canonical_key(name) in self.entities else None
        )


def _abbreviation_table(extractions: list[Extraction]) -> dict[str, str]:
    """Abbreviation key -> long-form key, where the corpus defines it one way only."""
    long_forms: dict[str, set[str]] = defaultdict(set)
    for extraction in extractions:
        for entity in extraction.entities:
            long_key = canonical_key(entity.name)
            for alias in entity.aliases:
                alias_key = canonical_key(alias)
                if alias_key and alias_key != long_key and _looks_like_abbreviation(alias):
                    long_forms[alias_key].add(long_key)
    return {abbr: next(iter(forms)) for abbr, forms in long_forms.items() if len(forms) == 1}


def _looks_like_abbreviation(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return 1 < len(name) <= 12 and " " not in name and sum(c.isupper() for c in letters) >= 2


def resolve(extractions: Iterable[Extraction]) -> Resolution:
    ordered = sorted(extractions, key=lambda e: e.paper.id)
    abbreviations = _abbreviation_table(ordered)
    keys: dict[tuple[str, str], str] = {}
    surfaces: dict[str, Counter] = defaultdict(Counter)
    votes: dict[str, Counter] = defaultdict(Counter)
    papers: dict[str, set[str]] = defaultdict(set)
    for extraction in ordered:
        pid = extraction.paper.id
        for entity in extraction.entities:
            key = canonical_key(entity.name)
            if not key:
                continue
            key = abbreviations.get(key, key)
            votes[key][entity.type] += 1
            papers[key].add(pid)
            for form in (entity.name, *entity.aliases):
                surface = clean_surface(form)
                if surface:
                    keys[(pid, surface)] = key
                    surfaces[key][surface] += max(1, sum(m.text == form for m in entity.mentions))
    entities = {}
    for key in sorted(votes):
        counts = surfaces[key]
        name = min(counts, key=lambda s: (-counts[s], s))
        entities[key] = ResolvedEntity(
            key=key,
            name=name,
            type=majority_type(votes[key]),
            aliases=tuple(sorted(counts)),
            alias_counts=dict(sorted(counts.items())),
            type_votes={t: votes[key][t] for t in ENTITY_TYPES if votes[key][t]},
            paper_ids=tuple(sorted(papers[key])),
        )
    return Resolution(entities=entities, keys=keys)

"""Typed, frozen records passed between the stages of the pipeline.

Every offset is a character offset into ``Paper.text`` (the title, a blank
line, then the abstract), so ``paper.text[start:end]`` is always the span.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = ("Method", "Model", "Dataset", "Task", "Metric")
# When mentions or papers disagree on an entity's type and the votes (or the
# evidence's scores) tie, the earlier type here wins: a named model is more
# specific than a method, a dataset than a task. Method before Dataset: a name
# the paper proposes and the recogniser calls a dataset once and a method once
# is the method ("We propose FooNet. FooNet achieves ... on GSM8K"); Dataset
# first scored alike (dev and tuning: 2,149 typed hits against 2,151) but turns
# such names into datasets, while it would keep AI2-THOR, LVIS and HO-3D
# datasets where papers of the first 2,000 corpus papers tie on them.
TYPE_PRIORITY = ("Model", "Method", "Dataset", "Metric", "Task")
ROLES = ("proposed", "used", "compared", "mentioned")
RELATION_TYPES = ("USES", "EVALUATED_ON", "OUTPERFORMS", "APPLIED_TO", "ADDRESSES", "VARIANT_OF")
TITLE_SEPARATOR = "\n\n"
TITLE_PHRASE_STARTS = frozenset(
    "why how what when where which who can do does is are should towards toward on beyond rethinking".split())


def title_end(text: str) -> int:
    """Where the title of a paper's text (title, blank line, abstract) ends; 0 when it has no title part."""
    return max(text.find(TITLE_SEPARATOR), 0)


def title_lead(text: str) -> str | None:
    """The name a paper's title leads with, before its colon: "Medusa" in "Medusa: Simple LLM Inference ...";
    None where the words before the colon are a phrase ("Why LLMs Fail: ...", "Bridging Speech and Text: ...")."""
    head, colon, _ = text[:title_end(text)].partition(":")
    words = head.split()
    if colon and 0 < len(words) <= 3 and any(c.isupper() for c in head) and not (
            words[0].lower() in TITLE_PHRASE_STARTS or words[0].lower().endswith("ing")):
        return head.strip()
    return None


def normalise_title(title: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a title, for ids and dedup."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(re.findall(r"\w+", folded))


def title_id(title: str) -> str:
    """Stable id for a paper that has none: a hash of its normalised title."""
    return "t-" + hashlib.sha1(normalise_title(title).encode("utf-8")).hexdigest()[:16]


def plain_fields(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, for a record whose fields are plain values (dataclasses.asdict copies
    them deeply: ten times the cost, and the biggest single cost of writing a store)."""
    return vars(record).copy()


def majority_type(votes: Mapping[str, float]) -> str:
    """The entity type with the most votes (counts, or summed scores); ties go to the earlier type of
    ``TYPE_PRIORITY``."""
    top = max(votes.values())
    return min((t for t, n in votes.items() if n == top), key=TYPE_PRIORITY.index)


@dataclass(frozen=True)
class Paper:
    id: str
    title: str
    abstract: str
    date: str | None = None
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    url: str | None = None
    source: str | None = None  # "path:line" the record was read from

    @property
    def text(self) -> str:
        return self.title + TITLE_SEPARATOR + self.abstract

    @property
    def abstract_offset(self) -> int:
        return len(self.title) + len(TITLE_SEPARATOR)

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "authors": list(self.authors), "categories": list(self.categories)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        return cls(
            id=data["id"],
            title=data["title"],
            abstract=data["abstract"],
            date=data.get("date"),
            authors=tuple(data.get("authors") or ()),
            categories=tuple(data.get("categories") or ()),
            url=data.get("url"),
            source=data.get("source"),
        )


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Entity:
    """One distinct entity of one paper, with every place it is mentioned."""

    name: str
    type: str
    role: str
    mentions: tuple[Span, ...]
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "role": self.role,
            "aliases": list(self.aliases),
            "mentions": [plain_fields(m) for m in self.mentions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            name=data["name"],
            type=data["type"],
            role=data["role"],
            aliases=tuple(data.get("aliases") or ()),
            mentions=tuple(Span(**m) for m in data.get("mentions") or ()),
        )


@dataclass(frozen=True)
class Claim:
    """A quantitative result: ``subject`` reaches ``value`` ``unit`` of ``metric``."""

    value: str  # as written; a range keeps one unit ("24%-30%" is "24-30")
    start: int  # span of the number as written
    end: int
    text: str  # the clause stating it
    text_start: int
    text_end: int
    value_min: float | None = None
    value_max: float | None = None
    unit: str | None = None
    metric: str | None = None
    subject: str | None = None
    via: str | None = None
    baseline: str | None = None
    dataset: str | None = None
    qualifier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        return cls(**data)


@dataclass(frozen=True)
class Relation:
    head: str
    type: str
    tail: str
    evidence: str  # the sentence stating it
    start: int  # sentence span
    end: int

    def to_dict(self) -> dict[str, Any]:
        return plain_fields(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Relation:
        return cls(**data)


@dataclass(frozen=True)
class Extraction:
    """What one paper says: the record `kg extract` writes, one JSON line each."""

    paper: Paper
    entities: tuple[Entity, ...] = ()
    claims: tuple[Claim, ...] = ()
    relations: tuple[Relation, ...] = ()
    extractor: str = field(default="", compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.paper.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "claims": [c.to_dict() for c in self.claims],
            "relations": [r.to_dict() for r in self.relations],
            "extractor": self.extractor,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            paper=Paper.from_dict(data),
            entities=tuple(Entity.from_dict(e) for e in data.get("entities") or ()),
            claims=tuple(Claim.from_dict(c) for c in data.get("claims") or ()),
            relations=tuple(Relation.from_dict(r) for r in data.get("relations") or ()),
            extractor=data.get("extractor", ""),
        )

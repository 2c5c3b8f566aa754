"""VARIANT_OF from the names alone: "Llama-3.2-3B-Instruct" extends "Llama-3"."""
from __future__ import annotations

import re

from spacy.tokens import Span

from kg.extract.relations.clauses import ACTORS, PaperView


# A name that extends another by a version, size or release suffix is a variant of it.
VARIANT_SUFFIX = re.compile(
    r"^[-. _/]?(?:v?\d[\w.]*|\d+(?:\.\d+)?[bmk]\b"
    r"|(?:instruct|chat|base|lite|large|small|mini|pro|turbo|max|plus|xl)(?=$|[-. _]?\d|-))",
    re.IGNORECASE,
)


def variant_relations(view: PaperView, spans: list[Span]) -> None:
    """"Llama-3.2-3B-Instruct" is a variant of "Llama-3" when both are named in the paper."""
    first: dict[str, Span] = {}
    for span in spans:
        first.setdefault(span._.kg_name or span.text, span)
    names = [n for n in first if view.types.get(n) in ACTORS]
    for variant in names:
        for family in names:
            if variant == family or len(variant) <= len(family):
                continue
            for stem in {family, family.split("/")[0]}:
                at = variant.lower().find(stem.lower())
                if len(stem) < 3 or at < 0 or (at > 0 and variant[at - 1] not in " -_"):
                    continue
                if VARIANT_SUFFIX.match(variant[at + len(stem):]):
                    span = first[variant]
                    view.add(variant, "VARIANT_OF", family, span.sent)
                    break

"""The kg_relation_scorer component: relations the learned pair scorer finds, beside the rules' own.

It runs after ``kg_relations`` and reads its rule relations as evidence (one
feature among many), then adds, for every ordered pair of the paper's entities,
the relation type the scorer (``kg.learn.pairs``) finds likely enough. The rules'
relations stay: replacing them scored the same on the tuning split and lower on
dev. An added relation's evidence is the sentence where the two entities are
mentioned closest, else the one that mentions the tail first.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.doc import ENTITY_SPANS, entity_types
from kg.extract.relations.clauses import main_proposed, sentence_bounds, types_fit
from kg.learn.linear import LinearModel
from kg.learn.pairs import OUTCOMES, WEIGHTS_FILE, PaperEntity, pair_features, paper_entities
from kg.records import RELATION_TYPES, Relation


@dataclass(frozen=True)
class Candidate:
    """An ordered pair of a paper's entities, the relation types their types allow, and its features."""

    head: PaperEntity
    tail: PaperEntity
    allowed: frozenset[str]
    features: list[str]


def doc_entities(doc: Doc) -> tuple[list[PaperEntity], str | None]:
    """The doc's entities (typed by their mentions' majority, as the extraction reports them) and the
    one "we" and "our method" stand for."""
    spans = list(doc.spans[ENTITY_SPANS]) if ENTITY_SPANS in doc.spans else []
    types = entity_types(spans)
    return paper_entities(doc, spans, types, doc._.kg_roles or {}), main_proposed(doc, spans, types) if spans else None


def candidates(doc: Doc) -> Iterator[Candidate]:
    """Every ordered pair of the doc's entities that some relation type allows."""
    entities, main = doc_entities(doc)
    found: dict[tuple[str, str], set[str]] = {}
    for relation in doc._.kg_relations or ():
        found.setdefault((relation.head, relation.tail), set()).add(relation.type)
    for head in entities:
        for tail in entities:
            if head is tail:
                continue
            allowed = frozenset(t for t in RELATION_TYPES if types_fit(t, head.type, tail.type))
            if allowed:
                features = pair_features(head, tail, main, frozenset(found.get((head.name, tail.name), ())),
                                         frozenset(found.get((tail.name, head.name), ())))
                yield Candidate(head, tail, allowed, features)


def _evidence(candidate: Candidate) -> Span:
    head_sents = set(candidate.head.sentences)
    for mention, start in sorted(zip(candidate.tail.mentions, candidate.tail.sentences), key=lambda m: m[0].start):
        if start in head_sents:
            return mention.sent
    return candidate.tail.mentions[0].sent


@Language.factory("kg_relation_scorer", default_config={"weights": None})
class RelationScoring:
    """Adds the scorer's choice over every pair of entities to the rule relations."""

    def __init__(self, nlp: Language, name: str, weights: str | None):
        self.name = name
        self.scorer = LinearModel.load(Path(weights) if weights else WEIGHTS_FILE, OUTCOMES)

    def __call__(self, doc: Doc) -> Doc:
        found = list(doc._.kg_relations or ())
        known = {(r.head, r.type, r.tail) for r in found}
        kinds = {(r.head, r.tail) for r in found if r.type == "VARIANT_OF"}  # a kind of Y relates to Y no other way
        text = doc.text  # joined from the tokens at each access
        for candidate in candidates(doc):
            kind = self.scorer.best(candidate.features, candidate.allowed)
            if (kind is None or (candidate.head.name, kind, candidate.tail.name) in known
                    or (candidate.head.name, candidate.tail.name) in kinds):
                continue
            start, end = sentence_bounds(_evidence(candidate))
            found.append(Relation(head=candidate.head.name, type=kind, tail=candidate.tail.name,
                                  evidence=text[start:end], start=start, end=end))
        doc._.kg_relations = found
        return doc

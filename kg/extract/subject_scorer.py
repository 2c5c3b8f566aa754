"""The kg_subject_scorer component: a claim's subject, chosen by the learned scorer where the rules found none.

It runs after ``kg_claims``. Where the rules' subject is one of the paper's
entities it stands (overriding it scored lower on the tuning split and on dev);
where they found none, or a phrase that is no entity, the scorer
(``kg.learn.subjects``) picks the likeliest of the paper's Methods, Models and
Datasets when it is sure enough.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.relation_scorer import doc_entities
from kg.learn.linear import LinearModel
from kg.learn.pairs import PaperEntity
from kg.learn.subjects import OUTCOMES, SUBJECT, SUBJECT_TYPES, WEIGHTS_FILE, subject_features
from kg.records import Claim


def claim_candidates(doc: Doc, claim: Claim, entities: list[PaperEntity],
                     main: str | None) -> list[tuple[PaperEntity, list[str]]]:
    """Each candidate subject of ``claim`` with its features."""
    number = doc.char_span(claim.start, claim.end, alignment_mode="expand")
    positions = []  # (token, entity) of every candidate mention in the number's sentence
    if number is not None and len(number):
        sent = number.sent
        positions = sorted((m.start, e.name) for e in entities for m, start in zip(e.mentions, e.sentences)
                           if start == sent.start)
    out = []
    for entity in entities:
        mine = [p for p, name in positions if name == entity.name]
        nearest = min(mine, key=lambda p: abs(p - number.start)) if mine else None
        rivals = 0 if nearest is None else len({name for p, name in positions if name != entity.name
                                                and min(nearest, number.start) < p < max(nearest, number.start)})
        out.append((entity, subject_features(number, claim, entity, main, rivals)))
    return out


def rules_subject_stands(claim: Claim, entities: list[PaperEntity]) -> bool:
    """Whether the rules' subject names one of the paper's entities, so the scorer leaves it."""
    return claim.subject is not None and any(claim.subject == e.name or claim.subject in {m.text for m in e.mentions}
                                             for e in entities)


def subject_entities(doc: Doc) -> tuple[list[PaperEntity], str | None]:
    """The doc's entities that may be a claim's subject, and its main proposed entity."""
    entities, main = doc_entities(doc)
    return [e for e in entities if e.type in SUBJECT_TYPES], main


@Language.factory("kg_subject_scorer", default_config={"weights": None})
class SubjectScoring:
    """Gives a claim whose rules found no entity as subject the scorer's choice among the paper's entities."""

    def __init__(self, nlp: Language, name: str, weights: str | None):
        self.name = name
        self.scorer = LinearModel.load(Path(weights) if weights else WEIGHTS_FILE, OUTCOMES)

    def choose(self, doc: Doc, claim: Claim, entities: list[PaperEntity], main: str | None) -> str | None:
        if rules_subject_stands(claim, entities):
            return claim.subject
        best, best_p = None, -1.0
        for entity, features in claim_candidates(doc, claim, entities, main):
            p = self.scorer.probabilities(features, (SUBJECT,))[SUBJECT]
            if p > best_p:
                best, best_p = entity.name, p
        return best if best is not None and best_p >= self.scorer.threshold else claim.subject

    def __call__(self, doc: Doc) -> Doc:
        claims = doc._.kg_claims or []
        if claims:
            entities, main = subject_entities(doc)
            doc._.kg_claims = [replace(c, subject=self.choose(doc, c, entities, main)) for c in claims]
        return doc

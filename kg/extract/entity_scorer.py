"""The kg_entity_scorer component: the entities the learned scorer keeps, typed as it says.

It runs after ``kg_roles``. For each entity the recogniser and the rules propose
(their ``kg_entities`` spans grouped by name), the scorer (``kg.learn.entities``)
gives "not an entity" or a type; an entity it drops loses its spans and its role, one it
retypes has every mention relabelled. Names the user gave (``--terms``) are never dropped or retyped.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.doc import ENTITY_SPANS, entity_types
from kg.extract.entities.lexicon import name_key
from kg.learn.entities import OUTCOMES, WEIGHTS_FILE, decide, entity_features
from kg.learn.linear import LinearModel
from kg.learn.pairs import PaperEntity, paper_entities


def entity_candidates(doc: Doc, lexicon_type: Callable[[str], str | None]) -> list[tuple[PaperEntity, list[str]]]:
    """Each entity the doc's ``kg_entities`` spans propose, with its features."""
    spans = list(doc.spans[ENTITY_SPANS]) if ENTITY_SPANS in doc.spans else []
    entities = paper_entities(doc, spans, entity_types(spans), doc._.kg_roles or {})
    recognised = {(e.start, e.end): e.label_ for e in doc.ents}
    return [(e, entity_features(e, recognised, lexicon_type, len(entities))) for e in entities]


@Language.factory("kg_entity_scorer", default_config={"weights": None})
class EntityScoring:
    """Drops the proposed entities the scorer finds no entity, and retypes those it types otherwise."""

    def __init__(self, nlp: Language, name: str, weights: str | None):
        self.name = name
        self.scorer = LinearModel.load(Path(weights) if weights else WEIGHTS_FILE, OUTCOMES)
        recognizer = nlp.get_pipe("kg_entities")
        self.lexicon_type = recognizer.lexicon.type_of
        self.user_names = recognizer.user_names

    def decide(self, entity: PaperEntity, features: list[str]) -> str | None:
        """The entity's type, or None to drop it."""
        if name_key(entity.name) in self.user_names:
            return entity.type
        return decide(self.scorer, features)

    def __call__(self, doc: Doc) -> Doc:
        if ENTITY_SPANS not in doc.spans or not len(doc.spans[ENTITY_SPANS]):
            return doc
        decided = {entity.name: self.decide(entity, features) for entity, features in entity_candidates(doc, self.lexicon_type)}
        kept = []
        for span in doc.spans[ENTITY_SPANS]:
            entity_type = decided[span._.kg_name or span.text]
            if entity_type is None:
                continue
            if entity_type != span.label_:
                name = span._.kg_name
                span = Span(doc, span.start, span.end, label=entity_type)
                span._.kg_name = name
            kept.append(span)
        doc.spans[ENTITY_SPANS] = kept
        roles = doc._.kg_roles or {}
        doc._.kg_roles = {name: role for name, role in roles.items() if decided.get(name, "") is not None}
        return doc

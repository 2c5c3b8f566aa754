"""The kg_role_scorer component: which entities the paper proposes, as the learned scorer says.

It runs after ``kg_roles`` (and the entity scorer, when there is one). For each of
the paper's entities the scorer (``kg.learn.roles``) says proposed or not; an entity
it calls proposed becomes so, one the rules called proposed and it does not
becomes "used" (what our labels call most of them), and every other entity keeps
the rules' role (compared, used, mentioned).
"""
from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.relation_scorer import doc_entities
from kg.learn.linear import LinearModel
from kg.learn.pairs import PaperEntity
from kg.learn.roles import OUTCOMES, PROPOSED, WEIGHTS_FILE, role_features

DEMOTED = "used"


def role_candidates(doc: Doc) -> list[tuple[PaperEntity, list[str]]]:
    """Each of the doc's entities with its features."""
    entities, main = doc_entities(doc)
    return list(zip(entities, role_features(doc, entities, main)))


@Language.factory("kg_role_scorer", default_config={"weights": None})
class RoleScoring:
    """Marks proposed the entities the scorer finds proposed, and only those."""

    def __init__(self, nlp: Language, name: str, weights: str | None):
        self.name = name
        self.scorer = LinearModel.load(Path(weights) if weights else WEIGHTS_FILE, OUTCOMES)

    def __call__(self, doc: Doc) -> Doc:
        roles = dict(doc._.kg_roles or {})
        for entity, features in role_candidates(doc):
            if self.scorer.best(features, (PROPOSED,)) is not None:
                roles[entity.name] = PROPOSED
            elif roles.get(entity.name) == PROPOSED:
                roles[entity.name] = DEMOTED
        doc._.kg_roles = roles
        return doc

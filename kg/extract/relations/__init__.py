"""The kg_relations component: relations between entities stated in one sentence.

Every relation comes from one sentence (its evidence) and one cue in it: a verb
("X uses Y", "X outperforms Y"), a preposition that attaches an entity to a
clause ("... on GSM8K", "... for machine translation"), a compound ("Y-based X")
or, for the title, the "Name: description" shape. The head of a relation is
the entity the cue's clause is about: its subject, the noun a relative clause
or participle hangs on, or the paper's proposed entity when the subject is
"we", "our method" or "it". VARIANT_OF comes from the names alone.

The cue words are data: ``tables/relation_cues.json``. The modules: ``clauses`` (what
a clause is about and takes), ``frames`` (the cues of one sentence), ``kinds``,
``title`` and ``variants``.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.doc import ENTITY_SPANS
from kg.extract.relations.clauses import paper_view
from kg.extract.relations.frames import sentence_relations
from kg.extract.relations.title import title_relations
from kg.extract.relations.variants import variant_relations


@Language.factory("kg_relations", default_config={"max_sentence_tokens": 200})
class RelationFinder:
    """Finds USES, EVALUATED_ON, OUTPERFORMS, APPLIED_TO, ADDRESSES and VARIANT_OF relations."""

    def __init__(self, nlp: Language, name: str, max_sentence_tokens: int = 200):
        self.name = name
        self.max_sentence_tokens = max_sentence_tokens

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(ENTITY_SPANS, [])) if ENTITY_SPANS in doc.spans else []
        if not spans:
            doc._.kg_relations = []
            return doc
        view = paper_view(doc, spans)
        sents = list(doc.sents) if doc.has_annotation("DEP") else []
        for index, sent in enumerate(sents):
            if len(sent) > self.max_sentence_tokens or sent.text.rstrip().endswith("?"):
                continue
            if index == 0:
                title_relations(view, sent)
            sentence_relations(view, sent, title=index == 0)
        variant_relations(view, spans)
        for head, rel_type, tail in list(view.found):
            if rel_type == "VARIANT_OF":
                view.found.pop((head, "USES", tail), None)  # a kind of Y, not a user of it
        doc._.kg_relations = list(view.found.values())
        return doc

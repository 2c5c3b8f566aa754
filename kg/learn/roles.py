"""Which entities a paper proposes: a learned scorer over the rules' roles.

The rules (``kg_roles``) call an entity proposed from a few cues ("we propose X",
"X: ..." as the title, "our X"); they miss two proposed entities in five, most of them
the parts of a proposal ("X combines A and B", both A and B proposed)
and names the title gives without a colon. The scorer (``kg.learn.linear``) reads
each entity with the rules' role as one feature among where the paper names it
(title, before the title's colon, first sentence), how often and how early, its
shape and head word, and the words and verbs around its first mentions. Trained by
``scripts/train_scorers.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.abbreviations import name_words
from kg.learn.entities import mention_context, shape_features
from kg.learn.pairs import PaperEntity, bucket, clause_subject, governors
from kg.records import title_end

if TYPE_CHECKING:
    from spacy.tokens import Doc

NOT_PROPOSED, PROPOSED = "-", "proposed"
OUTCOMES = (NOT_PROPOSED, PROPOSED)
WEIGHTS_FILE = Path(__file__).resolve().parent / "roles.json.gz"
MENTIONS_READ = 4  # the first mentions say how the paper introduces an entity; later ones repeat it


def role_features(doc: Doc, entities: list[PaperEntity], main: str | None) -> list[list[str]]:
    """The features of each of the paper's ``entities`` (in order); ``main`` is the rules' main proposal."""
    text = doc.text  # joined from the tokens at each access
    title_stop = title_end(text)
    colon = text.find(":", 0, title_stop)
    sentence_of = {sent.start: i for i, sent in enumerate(doc.sents)}
    proposed = bucket(sum(1 for e in entities if e.role == PROPOSED))
    out = []
    for rank, entity in enumerate(entities):  # in order of first mention (``paper_entities``)
        t = entity.type
        features = ["bias", f"role:{entity.role}", f"type:{t}", f"type-role:{t}:{entity.role}",
                    f"mentions:{bucket(len(entity.mentions))}", f"rank:{bucket(rank)}",
                    f"proposed:{proposed}", f"proposed-role:{proposed}:{entity.role}"]
        if entity.name == main:
            features.append("main")
        if entity.in_title:
            features.append(f"title:{t}")
            if colon > 0 and any(m.end_char <= colon for m in entity.mentions):
                features.append(f"before-colon:{t}")
        features.append(f"first-sentence:{bucket(min(sentence_of.get(start, 0) for start in entity.sentences))}")
        features += shape_features(entity.name)
        words = name_words(entity.name.lower())
        if words:
            features += [f"head:{words[-1]}", f"head-type:{words[-1]}:{t}"]
        for mention in entity.mentions[:MENTIONS_READ]:
            features += mention_context(mention)
            features.append(f"subject:{clause_subject(mention.root)}")
            before = doc[max(0, mention.start - 2):mention.start]
            features.append("before2:" + " ".join(token.lower_ for token in before))
            features += [f"governor:{g}" for g in governors(mention.root, 3)]
        out.append(features)
    return out

"""Which of the entities a paper's candidates yield to keep, and as which type: a learned scorer.

The recogniser and the rules propose a paper's entities mention by mention; a third
of what they propose is not in our labels (a description, not a named thing; a
background term; an organisation), and a tenth has the wrong type. The scorer
reads each proposed entity whole: how it was found (the recogniser's span and
label, a lexicon entry), its shape and head word, how often and where the paper
mentions it, what governs its mentions, its role; a linear softmax
(``kg.learn.linear``) over "not an entity" and the five types decides. Trained by
``scripts/train_scorers.py``.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from kg.abbreviations import name_words
from kg.learn.linear import LinearModel
from kg.learn.pairs import PaperEntity, bucket
from kg.records import ENTITY_TYPES

if TYPE_CHECKING:
    from spacy.tokens import Span

NOT_ENTITY = "-"
OUTCOMES = (NOT_ENTITY, *ENTITY_TYPES)
WEIGHTS_FILE = Path(__file__).resolve().parent / "entities.json.gz"
ACRONYM = re.compile(r"^[A-Z0-9][A-Za-z0-9]*[A-Z][A-Za-z0-9]*$")


def shape_features(name: str) -> list[str]:
    words = name.split()
    features = [f"words:{bucket(len(words))}"]
    if any(c.isdigit() for c in name):
        features.append("digit")
    if "-" in name:
        features.append("hyphen")
    if len(words) == 1 and ACRONYM.match(name):
        features.append("acronym")
    if all(w[:1].isupper() for w in words):
        features.append("capitalised" if len(words) > 1 else "capital")
    elif all(w.islower() for w in words):
        features.append("lower")
    else:
        features.append("mixed")
    return features


def mention_context(mention: Span) -> list[str]:
    """What surrounds one mention: the words beside it and what governs it."""
    doc = mention.doc
    before = doc[mention.start - 1].lower_ if mention.start else "<s>"
    after = doc[mention.end].lower_ if mention.end < len(doc) else "</s>"
    root = mention.root
    return [f"before:{before}", f"after:{after}", f"dep:{root.dep_}", f"gov:{root.head.lemma_.lower()}",
            f"dep-gov:{root.dep_}:{root.head.lemma_.lower()}"]


def entity_features(entity: PaperEntity, recognised: dict[tuple[int, int], str],
                    lexicon_type: Callable[[str], str | None], entities_in_paper: int) -> list[str]:
    """The features of a proposed entity; ``recognised`` maps the recogniser's spans (token offsets) to
    their labels, ``lexicon_type`` gives a phrase's type in kg's tables, if any."""
    t = entity.type
    features = ["bias", f"type:{t}", f"role:{entity.role}", f"type-role:{t}:{entity.role}",
                f"mentions:{bucket(len(entity.mentions))}", f"paper-entities:{bucket(entities_in_paper // 4)}"]
    labels = {recognised.get((m.start, m.end)) for m in entity.mentions} - {None}
    overlapping = any(m.start < e and s < m.end for m in entity.mentions for s, e in recognised)
    if labels:
        features += [f"recognised:{label}" for label in labels]
        features.append(f"recognised-agrees:{t in labels}")
    else:
        features.append(f"recognised:{'overlap' if overlapping else 'none'}:{t}")
    lexicon = lexicon_type(entity.name)
    features.append(f"lexicon:{lexicon}:{t}" if lexicon else f"lexicon:none:{t}")
    shape = shape_features(entity.name)
    features += shape + [f"{s}:{t}" for s in shape]
    words = name_words(entity.name.lower())
    if words:
        features += [f"head:{words[-1]}", f"head-type:{words[-1]}:{t}", f"first:{words[0]}",
                     f"suffix:{words[-1][-3:]}:{t}"]
    forms = {m.text for m in entity.mentions}
    if len(forms) > 1:
        features.append("forms")
    if entity.in_title:
        features += ["title", f"title:{t}"]
        if entity.leads_title:
            features.append(f"title-lead:{t}")
    pos = " ".join(tok.pos_ for tok in entity.mentions[0])[:40]
    features.append(f"pos:{pos}")
    for mention in entity.mentions[:3]:
        features += mention_context(mention)
    return features



def decide(model: LinearModel, features: list[str]) -> str | None:
    """The type the scorer gives an entity with these features, or None to drop it."""
    return model.best(features, ENTITY_TYPES)

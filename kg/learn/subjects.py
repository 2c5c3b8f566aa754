"""Whose number is it: a claim's subject, chosen among the paper's entities by a learned scorer.

The rules name a claim's subject from the clause around the number; where the
clause says "we", "our method" or nothing, they fall back on the paper's proposed
entity. The scorer (``kg.learn.linear``) reads each Method, Model or Dataset the
paper names as a candidate: its role, whether it is the paper's main proposal,
where it stands relative to the number (same sentence, before or after, the
dependency path between them) and what the rules chose. Trained by
``scripts/train_scorers.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kg.learn.pairs import PaperEntity, bucket, dependency_path
from kg.records import Claim

if TYPE_CHECKING:
    from spacy.tokens import Span

SUBJECT_TYPES = frozenset({"Method", "Model", "Dataset"})
NOT_SUBJECT, SUBJECT = "-", "subject"
OUTCOMES = (NOT_SUBJECT, SUBJECT)
WEIGHTS_FILE = Path(__file__).resolve().parent / "subjects.json.gz"


def _nearest(entity: PaperEntity, sent: Span, at: int) -> Span | None:
    """The entity's mention in ``sent`` nearest token ``at``."""
    inside = [m for m, start in zip(entity.mentions, entity.sentences) if start == sent.start]
    return min(inside, key=lambda m: abs(m.start - at)) if inside else None


def subject_features(number: Span | None, claim: Claim, entity: PaperEntity, main: str | None,
                     rivals_before: int) -> list[str]:
    """The features of ``entity`` as the subject of ``claim``, whose number is the span ``number``;
    ``rivals_before`` counts the candidates mentioned between this one and the number in its sentence."""
    features = ["bias", f"type:{entity.type}", f"role:{entity.role}", f"tr:{entity.type}.{entity.role}"]
    if entity.name == main:
        features.append("main")
    if claim.subject == entity.name or claim.subject in {m.text for m in entity.mentions}:
        features.append("rule-subject")
    elif claim.subject is None:
        features.append(f"rule-none:{entity.role}")
    else:
        features.append(f"rule-other:{entity.role}")
    for field_name in ("via", "baseline", "dataset"):
        value = getattr(claim, field_name)
        if value and (value == entity.name or value in {m.text for m in entity.mentions}):
            features.append(f"is-{field_name}")
    in_clause = any(claim.text_start <= m.start_char < claim.text_end for m in entity.mentions)
    features.append(f"in-clause:{int(in_clause)}")
    if number is None or not len(number):
        return features
    mention = _nearest(entity, number.sent, number.start)
    if mention is None:
        before = [m for m in entity.mentions if m.start < number.start]
        features.append(f"elsewhere:{'before' if before else 'after'}:{entity.role}")
        return features
    side = "before" if mention.start < number.start else "after"
    gap = number.start - mention.end if side == "before" else mention.start - number.end
    features += [f"side:{side}", f"gap:{bucket(gap)}:{side}", f"rivals:{bucket(rivals_before)}:{side}",
                 f"dep:{mention.root.dep_}:{side}"]
    path, lca = dependency_path(mention.root, number.root)
    features += [f"path:{path}", f"lca:{lca}", f"path-lca:{path}:{lca}"]
    return features

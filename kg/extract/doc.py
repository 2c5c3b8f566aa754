"""The Doc contract between kg's components: where each writes what the next one reads.

- ``doc.spans[ENTITY_SPANS]``: every entity mention, ``span.label_`` its type and
  ``span._.kg_name`` the name of the entity it refers to (an abbreviation or
  variant points at its entity's name);
- ``doc._.kg_roles``: entity name -> role in the paper;
- ``doc._.kg_claims``: the paper's ``Claim`` records;
- ``doc._.kg_relations``: the paper's ``Relation`` records.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from spacy.tokens import Doc, Span

from kg.records import majority_type

ENTITY_SPANS = "kg_entities"
MAX_WALK = 16  # walks up the parse stop after this many heads, whatever the tree looks like

for _name in ("kg_roles", "kg_claims", "kg_relations"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Span.has_extension("kg_name"):
    Span.set_extension("kg_name", default=None)


def starts_sentence(doc: Doc, i: int) -> bool:
    """Whether a sentence really starts at token ``i``.

    The parser often opens a one-word "sentence" inside a title-cased name
    ("3D | Gaussian | Splatting"); only a full stop, a line break or the
    start of the text ends one.
    """
    if i <= 0:
        return True
    previous = doc[i - 1]
    return previous.text in (".", "!", "?") or (previous.is_space and "\n" in previous.text)


def entity_types(spans: Iterable[Span]) -> dict[str, str]:
    """Each entity's type, by name: the type most of its mentions carry (``majority_type``)."""
    votes: dict[str, Counter] = {}
    for span in spans:
        votes.setdefault(span._.kg_name or span.text, Counter())[span.label_] += 1
    return {name: majority_type(v) for name, v in votes.items()}

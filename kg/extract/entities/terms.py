"""The user's ``--terms`` (``kg.terms``) found in a doc.

A term or alias with a capital past its first letter ("ZBX", "LoRA") is matched
with its case; any other ("Zorblax", "spec decoding") in any case.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from kg.terms import Term


def is_cased(text: str) -> bool:
    """Whether a term is matched with its case: it has a capital past its first letter ("ZBX", "LoRA")."""
    return any(c.isupper() for c in text[1:])


class TermMatcher:
    """Finds the user's terms and their aliases in a doc, word-bounded, each typed as its term."""

    def __init__(self, nlp: Language, terms: tuple[Term, ...]):
        self.cased = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.uncased = PhraseMatcher(nlp.vocab, attr="LOWER")
        for term in terms:
            for form in (term.name, *term.aliases):
                (self.cased if is_cased(form) else self.uncased).add(term.type, [nlp.make_doc(form)])

    def __call__(self, doc: Doc) -> list[tuple[int, int, str]]:
        """The matches (start, end, type), longest first where they overlap, in text order."""
        matches = [(start, end, doc.vocab.strings[label]) for matcher in (self.cased, self.uncased)
                   for label, start, end in matcher(doc)]
        taken: set[int] = set()
        kept = []
        for start, end, entity_type in sorted(matches, key=lambda m: (m[0] - m[1], m[0])):
            if not taken.intersection(range(start, end)):
                taken.update(range(start, end))
                kept.append((start, end, entity_type))
        return sorted(kept)

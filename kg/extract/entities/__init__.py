"""The kg_entities component: entity mentions, their types and the entity each refers to.

Candidates come from four sources, then overlapping ones are resolved (the
longest wins, ``candidates``) and the survivors are grouped into entities
(``grouping``):

- abbreviation definitions "Long Form (ABBR)" and "ABBR (Long Form)" (``definitions``);
- name-shaped words: GPT-4, LoRA, Spec-Bench, Medusa (``names``), typed by their
  context (``context``);
- noun chunks, trimmed and typed by their head word, and lexicon terms wherever
  they occur (``phrases``), from kg's tables (``lexicon``);
- the learned recogniser's spans (``doc.ents``), where it ran before this component,
  and the user's own terms (``--terms``).
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kg.extract import roles  # noqa: F401  (registers kg_roles, which reads what kg_entities writes)
from kg.extract.doc import ENTITY_SPANS
from kg.extract.entities.candidates import TYPING_EVIDENCE, Candidate, mended, resolve
from kg.extract.entities.context import long_form_type, name_type
from kg.extract.entities.definitions import abbreviations
from kg.extract.entities.grouping import group
from kg.extract.entities.lexicon import Lexicon, name_key
from kg.extract.entities.names import glossed_as_organisation, name_candidates, split_glued_periods
from kg.extract.entities.phrases import chunk_candidates, term_candidates
from kg.extract.entities.terms import TermMatcher
from kg.records import title_end, title_lead
from kg.terms import read_terms, user_aliases

SPAN_END_PUNCTUATION = frozenset({".", ",", ";", ":"})


@Language.factory("kg_entities", default_config={"min_term_papers": 3, "max_chunk_tokens": 6, "terms": None,
                                                 "aliases": None})
class EntityRecognizer:
    """Finds entity mentions and writes them to ``doc.spans["kg_entities"]``.

    Where the learned recogniser ran before it (``doc.ents``), its spans decide which
    phrases are entities; the rules keep the names that overlap them, their typing
    evidence, abbreviations, grouping and roles (see :meth:`_with_learned`).

    ``terms``, ``aliases``: the user's ``--terms`` and ``--aliases`` files (``kg.terms``); their terms
    are found and typed over every other candidate, and their aliases grouped under their name.
    """

    def __init__(self, nlp: Language, name: str, min_term_papers: int, max_chunk_tokens: int,
                 terms: str | None = None, aliases: str | None = None):
        self.name = name
        self.max_chunk_tokens = max_chunk_tokens
        self.lexicon = Lexicon(nlp, min_term_papers)
        user_terms = read_terms(terms) if terms else ()
        self.user_terms = TermMatcher(nlp, user_terms)
        canonical_of = user_aliases(terms, aliases)
        # name keys: an alias's, the key of the name it stands for; a user's name's, that name as written
        self.user_merges = {name_key(a): name_key(c) for a, c in canonical_of.items() if name_key(a) != name_key(c)}
        self.user_names = {name_key(n): n for n in [*(t.name for t in user_terms), *canonical_of.values()]}

    def __call__(self, doc: Doc) -> Doc:
        doc._.kg_roles = {}
        split_glued_periods(doc)
        text = doc.text
        if not text.strip():
            doc.spans[ENTITY_SPANS] = []
            return doc
        lexicon = self.lexicon
        title_stop = title_end(text)
        names = name_candidates(lexicon, doc, text, title_stop)
        lead = title_lead(text)
        for cand in names:
            cand.type, cand.evidence = name_type(lexicon, doc, cand, lead)
        named = {i for c in names for i in range(c.start, c.end)}
        pairs = abbreviations(lexicon, doc, text)
        organisations = {short.text for long_span, short, _ in pairs
                         if any(t.text in lexicon.organisation_words for t in long_span)}
        organisations |= {doc[c.start:c.end].text for c in names
                          if glossed_as_organisation(lexicon, text, doc[c.end - 1].idx + len(doc[c.end - 1]))}
        candidates = [c for c in names if doc[c.start:c.end].text not in organisations]
        long_forms = []
        for long_span, short, reverse in pairs:
            if short.text in organisations:
                continue
            cand = Candidate(long_span.start, long_span.end, *long_form_type(lexicon, doc, long_span, short), name=True)
            long_forms.append((cand, short.text, reverse))
            candidates.append(cand)
        candidates += chunk_candidates(lexicon, doc, named, title_stop, self.max_chunk_tokens)
        candidates += term_candidates(lexicon, doc, title_stop)
        if doc.ents:
            candidates = self._with_learned(doc, candidates)
        candidates = [whole for c in candidates if (whole := mended(doc, c)) is not None]
        candidates = self._with_user_terms(doc, candidates)
        doc.spans[ENTITY_SPANS] = group(lexicon, doc, resolve(candidates), long_forms, self.user_names,
                                        self.user_merges, title_stop, text, lead)
        return doc

    @staticmethod
    def _with_learned(doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """The learned recogniser's spans, and the rules' names (where they overlap, the longest wins).

        The recogniser misses some names the rules are sure of ("pixelSplat: ...", "MiMo-Embodied: ...");
        the entity scorer, which reads every candidate this returns, decides. Measured on the tuning
        split (the entity scorer retrained each time): typed entity F1 0.692 with only the names that
        overlap a learned span, 0.694 with every name; every rule candidate besides the spans gives
        typed 0.697 but any-type 0.733 against 0.739. Where a rule candidate covers exactly a
        learned span with typing evidence of its own (a lexicon entry, an apposition, a cue, a
        model-name shape), the rule's type stands.
        """
        typed = {(c.start, c.end): c for c in candidates if c.evidence in TYPING_EVIDENCE}
        learned = []
        for ent in doc.ents:
            start, end = ent.start, ent.end
            while end > start and doc[end - 1].text in SPAN_END_PUNCTUATION:
                end -= 1  # "GSM8K." where a short text ends: the full stop is no part of the name
            if end > start:
                learned.append(typed.get((start, end)) or Candidate(start, end, ent.label_, "model"))
        names = [c for c in candidates if c.name and c.evidence != "default"]
        return names + learned

    def _with_user_terms(self, doc: Doc, candidates: list[Candidate]) -> list[Candidate]:
        """The user's terms, typed as the user says, in place of every candidate they overlap."""
        found = [Candidate(start, end, entity_type, "user", name=True) for start, end, entity_type in self.user_terms(doc)]
        if not found:
            return candidates
        covered = {i for c in found for i in range(c.start, c.end)}
        return found + [c for c in candidates if covered.isdisjoint(range(c.start, c.end))]

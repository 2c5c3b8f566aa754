"""Kinds of a named class (DECISIONS 16): each kind is a VARIANT_OF its class."""
from __future__ import annotations

from spacy.tokens import Span, Token

from kg.extract.relations.clauses import PaperView, collect, hyphen_based, mentions_in


KIND_PREPS = frozenset({"including", "like"})  # "Y including X", "Y like X"; "Y such as X" is read apart


EXAMPLE_WORDS = frozenset({"e.g.", "e.g", "eg"})  # "Y (e.g., X)"


def kind_relations(view: PaperView, sent: Span) -> None:
    """Kinds of a named class (DECISIONS 16): "PEFT methods such as LoRA", "detectors, including GPTZero",
    "attacks like HaPLa", "PEFT methods (e.g., LoRA)", "FlowSpec, a speculative decoding framework" and "a
    retrieval-augmented generation framework, ATRI": each kind is a VARIANT_OF the class, and does not use it."""
    for token in sent:
        kinds: list[str] = []
        if token.dep_ == "prep" and (token.lower_ in KIND_PREPS or token.lower_ == "as" and token.i > sent.start
                                     and token.nbor(-1).lower_ == "such"):
            noun = token.head if token.head.lower_ != "such" else token.head.head
            kinds = collect(view, [c for c in token.children if c.dep_ == "pobj"], ())
            kinds = [kind for kind in kinds if view.types.get(kind) != "Model"]  # "LLMs such as GPT-4": an instance
        elif token.lower_ in EXAMPLE_WORDS and token.i - 2 >= sent.start and token.nbor(-1).text == "(":
            noun = token.nbor(-2)
            close = next((t.i for t in sent if t.i > token.i and t.text == ")"), sent.end)
            kinds = [s._.kg_name or s.text for s in mentions_in(view, sent.doc[token.i + 1:close])
                     if view.types.get(s._.kg_name or s.text) != "Model"]
        elif token.dep_ == "appos" and (token.i in view.mention_at) != (token.head.i in view.mention_at):
            named, noun = (token, token.head) if token.i in view.mention_at else (token.head, token)
            if noun.pos_ != "NOUN" or not any(c.lower_ in ("a", "an") for c in noun.children):
                continue
            kinds = [view.entity(named)]  # "X, a Y framework" and "a Y framework, X"
        for kind in kinds:
            family = _class_entity(view, noun)
            view.add(kind, "VARIANT_OF", family, sent)


def _class_entity(view: PaperView, noun: Token) -> str | None:
    """The entity a class noun names: its own mention, or that of the words before it ("PEFT methods")."""
    if noun.i in view.mention_at:
        return view.entity(noun)
    modifiers = [c for c in noun.children if c.dep_ in ("compound", "amod", "nmod") and c.i < noun.i
                 and c.i in view.mention_at and not hyphen_based(c)]
    return view.entity(modifiers[-1]) if modifiers else None

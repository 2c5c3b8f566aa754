"""The title's "Name: ... for Task ... via Method" shape."""
from __future__ import annotations

from spacy.tokens import Span

from kg.extract.relations.clauses import PaperView, mentions_in


def title_relations(view: PaperView, title: Span) -> None:
    """"Name: ... for Task ... via Method": the named (proposed) entity addresses the task, uses the method."""
    main = view.proposed
    if main is None or not _title_names(view, title, main):
        return
    after_cue = False
    uses_preps = view.cues.title_uses_preps
    for span in mentions_in(view, title):
        name = span._.kg_name or span.text
        if name == main:
            continue
        after_cue = after_cue or any(t.lower_ in uses_preps for t in view.doc[title.start:span.start])
        if span.label_ == "Task":
            view.add(main, "ADDRESSES", name, title)
        elif after_cue and span.label_ in ("Method", "Model", "Dataset"):
            view.add(main, "USES", name, title)


def _title_names(view: PaperView, title: Span, main: str) -> bool:
    """Whether a "Name: description" title is about ``main``: when ``main`` is named before
    the colon it must be (nearly) all of it ("Medusa: ...", not "GPT-4 Enhanced Grounding: ...",
    "Augmenting LLMs with Knowledge: ...")."""
    colon = next((t for t in title if t.text == ":"), None)
    if colon is None:
        return True
    head = view.doc[title.start:colon.i]
    named = [s for s in mentions_in(view, head) if (s._.kg_name or s.text) == main]
    if not named:
        return True
    size = len(head.text.strip())
    return any(len(s.text) * 2 >= size for s in named)

"""A candidate mention, as the candidate sources propose it, and how overlapping candidates compete."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc

# How much each kind of evidence counts when an entity's mentions disagree on its type, and which of two
# overlapping candidates of one length is kept. "user": a term of the user's own (--terms), whose type
# nothing outweighs.
WEIGHT = {"lexicon": 4.0, "apposition": 10.0, "cue": 2.5, "shape": 2.0, "head": 1.0, "title": 1.0, "weak": 0.5,
          "default": 0.3, "model": 6.0, "user": 1000.0}
# Rule evidence that types a span the learned recogniser also found: its type stands over the recogniser's.
TYPING_EVIDENCE = frozenset({"lexicon", "apposition", "cue", "shape"})


@dataclass
class Candidate:
    start: int  # token offsets
    end: int
    type: str
    evidence: str
    name: bool = False  # a name (not a phrase): variants and abbreviations attach to it


# "%u2019": a quote mangled by an encoder on the way into the text, never part of a name
MANGLED = re.compile(r"%u[0-9a-fA-F]{4}")


def well_formed(text: str) -> bool:
    """Whether a span's text can be a written name: brackets and TeX's $ come in pairs ("R_{-i" and
    "Reason2Attack(R2A" are cut out of something larger), and no mangled character is in it."""
    pairs = all(text.count(opening) == text.count(closing) for opening, closing in ("()", "[]", "{}"))
    return pairs and text.count("$") % 2 == 0 and not text.endswith("\\") and not MANGLED.search(text)


def mended(doc: Doc, cand: Candidate, reach: int = 3) -> Candidate | None:
    """A candidate whose text is well formed; one cut out of a name glued to its neighbours ("^2$-LLM" of
    "A$^2$-LLM") grown over them to the shortest well-formed span; None where there is none."""
    if well_formed(doc[cand.start:cand.end].text):
        return cand
    starts, ends = [cand.start], [cand.end]
    while len(starts) <= reach and starts[-1] > 0 and not doc[starts[-1] - 1].whitespace_:
        starts.append(starts[-1] - 1)
    while len(ends) <= reach and ends[-1] < len(doc) and not doc[ends[-1] - 1].whitespace_:
        ends.append(ends[-1] + 1)
    for start, end in sorted(((s, e) for s in starts for e in ends), key=lambda span: (span[1] - span[0], -span[0])):
        if well_formed(doc[start:end].text):
            return replace(cand, start=start, end=end)
    return None


def resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates, longest first; abbreviation long forms and names win ties."""
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), -int(c.name), -WEIGHT[c.evidence], c.start))
    taken: set[int] = set()
    chosen = []
    for cand in ordered:
        if any(i in taken for i in range(cand.start, cand.end)):
            continue
        taken.update(range(cand.start, cand.end))
        chosen.append(cand)
    return sorted(chosen, key=lambda c: c.start)

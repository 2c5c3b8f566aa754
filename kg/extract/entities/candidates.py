"""A candidate mention, as the candidate sources propose it, and how overlapping candidates compete."""
from __future__ import annotations

from dataclasses import dataclass

# How much each kind of evidence counts when an entity's mentions disagree on its type, and which of two
# overlapping candidates of one length is kept. "user": a term of the user's own (--terms), whose type
# nothing outweighs.
WEIGHT = {"lexicon": 4.0, "apposition": 10.0, "cue": 2.5, "shape": 2.0, "head": 1.0, "weak": 0.5, "default": 0.3,
          "model": 6.0, "user": 1000.0}
# Rule evidence that types a span the learned recogniser also found: its type stands over the recogniser's.
TYPING_EVIDENCE = frozenset({"lexicon", "apposition", "cue", "shape"})


@dataclass
class Candidate:
    start: int  # token offsets
    end: int
    type: str
    evidence: str
    name: bool = False  # a name (not a phrase): variants and abbreviations attach to it


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

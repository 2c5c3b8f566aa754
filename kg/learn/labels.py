"""Training labels: our annotations of corpus abstracts, stored without the abstracts' text.

A stored label is one JSON object per paper, in score.py's gold format minus every
piece of copied text: entities carry ``mentions`` (character offsets into
``Paper.text``), and each claim carries ``span`` (the offsets of the clause that
states it) instead of ``text``. :func:`to_gold` joins a label with its paper's
text again, for training and for ``score.py``.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

from kg.errors import LabelError
from kg.files import atomic_open
from kg.learn.roles import PROPOSED
from kg.records import TITLE_SEPARATOR


URL = re.compile(r"[(\[<\"']*(?:https?://|www\.|[\w.-]+\.(?:com|org|io|net|ai)/)")


def corpus_texts(corpus: str | Path, ids: Iterable[str]) -> dict[str, str]:
    """``Paper.text`` (title, blank line, abstract) of each wanted id in the gzipped corpus."""
    wanted = set(ids)
    return corpus_texts_where(corpus, wanted.__contains__)


def corpus_texts_where(corpus: str | Path, keep: Callable[[str], bool]) -> dict[str, str]:
    """``Paper.text`` of each paper of the gzipped corpus whose id ``keep`` accepts, in the corpus's order."""
    texts = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if keep(record["id"]):
                texts[record["id"]] = record["title"] + TITLE_SEPARATOR + record["abstract"]
    return texts


def _name_pattern(form: str) -> str:
    """``form`` as a regex: a word with a capital past its first letter ("GaLore", "LLMs", "MATH") as
    written, since "galore", "Math" or "verifiable" are other words; every other word in any case."""
    parts = re.split(r"(\s+)", form)
    return "".join(re.escape(p) if p.isspace() or any(c.isupper() for c in p[1:]) else f"(?i:{re.escape(p)})"
                   for p in parts if p)


def occurrences(text: str, form: str, in_compounds: bool = False) -> list[tuple[int, int]]:
    """Places of ``form`` in ``text`` (see :func:`_name_pattern` for case), not inside a longer word or
    name ("Reason-KE" in "Reason-KE++", "Llama" in "llama.cpp", a name in a URL), nor (unless
    ``in_compounds``) inside a hyphenated compound ("LLM" in "LLM-based")."""
    if not form.strip():
        return []
    before, after = (r"\w", r"[\w+]|\.[a-z0-9]") if in_compounds else (r"[\w-]", r"[\w+-]|\.[a-z0-9]")
    pattern = re.compile(rf"(?<!{before})" + _name_pattern(form) + rf"(?!{after})")
    return [(m.start(), m.end()) for m in pattern.finditer(text) if not _in_url(text, m.start())]


def _in_url(text: str, at: int) -> bool:
    start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
    return URL.match(text, start) is not None


def entity_mentions(text: str, forms: Iterable[str]) -> list[dict[str, int]]:
    """Every place where one of an entity's forms occurs; the longer form wins where two overlap.

    An entity the text names only inside hyphenated compounds ("transformer-based") is
    mentioned there (DECISIONS.md 7).
    """
    forms = sorted({f for f in forms if f}, key=len, reverse=True)
    in_compounds = not any(occurrences(text, form) for form in forms)
    taken: list[tuple[int, int]] = []
    for form in forms:
        for start, end in occurrences(text, form, in_compounds):
            if not any(start < b and a < end for a, b in taken):
                taken.append((start, end))
    return [{"start": s, "end": e} for s, e in sorted(taken)]


def clause_span(text: str, clause: str) -> dict[str, int]:
    """Offsets of a claim's clause, copied from the text (whitespace may differ)."""
    pattern = r"\s+".join(re.escape(word) for word in clause.split())
    found = re.search(pattern, text)
    if not clause.strip() or found is None:
        raise LabelError(f"claim text not found in the paper: {clause[:70]!r}")
    return {"start": found.start(), "end": found.end()}


def from_draft(draft: dict[str, Any], text: str) -> dict[str, Any]:
    """A stored label from an annotator's draft: mentions found, claim clauses turned into offsets."""
    entities = []
    for entity in draft.get("entities", []):
        forms = [entity["name"], *entity.get("aliases", [])]
        entities.append({
            "name": entity["name"], "type": entity["type"], "aliases": list(entity.get("aliases", [])),
            "role": entity["role"], "mentions": entity_mentions(text, forms),
        })
    claims = []
    for claim in draft.get("claims", []):
        stored = {k: v for k, v in claim.items() if k not in ("text", "span")}
        stored["span"] = claim["span"] if "span" in claim else clause_span(text, claim.get("text") or "")
        claims.append(stored)
    return {"id": draft["id"], "entities": entities, "claims": claims,
            "relations": list(draft.get("relations", []))}


def to_gold(label: dict[str, Any], text: str) -> dict[str, Any]:
    """score.py's gold record for a stored label: title and claim texts filled in from ``text``."""
    title = text.split(TITLE_SEPARATOR, 1)[0]
    claims = []
    for claim in label.get("claims", []):
        span = claim["span"]
        joined = {k: v for k, v in claim.items() if k != "span"}
        joined["text"] = text[span["start"]:span["end"]]
        claims.append(joined)
    return {**label, "title": title, "claims": claims}


def write_gold(path: str | Path, labels: Iterable[dict[str, Any]], texts: dict[str, str]) -> None:
    """score.py's gold file of ``labels`` (see :func:`to_gold`), written atomically."""
    with atomic_open(path) as out:
        for label in labels:
            out.write(json.dumps(to_gold(label, texts[label["id"]]), ensure_ascii=False) + "\n")


def read_labels(paths: Iterable[str | Path]) -> Iterator[dict[str, Any]]:
    """Stored labels from JSON Lines files, in file order."""
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    try:
                        yield json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise LabelError(f"{path}:{number}: not JSON ({exc.msg})") from None


SPLITS = ("train", "tuning", "validation")


def split_of(paper_id: str) -> str:
    """The split a labelled paper belongs to, fixed by a hash of its id.

    - "validation" (a fifth): never trained on and never used to choose rules or
      models; the honest estimate of how kg reads papers nobody tuned on.
    - "tuning" (a tenth): not trained on; chooses the training epoch.
    - "train": the rest.
    """
    bucket = int(hashlib.sha1(paper_id.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "validation" if bucket in (0, 5) else "tuning" if bucket == 1 else "train"


def fold_of(paper_id: str, folds: int) -> int:
    """Which of ``folds`` parts of a split a paper falls in, by another part of its id's hash than
    ``split_of`` reads, so every fold holds papers of every split bucket alike (jackknifing)."""
    return int(hashlib.sha1(paper_id.encode("utf-8")).hexdigest()[8:16], 16) % folds


def flat_mentions(label: dict[str, Any]) -> list[tuple[int, int, str]]:
    """The label's mentions as non-overlapping (start, end, type) spans, the longer span winning,
    as a flat entity recogniser must learn them ("LLM inference" over its "LLM")."""
    spans = [(m["start"], m["end"], e["type"]) for e in label.get("entities", []) for m in e.get("mentions", [])]
    taken: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if not any(start < b and a < end for a, b, _ in taken):
            taken.append((start, end, kind))
    return sorted(taken)


def load_score_module(path: str | Path) -> ModuleType:
    """../shared/eval/score.py as a module, for its name matching (training scripts only)."""
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def proposed_match(score: ModuleType, gold_entities: Iterable[dict], found: Iterable[dict]) -> tuple[int, list, list]:
    """score.py's matching (any type) of the gold's proposed entities against ``found``, the entities a
    prediction calls proposed: true positives, unmatched found, unmatched gold."""
    proposed = [entity for entity in gold_entities if entity.get("role") == PROPOSED]
    return score.match(proposed, list(found), score.entity_same(False))

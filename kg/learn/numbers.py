"""Which numbers are results: the claim detector's features for one number in its sentence.

The rules (``kg_claims``) decide from units and cue words; the detector
(``kg.learn.linear``) reads the same number with their verdict as one feature
among the words around it, its unit, the verb that governs it, where its sentence
stands in the paper and whether that sentence reports a result, and keeps or
drops it. Trained by ``scripts/train_scorers.py``.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

NOT_CLAIM, CLAIM = "-", "claim"
OUTCOMES = (NOT_CLAIM, CLAIM)
WEIGHTS_FILE = Path(__file__).resolve().parent / "claims.json.gz"
# words of a sentence that reports a result, wherever they stand in it
RESULT_CUES = frozenset({"outperform", "improve", "achieve", "surpass", "reduce", "increase", "gain", "than",
                         "compare", "baseline", "state", "speedup", "boost", "exceed", "yield", "attain", "reach"})


def _word(token: Token) -> str:
    return token.lemma_.lower() if token.is_alpha else token.shape_


def number_features(sent: Span, whole: Span, unit: str | None, unit_class: str | None, rule_keep: bool,
                    verb: Token | None, in_title: bool, is_range: bool, sentence_place: tuple[int, int]) -> list[str]:
    """The features of one number (``whole``: the number and its unit as tokens) in ``sent``, the sentence at
    ``sentence_place`` (its place among the doc's sentences, and how many there are)."""
    doc = sent.doc
    before = [t for t in doc[max(sent.start, whole.start - 3):whole.start]]
    after = [t for t in doc[whole.end:min(sent.end, whole.end + 3)]]
    features = ["bias", f"rule:{int(rule_keep)}", f"unit:{unit}", f"class:{unit_class}", f"title:{int(in_title)}",
                f"range:{int(is_range)}", f"rule-class:{int(rule_keep)}:{unit_class}"]
    features += [f"b{i}:{_word(t)}" for i, t in enumerate(reversed(before), 1)]
    features += [f"a{i}:{_word(t)}" for i, t in enumerate(after, 1)]
    if before:
        features.append(f"b1-unit:{_word(before[-1])}:{unit_class}")
    if after:
        features.append(f"a1-unit:{_word(after[0])}:{unit_class}")
    features += [f"bag:{_word(t)}" for t in sent if t.is_alpha and not t.is_stop and abs(t.i - whole.start) <= 8]
    if verb is not None:
        features += [f"verb:{verb.lemma_.lower()}", f"verb-class:{verb.lemma_.lower()}:{unit_class}"]
    features.append(f"dep:{whole.root.dep_}:{whole.root.head.lemma_.lower()}")
    return features + sentence_features(sent, whole, unit_class, sentence_place)


def sentence_features(sent: Span, whole: Span, unit_class: str | None, sentence_place: tuple[int, int]) -> list[str]:
    """Where the number's sentence stands in the paper and what it says: results come late, beside "we",
    comparisons and other numbers; a number in brackets is often a comparison's other side."""
    doc = sent.doc
    place, count = sentence_place
    where = ("title" if place == 0 else "last" if place == count - 1
             else "late" if place >= count * 2 // 3 else "early")
    others = sum(1 for t in sent if t.like_num and not whole.start <= t.i < whole.end)
    lemmas = {t.lemma_.lower() for t in sent}
    before = doc[whole.start - 1].text if whole.start else ""
    after = doc[whole.end].text if whole.end < len(doc) else ""
    features = [f"sent-place:{where}", f"sent-place-class:{where}:{unit_class}", f"other-numbers:{min(others, 4)}",
                f"we:{int(bool(lemmas & {'we', 'our'}))}", f"bracketed:{int(before == '(' or after == ')')}",
                "decimal" if "." in whole[0].text else "integer"]
    return features + [f"sent-cue:{cue}" for cue in sorted(lemmas & RESULT_CUES)]

"""What makes two claims comparable: the canonical metric, which way is better, and the kind of number.

A claim as extracted keeps its metric as written ("GSM8K zero-shot accuracy",
"speed-up", "acc.") and its number with a unit. To rank claims across papers,
``comparable(claim)`` adds:

- ``canonical_metric``: the metric of ``tables/result_metrics.tsv`` the
  written metric names (the longest variant found in it, as whole words), or,
  for a claim whose metric is unnamed or only a change word ("improvement",
  "gain"), the one named right beside its number in the clause;
- ``better``: ``higher`` or ``lower``, the metric's direction (accuracy up;
  latency, WER, perplexity down);
- ``kind``: ``score`` (an absolute result: "accuracy of 92.3"), ``gain`` (a
  change against something: "+4.1 points", "by 16%", "2.2x") or ``budget`` (a
  size or resource: "up to 380K tokens", "7 GB");
- ``change``: for a gain, whether the metric went ``up`` or ``down``, so that
  "reduces latency by 40%" and "40% lower latency" are the same claim;
- ``reference``: whether the number is the other side of a comparison, what a
  result is measured against ("from 24.7% to 88.1%", "68.8% vs. 46.8%", "X
  reaches 72%, surpassing Y with 65%"): the extractor credits such a number to
  the claim's subject, but it is the baseline's, so leaderboards leave it out;
- ``doubt``: why the claim should not be ranked, or None: its subject names
  nothing ("LLMs", "our method" where the paper names none), it is a part of a
  method ("the retrieval module"), the score is under a special setting
  (attacked, filtered, a subset, degraded input, what is left after a drop), or
  the number counts another thing ("40% fewer LLM calls" beside an accuracy). Leaderboards leave such
  claims out unless asked for all (``tables/result_doubts.json``).

Pure text functions of the claim; nothing is converted (a percent stays a
percent, points stay points, a fraction stays a fraction).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.claim_cues import ClaimCues
from kg.numbers import RANGE_LEAD
from kg.records import Claim
from kg.tables import load_table, table_rows

METRIC_TABLE = "result_metrics.tsv"
DOUBT_TABLE = "result_doubts.json"
POINT_UNITS = frozenset({"points", "pp"})
# Units that measure a resource: with no metric that is compared, the number is a budget or a size.
RESOURCE_UNITS = frozenset({"tokens", "GB", "MB", "KB", "TB", "s", "ms", "min", "h", "K", "M", "B", "T"})
# How far from the number (characters within its clause) a cue or a metric name is read.
CUE_BEFORE, CUE_AFTER = 48, 48
# Words saying which way a change went; the nearest to the number wins. "Better" words ("improves",
# "outperforms") move a metric its better way: perplexity down, accuracy up.
UP_WORDS = (r"increas\w*|boost\w*|higher|more|faster|rais\w*|accelerat\w*|speed\w*|larger|greater|"
            r"enlarg\w*|extend\w*|grow\w*|rise\w*|rising")
DOWN_WORDS = (r"reduc\w*|lower\w*|fewer|less|decreas\w*|drop\w*|cut\w*|sav\w*|smaller|shrink\w*|"
              r"compress\w*|slash\w*|declin\w*|slower")
BETTER_WORDS = (r"improv\w*|outperform\w*|surpass\w*|better|beat\w*|exceed\w*|gain\w*|enhanc\w*|"
                r"advanc\w*")
# Where the words right after a number stop saying anything about it ("by 3% while reducing ...").
AFTER_STOP = frozenset("while and or but with on in of for than over to compared across at by from as "
                       "which that when whereas versus vs".split())
CHANGE_NOUNS = frozenset({"improvement", "improvements", "gain", "gains", "increase", "reduction",
                          "reductions", "decrease", "boost", "performance", "performance improvement",
                          "relative improvement", "relative improvements", "absolute improvement"})
CHANGE_CUE = re.compile(rf"\b(?:(?P<up>{UP_WORDS})|(?P<down>{DOWN_WORDS})|(?P<better>{BETTER_WORDS}))\b",
                        re.IGNORECASE)
# The words right after a number and its unit, where "40% lower" or "a 2x prefill speedup" say the change.
UNIT_WRITTEN = re.compile(r"^[\s$]*(?:%|\\%|points?|pp|times|-?fold)?")
WORDS_AFTER = 3
# "by 16%", "+4.1", "by at least 50%": how a change is written right before its number.
GAIN_BEFORE = re.compile(r"(?:\bby(?:\s+(?:up\s+to|over|about|nearly|at\s+least|more\s+than|roughly|around|"
                         r"approximately|almost|as\s+much\s+as|~))?|\bgain(?:s|ed|ing)?|\+)\s*\$?\s*$",
                         re.IGNORECASE)
# "by 3.1% and 2.4%", "by 2.1, 1.7 and 0.9 points": every number of a list after "by" is a change.
LISTED_AFTER_BY = re.compile(r"\bby\s*\$?\s*\+?[\d.]+(?:\s*(?:%|\\%|points?|pp|x))?\$?"
                             r"(?:\s*,\s*\+?[\d.]+(?:\s*(?:%|\\%|points?|pp|x))?\$?)*\s*,?\s*(?:and|or)\s*\$?\s*\+?$",
                             re.IGNORECASE)
# A word of a written metric that makes it a change ("accuracy improvement", "maximum accuracy gains").
CHANGE_WORD = re.compile(r"\b(?:improvements?|gains?|increases?|reductions?|decreases?|boosts?|drops?|"
                         r"speed-?ups?|savings?)\b", re.IGNORECASE)
# "from 24.7% to ...", "... vs. 46.8%", "compared to 51.6": the number a result is set against.
REFERENCE_BEFORE = re.compile(r"(?:\bfrom|\bvs\.?|\bversus|\bcompared\s+(?:to|with)|\bthan|\brelative\s+to|"
                              r"\bagainst)\s*(?:only\s+|just\s+)?\$?\s*$", re.IGNORECASE)
# "30.5->30.8", "19.6 $\rightarrow$ 21.2": the number before an arrow is where a change started.
ARROW_AFTER = re.compile(r"^\s*(?:%|\\%)?\s*\$?\s*(?:->|-->|\u2192|\u21d2|=>|\\rightarrow|\\to)\s*\$?\s*[-+]?\.?\d")
# "X reaches 72.1%, surpassing Y with 65.3%": after a first result, the one a beaten baseline reached.
BASELINE_WITH = re.compile(r",\s*(?:surpass|outperform|beat|exceed|overtak)\w*ing\s+[^,;]{1,60}?\s+"
                           r"(?:with|at|which\s+(?:achieves|scores|reaches|attains|gets))"
                           r"(?:\s+(?:an?|the|its)\s+[\w\s-]{1,30}?\s+of)?\s*(?:only\s+|just\s+)?\$?\s*$",
                           re.IGNORECASE)
CHANGE_TO = re.compile(r"^[^.;]{0,24}?\bto\s*\$?\s*[-+]?\.?\d", re.IGNORECASE)
GAIN_AFTER = re.compile(
    r"^\s*(?:%|\\%|points?|pp)?\s*(?:absolute\s+|relative\s+|average\s+|overall\s+)?"
    r"(?:improvements?|gains?|increases?|reductions?|decreases?|boosts?|higher|lower|better|fewer|less|more|"
    r"faster|slower|smaller|larger|speed-?ups?|drops?|relative|over|above|below)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Metric:
    name: str
    better: str  # higher | lower
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Comparable:
    canonical_metric: str | None
    better: str | None
    kind: str  # score | gain | budget
    change: str | None  # up | down, for a gain
    reference: bool = False  # the baseline's side of a comparison
    doubt: str | None = None  # why a leaderboard should not rank it

    def to_dict(self) -> dict[str, str | bool | None]:
        return {"canonical_metric": self.canonical_metric, "better": self.better, "kind": self.kind,
                "change": self.change, "reference": self.reference, "doubt": self.doubt}


@lru_cache(maxsize=1)
def metrics() -> tuple[Metric, ...]:
    return tuple(Metric(name, better, tuple(v.strip() for v in variants.split(",") if v.strip()))
                 for name, better, variants in table_rows(METRIC_TABLE))


@lru_cache(maxsize=1)
def _variant_pattern() -> tuple[re.Pattern, dict[str, Metric]]:
    by_variant = {v: m for m in metrics() for v in m.variants}
    alternatives = "|".join(re.escape(v) for v in sorted(by_variant, key=len, reverse=True))
    # Whole words: a variant is not part of a longer word ("acc" in "accuracy", "em" in "them").
    return re.compile(rf"(?<![\w@-])(?:{alternatives})(?![\w@]|-(?=\w))", re.IGNORECASE), by_variant


def metric_named(text: str | None) -> Metric | None:
    """The canonical metric a written metric names: its longest variant, the last one on a tie."""
    if not text:
        return None
    pattern, by_variant = _variant_pattern()
    found = [m.group(0).lower() for m in pattern.finditer(text)]
    if not found:
        return None
    longest = max(len(f) for f in found)
    return by_variant[[f for f in found if len(f) == longest][-1]]


def _near_number(claim: Claim) -> tuple[str, str]:
    """The clause's words just before and just after the claim's number (and its unit)."""
    start, end = claim.start - claim.text_start, claim.end - claim.text_start
    return claim.text[max(0, start - CUE_BEFORE):max(0, start)], claim.text[end:end + CUE_AFTER]


def _metric_beside(before: str, after: str) -> Metric | None:
    """A metric named right after the number ("2.2x speedup", "3% accuracy") or right before it."""
    named_after = metric_named(re.split(r"[,;:()]|\b(?:and|while|with|than|over|compared)\b", after)[0])
    if named_after is not None:
        return named_after
    return metric_named(re.split(r"[,;:()]|\b(?:and|while|which)\b", before)[-1])


def _direction_of(cue: re.Match, better: str | None) -> str:
    if cue.group("up"):
        return "up"
    if cue.group("down"):
        return "down"
    return "down" if better == "lower" else "up"


def _change(before: str, after: str, better: str | None) -> str | None:
    """Which way a change went: a cue word right after the number and its unit ("40% lower", "a 4x
    reduction"), else the last one before it ("reduces latency by 40%")."""
    for word in re.findall(r"[\w-]+|[^\w\s-]", after[UNIT_WRITTEN.match(after).end():])[:WORDS_AFTER]:
        if word.lower() in AFTER_STOP or not word[0].isalpha():
            break
        cue = CHANGE_CUE.fullmatch(word)
        if cue:
            return _direction_of(cue, better)
    cues = list(CHANGE_CUE.finditer(before))
    return _direction_of(cues[-1], better) if cues else None


def _is_gain(claim: Claim, before: str, after: str) -> bool:
    if claim.unit in POINT_UNITS or claim.unit == "x":
        return True
    if (claim.metric or "").lower() in CHANGE_NOUNS or CHANGE_WORD.search(claim.metric or ""):
        return True
    return bool(GAIN_BEFORE.search(before) or GAIN_AFTER.match(after) or LISTED_AFTER_BY.search(before))


def _is_reference(prior: str, before: str, after: str) -> bool:
    """The number a result is set against: the start of "from X to Y" or "X->Y", after "vs.", "than",
    "compared to", or a beaten baseline's ("..., surpassing Y with 65.3%") after a first result."""
    if ARROW_AFTER.match(after):
        return True
    beaten = BASELINE_WITH.search(prior)
    if beaten is not None and re.search(r"\d", prior[:beaten.start()]) and not GAIN_AFTER.match(after):
        return True
    found = REFERENCE_BEFORE.search(before)
    if found is None or RANGE_LEAD.search(before):
        return False
    return not found.group(0).lower().startswith("from") or bool(CHANGE_TO.match(after))


@dataclass(frozen=True)
class DoubtCues:
    generic: frozenset[str]  # subjects that name nothing
    common: frozenset[str]  # words that name nothing when written as words ("Accuracy"), not as a name ("TRACE")
    generic_heads: frozenset[str]  # "LLM-enhanced algorithm": a description, not a name
    settings: re.Pattern
    components: frozenset[str]


@lru_cache(maxsize=1)
def _doubt_cues() -> DoubtCues:
    table, claim_cues = load_table(DOUBT_TABLE), ClaimCues.load()
    settings = "|".join(re.escape(w) for w in table["special_settings"])
    common = frozenset(row[0] for row in table_rows("common_words.tsv"))
    return DoubtCues(frozenset(table["generic_subjects"]), common, claim_cues.generic_subject_heads,
                     re.compile(rf"(?<![\w-])(?:{settings})(?![\w-])", re.IGNORECASE),
                     claim_cues.component_heads)


# "accuracy drops from 43.7% to 38.6%": the score a degraded setting left.
AFTER_DROP = re.compile(r"\b(?:drop|fall|fell|decreas|degrad|declin|plummet|collaps|deteriorat)\w*\b[^;]{0,40}?"
                        r"\bto\s*\$?\s*$", re.IGNORECASE)


# "33% fewer LLM calls": the words after a number that say it counts something else than the metric.
OTHER_COUNT = re.compile(r"^\s*(?:%|\\%|x|times|-?fold)?\s*(?:fewer|less|more)\s+(?P<what>[^,;.()]{1,40})",
                         re.IGNORECASE)


def doubt(claim: Claim, metric: Metric | None, before: str, after: str) -> str | None:
    """Why the claim should stay off a leaderboard (see the module's docstring), or None."""
    cues = _doubt_cues()
    subject = (claim.subject or "").strip()
    last = subject.split()[-1] if subject else ""
    if subject and last.lower() in cues.components:
        return "a part of a method"
    # "Accuracy", "Experiments": a capital that only starts a sentence names nothing either
    as_word = subject.lower() in cues.common and subject[1:] == subject[1:].lower()
    unnamed = not any(c.isupper() or c.isdigit() for c in subject)
    described = len(subject.split()) > 1 and last.lower() == last and last in cues.generic_heads
    if not subject or subject.lower() in cues.generic or as_word or unnamed or described:
        return "unnamed subject"
    setting = cues.settings.search(claim.text)
    if setting is not None and not (metric is not None and setting.group(0).lower() in metric.name.lower()):
        return f"special setting ({setting.group(0).lower()})"
    if AFTER_DROP.search(before) and (metric is None or metric.better == "higher"):
        return "special setting (after a drop)"
    other = OTHER_COUNT.match(after)
    if other is not None and metric is not None:
        what = re.split(r"\b(?:" + "|".join(sorted(AFTER_STOP)) + r")\b", other.group("what"))[0]
        if metric_named(what) is not metric:
            return "counts another thing"
    return None


def comparable(claim: Claim) -> Comparable:
    """The canonical metric, its direction, the kind of number, for a gain its change, whether the number is a
    reference, and any doubt."""
    before, after = _near_number(claim)
    reference = _is_reference(claim.text[:max(0, claim.start - claim.text_start)], before, after)
    metric = metric_named(claim.metric)
    if metric is None and (claim.metric is None or claim.metric.lower() in CHANGE_NOUNS):
        metric = _metric_beside(before, after)
    doubted = doubt(claim, metric, before, after)
    if _is_gain(claim, before, after):
        change = _change(before, after, metric.better if metric else None) or ("up" if claim.unit == "x" else None)
        if metric is not None and metric.name == "speedup":
            change = "up"
        return Comparable(metric.name if metric else None, metric.better if metric else None, "gain", change,
                          reference, doubted)
    if metric is None and claim.unit in RESOURCE_UNITS:
        return Comparable(None, None, "budget", None, reference, doubted)
    return Comparable(metric.name if metric else None, metric.better if metric else None, "score", None, reference,
                      doubted)


def improves(row_better: str | None, change: str | None) -> bool | None:
    """Whether a gain made things better: up on a higher-is-better metric, down on a lower-is-better one."""
    if row_better is None or change is None:
        return None
    return (row_better == "higher") == (change == "up")

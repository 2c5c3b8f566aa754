"""Numbers as written in abstracts: where they are, their value and the unit after them.

Pure text functions, no spaCy: ``find_numbers(text)`` yields every ``NumberMention``
(digits, decimals, thousands separators, K/M/B scales, ranges such as
"2.3-3.6x" or "24%-30%", and spelled-out multiples such as "three times" or
"twofold") with the unit that follows it, normalised through the
``claim_units.json`` table. Deciding which numbers are results is kg_claims' job.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kg.tables import load_table

DIGITS = r"(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|\.\d+"
SCALE = r"[KMBTk](?![A-Za-z0-9])"
DASHES = r"(?:-{1,3}|\u2013|\u2014|\u2212|~|\\sim)"
# What may stand between the two ends of a range as written: spaces, "%", "%p", "x" and LaTeX's "$\times$".
RANGE_MARKS = r"(?:\s|\$|\\times|\\?%p?|[x\u00d7+])*"  # "+5.11 to +6.82": a sign is a mark too
RANGE_WRITTEN = re.compile(  # "and" as in "between 92% and 100%"
    rf"^(?P<a>{DIGITS})(?P<as>{SCALE})?{RANGE_MARKS}(?P<join>to|and|{DASHES})"
    rf"{RANGE_MARKS}(?P<b>{DIGITS})(?P<bs>{SCALE})?{RANGE_MARKS}$")
# A number glued to a name ("Llama-2-7B", "V2/V3", "GPT-4") is part of the name.
NAME_JOINERS = "-/._"
# Units that are words too stick to their number ("2.2x", "16s", "13.6h", "3.09us" but not "for 3 us");
# other units may stand apart.
GLUED_UNITS = frozenset({"x", "X", "s", "h", "us"})
# "from 70% to 78%" (also "from baselines of 24.70% to 49.30%", "from approximately 49% to 93.4%") is a change,
# two numbers; "ranging from 1.3% to 51.8%" is one range.
CHANGE_FROM = re.compile(r"\bfrom(?:\s+[A-Za-z]+){0,3}\s*\$?\s*$", re.IGNORECASE)
RANGE_LEAD = re.compile(r"\b(?:rang(?:e|es|ed|ing)|var(?:y|ies|ied|ying))\s+from\s*\$?\s*$", re.IGNORECASE)
# "1000x1000", "2xA100": an x between numbers or letters is not a multiple; nor is one before a number
# however spaced ("a 4$\times$4 grid", "512 × 512 images"): a size.
GLUED_AFTER = re.compile(r"[A-Za-z0-9_]")
MULTIPLE_DASH = re.compile(r"(?:^|[\s($])\d+(?:\.\d+)?\s*[x\u00d7]\s*[-\u2013]$")
DIMENSION_AFTER = re.compile(r"[\s$]*\d")
# "2.2 times 10^{15}", "3\times10^5": scientific notation, not a multiple; its base and exponent
# are not numbers of their own either.
SCIENTIFIC = re.compile(r"\s*\$?\s*(?:\\times|\u00d7|x|times|\*)\s*\$?\s*\{?\s*10\s*\^")
# "$\\approx10$x", "$\\sim5$", "($\\uparrow2.31\\%$)": a TeX relation or arrow written right before a number is
# no name glued to it.
TEX_RELATIONS = ("approx", "sim", "le", "leq", "ge", "geq", "uparrow", "downarrow", "rightarrow")
TEX_COMMAND = re.compile(rf"\\(?:{'|'.join(TEX_RELATIONS)})\s*$")
AFTER_TEX_RELATION = "".join(rf"|(?<=\\{command})" for command in TEX_RELATIONS)  # lookbehinds of one width each
POWER = re.compile(r"^\s*\^|\^\s*\{?\s*-?$")
# "1/6 of the cost", "7/9 datasets": a fraction of whole numbers is one value; not a date or a list's
# next entry ("1/2/3", "3/4.5").
FRACTION = re.compile(r"/(\d+)(?![\w/]|\.\d)")
# A minus right before a number, after a space, a bracket, "=" or ":" (not a name's hyphen, not a range's
# dash as in "1.36$\times$-1.77$\times$") makes it negative: "r = -0.51", "(up to -6.87 FKGL points)".
NEGATIVE = re.compile(r"(?:^|[\s(\[=:])[-\u2212]$")


@dataclass(frozen=True)
class NumberMention:
    """One number in the text; ``text[start:end]`` is ``value`` plus any unit marks inside a range."""

    value: str
    start: int
    end: int
    low: float
    high: float
    unit: str | None = None
    unit_class: str | None = None  # result | rate | measure | count (a bare K/M/B scale)
    unit_end: int = -1  # end of the unit as written (== end when there is none)
    spelled: bool = False


@lru_cache(maxsize=1)
def _units() -> tuple[dict[str, tuple[str, str]], dict[str, float]]:
    table = load_table("claim_units.json")
    return {k: tuple(v) for k, v in table["units"].items()}, table["scales"]


@lru_cache(maxsize=1)
def _number_pattern() -> re.Pattern:
    return re.compile(
        # the look-ahead first: the look-behinds are tried only where a number can start (5x faster)
        rf"(?=[\d.])(?:(?<![\w.,]){AFTER_TEX_RELATION})(?P<a>{DIGITS})(?P<as>{SCALE})?"
        rf"(?:(?P<mid>(?:\s*\\?%)?\s*{DASHES}\s*)(?P<b>{DIGITS})(?P<bs>{SCALE})?)?"
    )


@lru_cache(maxsize=1)
def _unit_pattern() -> re.Pattern:
    forms = sorted(_units()[0], key=len, reverse=True)
    alternatives = []
    for form in forms:
        escaped = re.escape(form)
        # Word-like units end at a word boundary ("5 s" but not "5 steps"); symbols need none.
        tail = r"(?![A-Za-z0-9])" if form[-1].isalnum() else ""
        gap = "" if form in GLUED_UNITS else r"\s?"
        alternatives.append(f"{gap}(?P<u{len(alternatives)}>{escaped}){tail}")
    return re.compile("|".join(alternatives))


@lru_cache(maxsize=1)
def _spelled_pattern() -> re.Pattern:
    words = sorted(load_table("claim_spelled_numbers.json")["numbers"], key=len, reverse=True)
    alternatives = "|".join(re.escape(w) for w in words)
    return re.compile(
        rf"\b(?P<word>{alternatives})(?P<unit>-?fold\b|\s+times\b)", re.IGNORECASE
    )


def _to_float(digits: str, scale: str | None) -> float:
    number = float(digits.replace(",", ""))
    return number * _units()[1].get(scale, 1.0) if scale else number


def _glued_to_name(text: str, start: int, previous: NumberMention | None = None) -> bool:
    if start == 0:
        return False
    before = text[start - 1]
    if TEX_COMMAND.search(text, max(0, start - 8), start):
        return False
    if before.isalnum() or before == "_":
        return True
    unmathed = text[max(0, start - 12):start].rstrip("${}")  # "GPT-$3.5$": TeX's marks say nothing
    if unmathed.endswith("@"):
        return True  # "Hit@1", "MRR$\texttt{@}$5": a metric's cut-off, not a value
    if MULTIPLE_DASH.search(unmathed):
        return False  # "6.7x-12.6x": the second end of a range of multiples, not a name's part
    if before == "/" and previous is not None and previous.unit_end == start - 1 and (
            "." in previous.value or previous.unit is not None):
        return False  # "65.9/57.0/61.0 ROUGE-1/-2/-L", "1.27%/3.5%": a list of values, one per metric
    return len(unmathed) >= 2 and unmathed[-1] in NAME_JOINERS and unmathed[-2].isalnum()


def _unit_after(text: str, pos: int) -> tuple[str | None, str | None, int]:
    if text.startswith("+", pos):
        pos += 1  # "90+%"
    match = _unit_pattern().match(text, pos)
    if match is None:
        return None, None, pos - (text.startswith("+", pos - 1) and pos > 0)
    form = next(v for k, v in match.groupdict().items() if v is not None)
    unit, unit_class = _units()[0][form]
    end = match.end()
    if unit == "x" and form in ("x", "X") and end < len(text) and GLUED_AFTER.match(text[end]):
        return None, None, pos
    if unit == "x" and DIMENSION_AFTER.match(text, end):
        return None, None, pos
    return unit, unit_class, end


def find_numbers(text: str) -> list[NumberMention]:
    """Every number in ``text`` that stands on its own, in order, with its unit."""
    found: list[NumberMention] = []
    for match in _number_pattern().finditer(text):
        start = match.start("a")
        if _glued_to_name(text, start, found[-1] if found else None):
            continue
        end = match.end()
        if SCIENTIFIC.match(text, end) or POWER.match(text[end:end + 2]) or POWER.search(text[max(0, start - 4):start]):
            continue
        a_scale, b_scale = match.group("as"), match.group("bs")
        fraction = _fraction(text, match)
        if fraction is not None:
            found.append(fraction)
            continue
        low = _to_float(match.group("a"), a_scale)
        high = _to_float(match.group("b"), b_scale) if match.group("b") else low
        if match.group("b") and high < low and not b_scale:
            # "5-3" is not a range; keep the first number only.
            end, high = match.end("as") if a_scale else match.end("a"), low
        unit, unit_class, unit_end = _unit_after(text, end)
        scale = b_scale if match.group("b") and end == match.end() else a_scale
        if unit is None:
            if end < len(text) and text[end].isalpha():
                continue  # "3D", "5th", "4o": a label, not a number
            if scale:
                unit, unit_class = scale, "count"
        value = as_value(text[start:end])
        if not match.group("b") and NEGATIVE.search(text, max(0, start - 2), start):
            start, value, low, high = start - 1, f"-{value}", -low, -high  # "r = -0.51", "(up to -6.87 points"
        found.append(NumberMention(value, start, end, min(low, high), max(low, high),
                                   unit, unit_class, unit_end if unit_end > end else end))
    for match in _spelled_pattern().finditer(text):
        word = match.group("word")
        number = float(load_table("claim_spelled_numbers.json")["numbers"][word.lower()])
        start, end = match.start("word"), match.end("word")
        found.append(NumberMention(word, start, end, number, number, "x", "result", match.end(), spelled=True))
    found.sort(key=lambda m: m.start)
    return found


def _fraction(text: str, match: re.Match) -> NumberMention | None:
    """"1/6", "0/6" as one mention whose value is the quotient; None where the number is no fraction's numerator."""
    numerator = match.group("a")
    if match.group("b") or match.group("as") or not numerator.isdigit():
        return None
    after = FRACTION.match(text, match.end())
    if after is None or int(after.group(1)) == 0 or text[max(0, match.start() - 1):match.start()] == "/":
        return None
    quotient = int(numerator) / int(after.group(1))
    return NumberMention(text[match.start():after.end()], match.start(), after.end(), quotient, quotient,
                         unit_end=after.end())


def as_value(written: str) -> str:
    """The value of a number as written: a range's unit marks, spacing and joining word dropped, its ends
    joined by one hyphen as GUIDELINES writes "2.3-3.6" ("24%-30%", "80--92", "8% to 54", "10\u201320",
    "1\\sim2" -> "24-30", "80-92", "8-54", "10-20", "1-2"); a single number is unchanged."""
    joined = RANGE_WRITTEN.match(written)
    if joined is None:
        return written
    return f"{joined['a']}{joined['as'] or ''}-{joined['b']}{joined['bs'] or ''}"


def parse_value(value: str) -> tuple[float, float] | None:
    """The (low, high) a value string as written stands for; None when it holds no number."""
    spelled = load_table("claim_spelled_numbers.json")["numbers"].get(value.lower())
    if spelled is not None:
        return float(spelled), float(spelled)
    mentions = find_numbers(value)
    if not mentions:
        return None
    return min(m.low for m in mentions), max(m.high for m in mentions)

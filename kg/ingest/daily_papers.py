"""Hugging Face Daily Papers listings copied as text: a title line, then its
abstract line, with page chrome around them (and sometimes glued to a title).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from kg.ingest.fields import collapse
from kg.ingest.problems import InputProblem
from kg.records import Paper, title_id

# Found across the saved pages in ../shared/seeds/, as the page writes them.
CHROME = (
    "new",
    "Get trending papers in your email inbox!",
    "Get trending papers in your email inbox once a day!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
)
_CHROME_LINES = frozenset(phrase.casefold() for phrase in CHROME)
_DATE_LINE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:, \d{4})?"
)
# Copying a page can drop the line break after a button: "SubscribeDolma: an Open Corpus ...".
_GLUED_CHROME = re.compile("^(?:" + "|".join(map(re.escape, CHROME)) + r")+(?=[A-Z0-9])")
ABSTRACT_MIN_WORDS = 20


def content_line(line: str) -> str:
    """``line`` without whitespace and page chrome; empty when it is all chrome."""
    text = collapse(line)
    if text.casefold() in _CHROME_LINES or _DATE_LINE.fullmatch(text):
        return ""
    return _GLUED_CHROME.sub("", text, count=1)


def is_abstract_of(line: str, title: str) -> bool:
    """Whether ``line`` reads as the abstract under ``title``: prose, and far longer."""
    return len(line.split()) >= ABSTRACT_MIN_WORDS and len(line) >= 2 * len(title)


def _skipped(path: str, lines: list[int]) -> InputProblem:
    count = f"{len(lines)} line" + ("s" if len(lines) > 1 else "")
    return InputProblem(path, lines[0], f"skipped {count}: not a title followed by its abstract")


def read_daily_papers(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """Every title + abstract pair of a Daily Papers listing; ``source`` is the title's line."""
    title: tuple[int, str] | None = None
    skipped: list[int] = []
    for number, raw in enumerate(stream, start=1):
        line = content_line(raw)
        if not line:
            continue
        if title and is_abstract_of(line, title[1]):
            if skipped:
                yield _skipped(path, skipped)
                skipped = []
            title_line, title_text = title
            yield Paper(
                id=title_id(title_text),
                title=title_text,
                abstract=line,
                source=f"{path}:{title_line}",
            )
            title = None
        else:
            if title:
                skipped.append(title[0])
            title = (number, line)
    if title:
        skipped.append(title[0])
    if skipped:
        yield _skipped(path, skipped)

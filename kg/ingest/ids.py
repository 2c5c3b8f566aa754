"""Paper ids: a given id, else an arXiv id found in the record, else a hash of the title
(or of the text, for a paper without one)."""
from __future__ import annotations

import hashlib
import re

from kg.records import normalise_title, title_id

_NEW_STYLE = r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"  # 2401.10774
_OLD_STYLE = r"[a-z][a-z-]*(?:\.[A-Z]{2})?/\d{7}"  # hep-th/9901001, math.GT/0309136
_ID = rf"({_NEW_STYLE}|{_OLD_STYLE})(?:v\d+)?"
_BARE_ID = re.compile(rf"(?:arxiv:)?{_ID}", re.IGNORECASE)
_URL_ID = re.compile(rf"arxiv\.org/(?:abs|pdf|html)/{_ID}", re.IGNORECASE)


def arxiv_id(text: str) -> str | None:
    """The versionless arXiv id that ``text`` is (``arXiv:2401.10774v2``) or links to."""
    text = text.strip()
    match = _BARE_ID.fullmatch(text) or _URL_ID.search(text)
    return match.group(1) if match else None


def arxiv_url(paper_id: str) -> str:
    return f"https://arxiv.org/abs/{paper_id}"


def text_id(text: str) -> str:
    """Stable id for an untitled paper that has none: a hash of its normalised text."""
    return "a-" + hashlib.sha1(normalise_title(text).encode("utf-8")).hexdigest()[:16]


def paper_id(given: str | None, url: str | None, title: str, abstract: str = "") -> str:
    """The id of a paper: ``given`` (as its arXiv id when it is one), else the arXiv id
    ``url`` links to, else a hash of the normalised title, or of the abstract when
    the title has no word."""
    if given:
        return arxiv_id(given) or given
    return (url and arxiv_id(url)) or (title_id(title) if normalise_title(title) else text_id(abstract))

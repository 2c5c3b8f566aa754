"""From a record's named fields (JSON object, CSV row, Atom entry) to a Paper.

Field names are matched case-insensitively; those of the arXiv metadata
snapshot (``id, title, abstract, authors, authors_parsed, categories,
versions, update_date``) and of the arXiv API (``summary, published``) work
as they are. The title is optional: a record with only an abstract (or a
``text``) is a paper whose title is empty.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any

from kg.ingest.ids import arxiv_id, arxiv_url, paper_id
from kg.ingest.problems import InputProblem
from kg.records import Paper

ID_FIELDS = ("id", "arxiv_id")
TITLE_FIELDS = ("title",)
ABSTRACT_FIELDS = ("abstract", "summary", "text")
URL_FIELDS = ("url", "link")
CATEGORY_FIELDS = ("categories", "category")
NO_ABSTRACT = f"no abstract (looked for {', '.join(ABSTRACT_FIELDS)})"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_AUTHOR_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*;\s*")
# Between the names of a list whose names may hold a comma themselves ("Smith, John and Doe, Jane").
_NAME_SEPARATOR = re.compile(r"\s*;\s*|\s+and\s+")


def collapse(text: str) -> str:
    """``text`` with every run of whitespace (arXiv's line breaks too) made one space."""
    return " ".join(text.split())


def field_text(fields: Mapping[str, Any], names: tuple[str, ...]) -> str:
    """The first of ``names`` holding a non-empty string or number, as text."""
    for name in names:
        value = fields.get(name)
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def iso_date(text: str) -> str:
    """``YYYY-MM-DD`` for an ISO or RFC 2822 date (arXiv ``versions``), else ``text``."""
    match = _ISO_DATE.match(text)
    try:
        if match:
            return date(*map(int, match.groups())).isoformat()
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError):
        return text


def _date_candidates(fields: Mapping[str, Any]) -> Iterator[str]:
    yield field_text(fields, ("date", "published"))
    versions = fields.get("versions")
    # The snapshot's first version is the submission date; update_date is the last change.
    if isinstance(versions, list) and versions and isinstance(versions[0], Mapping):
        yield field_text(versions[0], ("created",))
    yield field_text(fields, ("update_date", "updated"))


def record_date(fields: Mapping[str, Any]) -> str | None:
    text = next((candidate for candidate in _date_candidates(fields) if candidate), "")
    return iso_date(text) if text else None


def _parsed_name(parts: list[Any]) -> str:
    """``"First Last Suffix"`` from the snapshot's ``[last, first, suffix]``."""
    last, first, suffix = [*map(str, parts), "", ""][:3]
    return collapse(f"{first} {last} {suffix}")


def _last_first(name: str) -> tuple[str, str] | None:
    """``("Smith", "John")`` for ``"Smith, John"``; None for a name without exactly one comma."""
    last, comma, first = name.partition(",")
    if not (comma and last.strip() and first.strip()) or "," in first:
        return None
    return last, first


def split_authors(text: str) -> tuple[str, ...]:
    """``"A, B and C"`` -> ``("A", "B", "C")``; names written "Last, First" become
    "First Last", as the arXiv snapshot's parsed names do.

    A list is read as "Last, First" names when every name between its "and"s (or
    semicolons) holds one comma; a list of one name only when its last name is one
    word, since "Ada Lovelace, Alan Turing" is two names.

    >>> split_authors("Smith, John and Doe, Jane")
    ('John Smith', 'Jane Doe')
    >>> split_authors("Ada Lovelace, Alan Turing, and Grace Hopper")
    ('Ada Lovelace', 'Alan Turing', 'Grace Hopper')
    """
    names = [name.strip(" ,") for name in _NAME_SEPARATOR.split(text) if name.strip(" ,")]
    inverted = [_last_first(name) for name in names]
    if names and all(inverted) and (len(names) > 1 or len(inverted[0][0].split()) == 1):
        return tuple(collapse(f"{first} {last}") for last, first in inverted)
    return tuple(name for name in map(collapse, _AUTHOR_SEPARATOR.split(text)) if name)


def author_names(fields: Mapping[str, Any]) -> tuple[str, ...]:
    parsed = fields.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(p, list) and p for p in parsed):
        return tuple(_parsed_name(parts) for parts in parsed)
    authors = fields.get("authors", fields.get("author"))
    if isinstance(authors, str):
        return split_authors(authors)
    if isinstance(authors, list):
        names = (a.get("name") if isinstance(a, Mapping) else a for a in authors)
        return tuple(collapse(name) for name in names if isinstance(name, str) and name.strip())
    return ()


def categories(fields: Mapping[str, Any]) -> tuple[str, ...]:
    value = next((fields[name] for name in CATEGORY_FIELDS if fields.get(name)), ())
    if isinstance(value, str):
        return tuple(name for name in re.split(r"[\s,;]+", value) if name)
    if isinstance(value, list):
        return tuple(str(item).strip() for item in value if str(item).strip())
    return ()


def paper_from_fields(fields: Mapping[str, Any], path: str, line: int) -> Paper | InputProblem:
    """The Paper a record describes (its title may be empty), or the problem that it has no abstract."""
    fields = {str(name).strip().lower(): value for name, value in fields.items()}
    title = collapse(field_text(fields, TITLE_FIELDS))
    abstract = collapse(field_text(fields, ABSTRACT_FIELDS))
    if not abstract:
        return InputProblem(path, line, NO_ABSTRACT)
    url = field_text(fields, URL_FIELDS) or None
    identifier = paper_id(field_text(fields, ID_FIELDS), url, title, abstract)
    if url is None and arxiv_id(identifier) == identifier:
        url = arxiv_url(identifier)
    return Paper(
        id=identifier,
        title=title,
        abstract=abstract,
        date=record_date(fields),
        authors=author_names(fields),
        categories=categories(fields),
        url=url,
        source=f"{path}:{line}",
    )

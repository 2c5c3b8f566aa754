"""Atom feeds as the arXiv API returns them: one paper per ``<entry>``.

Elements are matched by local name, so the Atom namespace may be present or not.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree import ElementTree

from kg.ingest.fields import collapse, paper_from_fields
from kg.ingest.problems import InputProblem
from kg.records import Paper

_TEXT_ELEMENTS = ("id", "title", "summary", "published", "updated")


def local_name(tag: str) -> str:
    """``entry`` for ``{http://www.w3.org/2005/Atom}entry``."""
    return tag.rpartition("}")[2]


def entry_fields(entry: ElementTree.Element) -> dict[str, Any]:
    """The fields of an ``<entry>``, named as ``paper_from_fields`` reads them."""
    fields: dict[str, Any] = {"authors": [], "categories": []}
    for child in entry:
        name = local_name(child.tag)
        if name in _TEXT_ELEMENTS:
            fields.setdefault(name, "".join(child.itertext()))
        elif name == "author":
            fields["authors"].extend(
                "".join(part.itertext()) for part in child if local_name(part.tag) == "name"
            )
        elif name == "category" and child.get("term"):
            fields["categories"].append(child.get("term"))
        elif name == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
            fields.setdefault("url", child.get("href"))
    return fields


def paper_from_entry(entry: ElementTree.Element, path: str, line: int) -> Paper | InputProblem:
    fields = entry_fields(entry)
    # The arXiv API reports a bad query as an entry whose id is an errors URL.
    if "/api/errors" in fields.get("id", ""):
        return InputProblem(path, line, f"arXiv API error: {collapse(fields.get('summary', ''))}")
    return paper_from_fields(fields, path, line)


def read_atom(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """Every ``<entry>`` of an Atom feed, as the lines arrive; ``source`` is its start line.
    Malformed XML is reported and ends the file, after the entries before it."""
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    start_line = 0
    entries = 0
    number = 0
    try:
        for number, line in enumerate(stream, start=1):
            parser.feed(line)
            for event, element in parser.read_events():
                if local_name(element.tag) != "entry":
                    continue
                if event == "start":
                    start_line = number
                    continue
                entries += 1
                yield paper_from_entry(element, path, start_line)
                element.clear()
        parser.close()
    except ElementTree.ParseError as error:
        yield InputProblem(path, error.position[0], f"malformed XML: {error}")
        return
    if not entries:
        yield InputProblem(path, None, "no <entry> elements in this XML")

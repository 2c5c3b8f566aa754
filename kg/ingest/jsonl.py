"""JSON Lines (one record a line) and JSON documents (an array of records, or
records one after another), both read record by record.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from kg.ingest.fields import paper_from_fields
from kg.ingest.problems import InputProblem
from kg.records import Paper

# Floats as written, so a numeric id such as 2401.10770 keeps its trailing zero.
_DECODER = json.JSONDecoder(parse_float=str)
_SPACE = re.compile(r"\s*")


def paper_from_value(value: Any, path: str, line: int) -> Paper | InputProblem:
    if not isinstance(value, dict):
        return InputProblem(path, line, f"expected a JSON object, found {type(value).__name__}")
    return paper_from_fields(value, path, line)


def read_json_lines(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """One record per line; a malformed line is reported and the next one read."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            value = _DECODER.decode(line)
        except json.JSONDecodeError as error:
            yield InputProblem(path, number, f"malformed JSON: {error.msg} (column {error.colno})")
            continue
        yield paper_from_value(value, path, number)


class _TextWindow:
    """The unread part of a stream of lines, extended a line at a time on demand."""

    def __init__(self, stream: Iterable[str]) -> None:
        self._lines = iter(stream)
        self.text = ""
        self.pos = 0
        self._line = 1  # line number of text[self._counted]
        self._counted = 0

    def line_at(self, pos: int) -> int:
        """Line number of ``text[pos]``; ``pos`` never goes backwards between calls."""
        self._line += self.text.count("\n", self._counted, pos)
        self._counted = pos
        return self._line

    def _extend(self) -> bool:
        line = next(self._lines, None)
        if line is None:
            return False
        self.line_at(self.pos)
        self.text = self.text[self.pos :] + line
        self.pos = self._counted = 0
        return True

    def peek(self) -> str | None:
        """The next non-space character, or None at the end of the stream."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._extend():
                return None

    def error(self, message: str, pos: int) -> json.JSONDecodeError:
        """A decode error at ``text[pos]`` whose ``lineno`` counts from the stream's start."""
        error = json.JSONDecodeError(message, self.text, pos)
        error.lineno = self.line_at(pos)
        return error

    def decode(self) -> Any:
        """The JSON value at the next character; raises when it is malformed or cut off."""
        self.peek()
        while True:
            try:
                value, self.pos = _DECODER.raw_decode(self.text, self.pos)
                return value
            except json.JSONDecodeError as error:
                # No JSON token spans lines, so only a value cut at the end of the text
                # can be completed by the next line; anything else is malformed for good.
                if error.pos < len(self.text) or not self._extend():
                    raise self.error(error.msg, error.pos) from None


def _values(window: _TextWindow) -> Iterator[tuple[int, Any]]:
    """(line, value) for each item of an array, or each of the values one after another."""
    in_array = window.peek() == "["
    if in_array:
        window.pos += 1
    while (found := window.peek()) != ("]" if in_array else None):
        if found is None:
            raise window.error("JSON array not closed", window.pos)
        yield window.line_at(window.pos), window.decode()
        if in_array:
            after = window.peek()
            if after == ",":
                window.pos += 1
            elif after not in ("]", None):
                raise window.error("expected ',' or ']' in JSON array", window.pos)


def read_json_document(path: str, stream: Iterable[str]) -> Iterator[Paper | InputProblem]:
    """An array of records, streamed item by item, or records one after another;
    reading stops at the first malformed or cut-off value."""
    try:
        for line, value in _values(_TextWindow(stream)):
            yield paper_from_value(value, path, line)
    except json.JSONDecodeError as error:
        message = f"malformed or cut-off JSON: {error.msg} (column {error.colno})"
        yield InputProblem(path, error.lineno, message)

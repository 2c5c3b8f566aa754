"""Which reader a file needs: from its name, else from its first line."""
from __future__ import annotations

from kg.ingest.csv_reader import is_csv_header

EXTENSION_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "atom",
    ".atom": "atom",
    ".csv": "csv",
    ".txt": "daily",
    ".md": "daily",
}
_JSON_FORMATS = ("json", "jsonl")


def format_from_name(name: str) -> str | None:
    """The format an extension names (``.gz`` looked through), or None."""
    stem = name.lower().removesuffix(".gz")
    return next((fmt for ext, fmt in EXTENSION_FORMATS.items() if stem.endswith(ext)), None)


def format_from_content(first_line: str) -> str:
    """The format the first non-blank line reveals."""
    text = first_line.strip()
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        # A line ending in an opened record or list is pretty-printed JSON; any other
        # line is a record, maybe a broken one, of JSON Lines.
        return "json" if text.endswith(("{", "[", ",")) else "jsonl"
    if text.startswith("<"):
        return "atom"
    if is_csv_header(text):
        return "csv"
    return "daily"


def detect_format(name: str, first_line: str) -> str:
    """The extension's format, except that JSON content picks JSON Lines or a document."""
    by_name = format_from_name(name)
    by_content = format_from_content(first_line)
    if by_name is None or (by_name in _JSON_FORMATS and by_content in _JSON_FORMATS):
        return by_content
    return by_name

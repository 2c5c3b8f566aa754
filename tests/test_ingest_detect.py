"""kg.ingest.detect: the input format from the name, then the content."""
from __future__ import annotations

import pytest

from kg.ingest.detect import detect_format, format_from_content, format_from_name


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.jsonl", "jsonl"),
        ("a.JSONL.GZ", "jsonl"),
        ("a.ndjson", "jsonl"),
        ("a.json", "json"),
        ("a.json.gz", "json"),
        ("a.xml", "atom"),
        ("a.atom", "atom"),
        ("a.csv.gz", "csv"),
        ("a.txt", "daily"),
        ("a.md", "daily"),
        ("a.dat", None),
        ("<stdin>", None),
    ],
)
def test_detect_format_from_name(name, fmt):
    assert format_from_name(name) == fmt


@pytest.mark.parametrize(
    ("first_line", "fmt"),
    [
        ("  [", "json"),
        ('[{"title": "x"}]', "json"),
        ("{", "json"),
        ('{"title": "x", "abstract": "y"}', "jsonl"),
        ('{"title": "x",', "json"),
        ('{"title": cut off', "jsonl"),
        ('<?xml version="1.0"?>', "atom"),
        ("<feed>", "atom"),
        ("id,Title,ABSTRACT", "csv"),
        ('"title","summary",authors', "csv"),
        ("title,authors", "daily"),
        ("id,text", "csv"),
        ("Abstract,Authors", "csv"),
        ("text", "daily"),
        ("Abstract", "daily"),
        ("Daily Papers", "daily"),
    ],
)
def test_detect_format_from_content(first_line, fmt):
    assert format_from_content(first_line) == fmt


@pytest.mark.parametrize(
    ("name", "first_line", "fmt"),
    [
        ("a.json", '{"title": "x"}', "jsonl"),
        ("a.jsonl", "[", "json"),
        ("a.jsonl", '{"title": broken', "jsonl"),
        ("a.csv", '{"title": "x"}', "csv"),
        ("a.txt", "title,abstract", "daily"),
        ("a.dat", "title,abstract", "csv"),
    ],
)
def test_detect_format_name_first_then_json_content(name, first_line, fmt):
    assert detect_format(name, first_line) == fmt

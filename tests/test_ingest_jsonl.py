"""kg.ingest.jsonl: JSON Lines and JSON documents, a bad line among good ones."""
from __future__ import annotations

import json

import pytest
from ingest_inputs import jsonl, papers, problems, read_text, record, titles

from kg.ingest.jsonl import read_json_document, read_json_lines


def test_jsonl_malformed_line_among_good_ones():
    text = jsonl("One") + '{"title": "Two", "abs\n' + "\n" + "[1]\n" + jsonl("Three")
    items = read_text(read_json_lines, text, "in.jsonl")
    assert titles(items) == ["One", "Three"]
    assert [p.source for p in papers(items)] == ["in.jsonl:1", "in.jsonl:5"]
    assert [(p.line, p.message.split(":")[0]) for p in problems(items)] == [
        (2, "malformed JSON"),
        (4, "expected a JSON object, found list"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"), [("2401.10770", "2401.10770"), ("42", "42"), ('"abc"', "abc")]
)
def test_jsonl_id_kept_as_written(value, expected):
    (paper,) = read_text(read_json_lines, f'{{"id": {value}, "title": "T", "abstract": "A"}}')
    assert paper.id == expected


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("[\n" + ",\n".join([record("A"), record("B")]) + "\n]\n", [2, 3]),
        ("[" + ", ".join([record("A"), record("B")]) + "]", [1, 1]),
        (json.dumps([json.loads(record("A")), json.loads(record("B"))], indent=2), [2, 6]),
        (json.dumps(json.loads(record("A")), indent=1) + "\n" + record("B") + "\n", [1, 5]),
    ],
    ids=["array-lines", "array-one-line", "array-pretty", "objects-in-a-row"],
)
def test_json_document_streams_records(text, lines):
    items = read_text(read_json_document, text)
    assert titles(items) == ["A", "B"]
    assert [int(p.source.split(":")[1]) for p in papers(items)] == lines


def test_json_document_empty_array():
    assert read_text(read_json_document, "[ ]\n") == []


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("[\n" + record("A") + ",\n" + record("B")[:20], 3, "malformed or cut-off JSON"),
        ("[\n" + record("A") + ",\n", 3, "JSON array not closed"),
        ("[\n" + record("A") + "\n" + record("B") + "]", 3, "expected ',' or ']'"),
        (record("A") + "\n{oops}\n" + record("B"), 2, "malformed or cut-off JSON"),
    ],
    ids=["cut-inside-record", "cut-after-record", "missing-comma", "bad-object"],
)
def test_json_document_truncated_keeps_records_before(text, line, message):
    items = read_text(read_json_document, text, "in.json")
    assert titles(items) == ["A"]
    (problem,) = problems(items)
    assert (problem.path, problem.line) == ("in.json", line) and message in problem.message

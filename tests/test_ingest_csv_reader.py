"""kg.ingest.csv_reader: CSV with title and abstract (or text) columns."""
from __future__ import annotations

import pytest
from ingest_inputs import DATA, papers, problems, read_text, titles

from kg.ingest import InputProblem, read_inputs
from kg.ingest.csv_reader import read_csv
from kg.ingest.fields import NO_ABSTRACT
from kg.ingest.ids import text_id
from kg.records import Paper, title_id


def test_csv_quoted_fields_and_start_lines():
    items = list(read_inputs([str(DATA / "papers.csv")]))
    first, second = items
    assert first == Paper(
        id="seed-1",
        title="Quill, a Toy Tagger",
        abstract="An invented abstract, with a comma. It continues on a second line.",
        date="2023-07-04",
        authors=("Ada Example", "Bo Sample", "Cy Person"),
        categories=("cs.CL", "cs.LG"),
        source=f"{DATA / 'papers.csv'}:2",
    )
    assert (second.id, second.source) == (title_id("Second Toy Paper"), f"{DATA / 'papers.csv'}:4")


def test_csv_bad_rows_reported_and_others_read():
    text = (
        " TITLE ,Summary\r\n"
        "Only a title,\r\n"
        "\r\n"
        '"Big","' + "x" * 200_000 + '"\r\n'
        "Good,An abstract\r\n"
    )
    items = read_text(read_csv, text, "in.csv")
    assert titles(items) == ["Good"]
    assert [(p.line, p.message[:13]) for p in problems(items)] == [
        (2, NO_ABSTRACT[:13]),
        (4, "malformed CSV"),
    ]
    assert papers(items)[0].source == "in.csv:5"


def test_csv_header_without_paper_columns():
    assert read_text(read_csv, "name,notes\na,b\n", "in.csv") == [
        InputProblem("in.csv", 1, "CSV header names no abstract column (abstract, summary, text)")
    ]


@pytest.mark.parametrize("column", ["abstract", " Text ", "SUMMARY"])
def test_csv_without_a_title_column(column):
    text = f'id,{column}\n1,"An abstract, with a comma."\n,Another abstract.\n'
    items = read_text(read_csv, text, "in.csv")
    assert [(p.id, p.title, p.abstract, p.source) for p in items] == [
        ("1", "", "An abstract, with a comma.", "in.csv:2"),
        (text_id("Another abstract."), "", "Another abstract.", "in.csv:3"),
    ]

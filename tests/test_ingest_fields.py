"""kg.ingest.fields: a record's fields as a Paper (dates, authors, a missing title or abstract)."""
from __future__ import annotations

import pytest
from ingest_inputs import DATA

from kg.ingest import InputProblem, read_inputs
from kg.ingest.fields import NO_ABSTRACT, iso_date, paper_from_fields, split_authors
from kg.ingest.ids import text_id
from kg.records import Paper


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-19", "2024-01-19"),
        ("2024-01-19T18:48:08Z", "2024-01-19"),
        ("Mon, 2 Apr 2007 19:18:42 GMT", "2007-04-02"),
        ("2024-13-45", "2024-13-45"),
        ("Jul 30", "Jul 30"),
    ],
)
def test_fields_iso_date(text, expected):
    assert iso_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A, B and C", ("A", "B", "C")),
        ("Ada Example, Bo Sample, and Cy Person", ("Ada Example", "Bo Sample", "Cy Person")),
        ("Ada Example, Bo Sample and Cy Person", ("Ada Example", "Bo Sample", "Cy Person")),
        ("Ada Example, Bo Sample", ("Ada Example", "Bo Sample")),
        ("Alexander Andersen", ("Alexander Andersen",)),
        ("A; B", ("A", "B")),
        ("Smith, John and Doe, Jane", ("John Smith", "Jane Doe")),
        ("Smith, John, and Doe, Jane", ("John Smith", "Jane Doe")),
        ("Smith, J.; Doe, Jane Q.", ("J. Smith", "Jane Q. Doe")),
        ("van der Berg, Jan and Smith,John", ("Jan van der Berg", "John Smith")),
        ("Smith, John", ("John Smith",)),
        ("Smith, John and Cy Person", ("Smith", "John", "Cy Person")),
    ],
)
def test_fields_split_authors(text, expected):
    assert split_authors(text) == expected


@pytest.mark.parametrize(
    ("fields", "authors", "categories", "date"),
    [
        ({"authors": ["A", " B "], "categories": ["cs.CL"]}, ("A", "B"), ("cs.CL",), None),
        ({"authors": [{"name": "A"}], "category": "cs.CL,cs.LG"}, ("A",), ("cs.CL", "cs.LG"), None),
        ({"published": "2024-02-03T00:00:00Z", "update_date": "2025-01-01"}, (), (), "2024-02-03"),
        ({"update_date": "2025-01-01"}, (), (), "2025-01-01"),
        ({"Date": "spring 2024"}, (), (), "spring 2024"),
    ],
)
def test_fields_optional_fields(fields, authors, categories, date):
    paper = paper_from_fields({"title": "T", "summary": "S", **fields}, "in", 1)
    assert (paper.authors, paper.categories, paper.date) == (authors, categories, date)


def test_fields_authors_of_a_record_in_last_first_form():
    paper = paper_from_fields({"abstract": "x", "authors": "Smith, John and Doe, Jane"}, "in", 1)
    assert paper.authors == ("John Smith", "Jane Doe")


@pytest.mark.parametrize(
    "fields",
    [{"title": "x", "abstract": "  "}, {"id": "1"}, {"title": "A title alone"}, {"text": ["not", "text"]}],
)
def test_fields_missing_abstract_is_a_problem(fields):
    assert paper_from_fields(fields, "in.jsonl", 4) == InputProblem("in.jsonl", 4, NO_ABSTRACT)
    assert all(name in NO_ABSTRACT for name in ("abstract", "summary", "text"))


@pytest.mark.parametrize(
    ("fields", "abstract"),
    [
        ({"abstract": "An untitled  abstract."}, "An untitled abstract."),
        ({"TEXT": "An untitled abstract.\n"}, "An untitled abstract."),
        ({"summary": "an UNTITLED abstract"}, "an UNTITLED abstract"),
        ({"title": ["not", "text"], "abstract": "An untitled abstract."}, "An untitled abstract."),
        ({"title": "   ", "text": "An untitled abstract."}, "An untitled abstract."),
    ],
)
def test_fields_a_record_without_a_title_is_a_paper_named_by_its_text(fields, abstract):
    paper = paper_from_fields(fields, "in.jsonl", 4)
    assert paper == Paper(id=text_id("an untitled abstract"), title="", abstract=abstract, source="in.jsonl:4")
    assert paper.text[paper.abstract_offset:] == abstract


def test_fields_an_untitled_record_keeps_the_id_it_gives():
    paper = paper_from_fields({"id": "arXiv:2401.10774v2", "text": "Some text."}, "in", 1)
    assert (paper.id, paper.title, paper.abstract, paper.url) == (
        "2401.10774", "", "Some text.", "https://arxiv.org/abs/2401.10774")


def test_fields_arxiv_snapshot_record():
    (paper,) = list(read_inputs([str(DATA / "snapshot.jsonl")]))
    assert paper == Paper(
        id="0704.0001",
        title="A Made-Up Study of Toy Parsers",
        abstract="We study toy parsers. This abstract is invented for a test and spans lines.",
        date="2007-04-02",
        authors=("A. Example", "B. Sample", "C. Person Jr"),
        categories=("cs.CL", "cs.LG"),
        url="https://arxiv.org/abs/0704.0001",
        source=f"{DATA / 'snapshot.jsonl'}:1",
    )

"""kg.ingest: every reader, format detection, ids, dedup and bad input."""
from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.ingest import FORMATS, InputProblem, read_file, read_inputs, unique_papers
from kg.ingest.atom import read_atom
from kg.ingest.csv_reader import read_csv
from kg.ingest.daily_papers import content_line, read_daily_papers
from kg.ingest.detect import detect_format, format_from_content, format_from_name
from kg.ingest.fields import NO_ABSTRACT, iso_date, paper_from_fields, split_authors
from kg.ingest.ids import arxiv_id, paper_id, text_id
from kg.ingest.jsonl import read_json_document, read_json_lines
from kg.records import Paper, title_id

DATA = Path(__file__).parent / "data" / "ingest"
ABSTRACT = (
    "We describe an invented toy method for a test, with enough words in this sentence "
    "to read as prose, and report a made-up result on a fictional benchmark nobody built."
)


def record(title: str, abstract: str = "A short invented abstract.", **fields: object) -> str:
    return json.dumps({"title": title, "abstract": abstract, **fields})


def jsonl(*titles: str) -> str:
    return "".join(record(title) + "\n" for title in titles)


def listing(*titles: str) -> str:
    return "Subscribe\n\nDaily Papers\n\n" + "".join(f"{t}\n\n{ABSTRACT}\n\n" for t in titles)


def papers(items) -> list[Paper]:
    return [item for item in items if isinstance(item, Paper)]


def problems(items) -> list[InputProblem]:
    return [item for item in items if isinstance(item, InputProblem)]


def titles(items) -> list[str]:
    return [paper.title for paper in papers(items)]


def read_text(reader, text: str, path: str = "in") -> list[Paper | InputProblem]:
    return list(reader(path, io.StringIO(text, newline="")))


# problems


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (InputProblem("a.jsonl", 3, "no abstract"), "a.jsonl:3: no abstract"),
        (InputProblem("a.jsonl", None, "empty file"), "a.jsonl: empty file"),
    ],
)
def test_problems_str_names_file_and_line(problem, text):
    assert str(problem) == text


# ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2401.10774", "2401.10774"),
        ("2401.10774v2", "2401.10774"),
        ("arXiv:2401.10774v1", "2401.10774"),
        ("0704.0001", "0704.0001"),
        ("https://arxiv.org/abs/2401.10774v2", "2401.10774"),
        ("http://arxiv.org/pdf/2401.10774v1.pdf", "2401.10774"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("http://arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
        ("seed-c22fb987ea", None),
        ("1234.5678", None),
        ("https://example.org/paper/2401.10774", None),
        ("", None),
    ],
)
def test_ids_arxiv_id(text, expected):
    assert arxiv_id(text) == expected


@pytest.mark.parametrize(
    ("given", "url", "expected"),
    [
        ("seed-1", None, "seed-1"),
        ("seed-1", "https://arxiv.org/abs/2401.10774", "seed-1"),
        ("https://arxiv.org/abs/2401.10774v2", None, "2401.10774"),
        ("", "https://arxiv.org/abs/2401.10774v2", "2401.10774"),
        ("", "https://example.org/x", title_id("A Title")),
        (None, None, title_id("A Title")),
    ],
)
def test_ids_paper_id_rules(given, url, expected):
    assert paper_id(given, url, "A Title") == expected


@pytest.mark.parametrize(
    ("given", "url", "expected"),
    [
        ("seed-1", None, "seed-1"),
        ("", "https://arxiv.org/abs/2401.10774v2", "2401.10774"),
        ("", "https://example.org/x", text_id("An abstract.")),
        (None, None, text_id("An abstract.")),
    ],
)
@pytest.mark.parametrize("title", ["", "?!"])
def test_ids_paper_id_of_an_untitled_paper_hashes_its_text(given, url, expected, title):
    assert paper_id(given, url, title, "An abstract.") == expected


def test_ids_text_hash_is_stable_normalised_and_apart_from_title_hashes():
    assert text_id("We  study\nToy parsers!") == text_id("we study toy parsers") == "a-f12c5b265a2c98ca"
    assert text_id("we study toy parsers") != text_id("we study toy taggers")
    assert text_id("A Title") != title_id("A Title")


def test_ids_title_hash_is_stable_and_normalised():
    paper = paper_from_fields({"title": "Attention  Is All\nYou Need!", "abstract": "x"}, "in", 1)
    assert paper.title == "Attention Is All You Need!"
    assert paper.id == title_id("ATTENTION is all you need.") == "t-37f63852cdfb0690"
    assert paper.url is None


# fields


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


# jsonl


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


# atom


def test_atom_reads_arxiv_api_feed():
    items = list(read_inputs([str(DATA / "arxiv_feed.xml")]))
    first, second = items
    assert first == Paper(
        id="2401.10774",
        title="Tandem: Parallel Guess Heads for Faster Toy Decoding",
        abstract=(
            "We describe Tandem, an invented toy method that adds guess heads to a small "
            "language model. It reaches a made-up 2.0x speedup on a fictional benchmark."
        ),
        date="2024-01-19",
        authors=("Ada Example", "Bo Sample"),
        categories=("cs.LG", "cs.CL"),
        url="http://arxiv.org/abs/2401.10774v2",
        source=f"{DATA / 'arxiv_feed.xml'}:7",
    )
    assert (second.id, second.url) == ("hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001")


def test_atom_entry_without_a_title():
    text = "<feed><entry><id>x-1</id><summary>Only a summary.</summary></entry></feed>"
    (paper,) = read_text(read_atom, text)
    assert (paper.id, paper.title, paper.abstract) == ("x-1", "", "Only a summary.")


def test_atom_without_namespace():
    text = "<feed><entry><id>x-1</id><title>T</title><summary>S</summary></entry></feed>"
    (paper,) = read_text(read_atom, text)
    assert (paper.id, paper.title, paper.abstract) == ("x-1", "T", "S")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<feed>\n<entry><title>A</title><summary>S</summary></entry>\n<entry><title>B\n",
            ["A", InputProblem("in.xml", 4, "malformed XML: no element found: line 4, column 0")],
        ),
        (
            "<feed>\n<entry><title>A</title></entry>\n<entry><title>B</title><summary>S</summary>"
            "</entry>\n</feed>",
            [InputProblem("in.xml", 2, NO_ABSTRACT), "B"],
        ),
        (
            "<feed><entry><id>http://arxiv.org/api/errors#bad</id><title>Error</title>"
            "<summary>malformed id: x</summary></entry></feed>",
            [InputProblem("in.xml", 1, "arXiv API error: malformed id: x")],
        ),
        (
            "<html><body>Not a feed</body></html>",
            [InputProblem("in.xml", None, "no <entry> elements in this XML")],
        ),
    ],
    ids=["cut-off", "entry-without-summary", "api-error", "no-entries"],
)
def test_atom_bad_input(text, expected):
    items = read_text(read_atom, text, "in.xml")
    assert [item.title if isinstance(item, Paper) else item for item in items] == expected


# csv


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


# daily papers


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("new", ""),
        ("Get trending papers in your email inbox once a day!", ""),
        ("  Daily Papers ", ""),
        ("byAK and the research community", ""),
        ("Jul 30", ""),
        ("Dec 3, 2024", ""),
        ("SubscribeDolma: an Open Corpus", "Dolma: an Open Corpus"),
        ("SubscribeDaily Papers2-Simplicial Attention", "2-Simplicial Attention"),
        ("Subscribers Prefer Short Titles", "Subscribers Prefer Short Titles"),
        ("New Frontiers in Toy Decoding", "New Frontiers in Toy Decoding"),
        ("May the Tokens Be With You", "May the Tokens Be With You"),
    ],
)
def test_daily_papers_content_line_drops_chrome(line, expected):
    assert content_line(line) == expected


def test_daily_papers_pairs_titles_with_abstracts():
    items = list(read_inputs([str(DATA / "listing.txt")]))
    assert titles(items) == [
        "Tandem: Parallel Guess Heads for Faster Toy Decoding",
        "Sparrow-Bench: A Pretend Benchmark for Tiny Reasoning Models",
    ]
    assert [p.source.rsplit(":", 1)[1] for p in papers(items)] == ["13", "17"]
    assert all(p.abstract.startswith("We ") and p.id == title_id(p.title) for p in papers(items))


def test_daily_papers_without_blank_lines_and_glued_chrome():
    chrome = "Get trending papers in your email inbox!\nSubscribe"
    text = f"{chrome}First Toy\n{ABSTRACT}\nSecond Toy\n{ABSTRACT}"
    items = read_text(read_daily_papers, text)
    assert titles(items) == ["First Toy", "Second Toy"]
    assert [p.source for p in papers(items)] == ["in:2", "in:4"]


def test_daily_papers_unpaired_lines_reported():
    text = "A Stray Title\n\nA Good Title\n\n" + ABSTRACT + "\n\n" + ABSTRACT + "\n\nLoad more\n"
    items = read_text(read_daily_papers, text, "day.txt")
    assert titles(items) == ["A Good Title"]
    assert problems(items) == [
        InputProblem("day.txt", 1, "skipped 1 line: not a title followed by its abstract"),
        InputProblem("day.txt", 7, "skipped 2 lines: not a title followed by its abstract"),
    ]


def test_daily_papers_not_a_listing_is_one_problem():
    items = read_text(read_daily_papers, "# Notes\n\nshort line\nanother\n", "notes.md")
    message = "skipped 3 lines: not a title followed by its abstract"
    assert items == [InputProblem("notes.md", 1, message)]


# format detection


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


# read_inputs

SAMPLES = {
    "daily": listing("Daily One", "Daily Two"),
    "jsonl": jsonl("Lines One", "Lines Two"),
    "json": json.dumps([json.loads(record(f"Array {n}")) for n in ("One", "Two")], indent=2),
    "atom": (
        '<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
        "<entry><title>Atom One</title><summary>S</summary></entry>\n"
        "<entry><title>Atom Two</title><summary>S</summary></entry>\n</feed>\n"
    ),
    "csv": 'title,abstract\n"Csv One",A\nCsv Two,"B, b"\n',
}
EXTENSIONS = {"daily": ".txt", "jsonl": ".jsonl", "json": ".json", "atom": ".xml", "csv": ".csv"}


def expected_titles(fmt: str) -> list[str]:
    return [paper.title for paper in papers(read_inputs(["-"], fmt, io.StringIO(SAMPLES[fmt])))]


def test_read_inputs_formats_are_the_readers():
    assert FORMATS == ("daily", "jsonl", "json", "atom", "csv")
    assert {fmt: len(expected_titles(fmt)) for fmt in FORMATS} == dict.fromkeys(FORMATS, 2)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("suffix", ["by-extension", ".dat", ""])
def test_read_inputs_detects_format(tmp_path, fmt, suffix):
    path = tmp_path / ("papers" + (EXTENSIONS[fmt] if suffix == "by-extension" else suffix))
    path.write_text(SAMPLES[fmt], encoding="utf-8")
    items = list(read_inputs([str(path)]))
    assert problems(items) == []
    assert titles(items) == expected_titles(fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_inputs_gzip_by_extension_or_content(tmp_path, fmt):
    named = tmp_path / f"papers{EXTENSIONS[fmt]}.gz"
    unnamed = tmp_path / "papers.bin"
    for path in (named, unnamed):
        path.write_bytes(gzip.compress(SAMPLES[fmt].encode("utf-8")))
    assert titles(read_inputs([str(named)])) == expected_titles(fmt)
    assert titles(read_inputs([str(unnamed)])) == expected_titles(fmt)


def test_read_inputs_forced_format(tmp_path):
    path = tmp_path / "papers.txt"
    path.write_text(jsonl("Forced"), encoding="utf-8")
    assert titles(read_inputs([str(path)], fmt="jsonl")) == ["Forced"]
    assert titles(read_inputs([str(path)])) == []
    (problem,) = problems(read_inputs([str(path)], fmt="csv"))
    assert problem.line == 1 and "header" in problem.message


def test_read_inputs_unknown_format_raises():
    with pytest.raises(ValueError, match="one of daily, jsonl, json, atom, csv"):
        list(read_inputs(["-"], fmt="yaml", stdin=io.StringIO("")))


def test_read_inputs_directory_recursion_sorted_hidden_skipped(tmp_path):
    files = {
        "b.jsonl": "B",
        "a.jsonl": "A",
        "sub/c.jsonl": "C",
        "sub/deeper/d.jsonl": "D",
        ".hidden.jsonl": "hidden file",
        ".git/e.jsonl": "hidden directory",
    }
    for name, title in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(jsonl(title), encoding="utf-8")
    assert titles(read_inputs([str(tmp_path)])) == ["A", "B", "C", "D"]
    assert titles(read_inputs([str(tmp_path / "*.jsonl")])) == ["A", "B"]
    assert titles(read_inputs([str(tmp_path / "**" / "*.jsonl")])) == ["A", "B", "C", "D"]
    assert titles(read_inputs([str(tmp_path / "s*")])) == ["C", "D"]


def test_read_inputs_missing_path_and_empty_glob_continue(tmp_path):
    (tmp_path / "a.jsonl").write_text(jsonl("A"), encoding="utf-8")
    missing, empty_glob = str(tmp_path / "nope.jsonl"), str(tmp_path / "*.csv")
    items = list(read_inputs([missing, empty_glob, str(tmp_path / "a.jsonl")]))
    assert items[:2] == [
        InputProblem(missing, None, "no such file or directory"),
        InputProblem(empty_glob, None, "no files match this pattern"),
    ]
    assert titles(items) == ["A"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_read_inputs_stdin_text_sniffed(fmt):
    items = list(read_inputs(["-"], stdin=io.StringIO(SAMPLES[fmt])))
    assert titles(items) == expected_titles(fmt)
    assert papers(items)[0].source.startswith("<stdin>:")


@pytest.mark.parametrize("compress", [False, True])
def test_read_inputs_stdin_bytes(compress):
    data = jsonl("Piped").encode("utf-8")
    stdin = io.TextIOWrapper(io.BytesIO(gzip.compress(data) if compress else data))
    assert titles(read_inputs(["-"], stdin=stdin)) == ["Piped"]


def test_read_inputs_is_lazy():
    def one_record_then_fail() -> Iterator[str]:
        yield record("First") + "\n"
        raise AssertionError("read past the first record")

    assert next(read_inputs(["-"], stdin=one_record_then_fail())).title == "First"


def test_read_inputs_mixes_files_and_stdin(tmp_path):
    (tmp_path / "a.csv").write_text(SAMPLES["csv"], encoding="utf-8")
    items = read_inputs([str(tmp_path / "a.csv"), "-"], stdin=io.StringIO(jsonl("From stdin")))
    assert titles(items) == ["Csv One", "Csv Two", "From stdin"]


# bad input


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("data", [b"", b"\n  \n\t\n", gzip.compress(b"")])
def test_read_inputs_empty_file(tmp_path, data):
    path = write(tmp_path, "empty.jsonl", data)
    assert list(read_inputs([path])) == [InputProblem(path, None, "empty file")]


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", bytes(range(256)), gzip.compress(b"\x00\x01\x02")],
)
def test_read_inputs_binary_file_skipped_others_read(tmp_path, data):
    binary = write(tmp_path, "a.bin", data)
    good = write(tmp_path, "b.jsonl", jsonl("Good").encode())
    items = list(read_inputs([binary, good]))
    assert items[0] == InputProblem(binary, None, "binary file (it holds NUL bytes), not read")
    assert titles(items) == ["Good"]


def test_read_inputs_truncated_gzip(tmp_path):
    data = gzip.compress(jsonl(*(f"Paper {n}" for n in range(2000))).encode())
    path = write(tmp_path, "cut.jsonl.gz", data[: len(data) // 2])
    items = list(read_inputs([path]))
    read = titles(items)
    assert 0 < len(read) < 2000 and read == [f"Paper {n}" for n in range(len(read))]
    problem = problems(items)[-1]
    assert problem.path == path and problem.line > len(read) and "breaks off" in problem.message


def test_read_inputs_corrupt_gzip(tmp_path):
    path = write(tmp_path, "bad.jsonl.gz", b"\x1f\x8b" + b"not really gzip data" * 3)
    (problem,) = list(read_inputs([path]))
    assert problem.path == path and problem.message.startswith("cannot read")


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_read_inputs_utf8_bom(tmp_path, fmt):
    path = write(tmp_path, "bom" + EXTENSIONS[fmt], b"\xef\xbb\xbf" + SAMPLES[fmt].encode())
    items = list(read_inputs([path]))
    assert problems(items) == [] and titles(items) == expected_titles(fmt)


def test_read_inputs_wrong_encoding_line_reported(tmp_path):
    cp1252 = '{"title": "Caf\u00e9 \u201cquoted\u201d", "abstract": "A."}'.encode("cp1252")
    lines = [record("Plain").encode(), cp1252, record("Also").encode()]
    path = write(tmp_path, "mixed.jsonl", b"\n".join(lines))
    items = list(read_inputs([path]))
    assert titles(items) == ["Plain", "Caf\u00e9 \u201cquoted\u201d", "Also"]
    assert problems(items) == [InputProblem(path, 2, "not UTF-8, read as cp1252")]


def test_read_inputs_wrong_encoding_reported_once(tmp_path):
    text = "title,abstract\n" + "Caf\u00e9,R\u00e9sum\u00e9\n" * 3
    path = write(tmp_path, "latin.csv", text.encode("latin-1"))
    items = list(read_inputs([path]))
    assert titles(items) == ["Caf\u00e9"] * 3
    message = "not UTF-8, read as cp1252 (and 2 later lines)"
    assert problems(items) == [InputProblem(path, 2, message)]


def test_read_inputs_unreadable_path_reported(tmp_path):
    (problem,) = list(read_file(str(tmp_path), None))
    assert problem == InputProblem(str(tmp_path), None, "cannot read: Is a directory")


def test_read_inputs_problems_name_file_and_line(tmp_path):
    text = jsonl("A") + "{nope\n" + record("x", "") + "\n" + jsonl("B")
    path = write(tmp_path, "bad.jsonl", text.encode())
    items = list(read_inputs([path]))
    assert titles(items) == ["A", "B"]
    where = [str(problem).split(": ")[0] for problem in problems(items)]
    assert where == [f"{path}:2", f"{path}:3"]
    assert problems(items)[1].message == NO_ABSTRACT


def test_read_inputs_truncated_json_array_file(tmp_path):
    text = json.dumps([json.loads(record(f"P{n}")) for n in range(3)], indent=2)
    path = write(tmp_path, "cut.json", text[:-30].encode())
    items = list(read_inputs([path]))
    assert titles(items) == ["P0", "P1"]
    (problem,) = problems(items)
    assert problem.path == path and problem.line == 12  # where the cut-off string starts


# unique_papers


def test_unique_papers_first_wins_problems_pass():
    problem = InputProblem("x", 1, "no title")
    first = Paper(id="1", title="First", abstract="a", source="a:1")
    again = Paper(id="1", title="First again", abstract="b", source="b:1")
    other = Paper(id="2", title="Other", abstract="c")
    items = [first, problem, again, other, problem]
    assert list(unique_papers(items)) == [first, problem, other, problem]


def test_unique_papers_untitled_papers_are_one_only_when_their_texts_are():
    text = "".join(json.dumps(fields) + "\n" for fields in (
        {"abstract": "A first text."}, {"text": "A second text."}, {"text": "a FIRST text"}, {"title": "Titled", "text": "x"}))
    items = list(unique_papers(read_text(read_json_lines, text, "in.jsonl")))
    assert [(p.id, p.title, p.abstract) for p in items] == [
        (text_id("A first text."), "", "A first text."),
        (text_id("A second text."), "", "A second text."),
        (title_id("Titled"), "Titled", "x"),
    ]


def test_read_inputs_untitled_csv_on_stdin_is_detected():
    (paper,) = read_inputs(["-"], stdin=io.StringIO("id,text\n7,Some text to read.\n"))
    assert (paper.id, paper.title, paper.abstract, paper.source) == ("7", "", "Some text to read.", "<stdin>:2")


def test_unique_papers_same_paper_from_two_files(tmp_path):
    (tmp_path / "a.txt").write_text(listing("The Same  Paper!", "Only Here"), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(jsonl("the same paper"), encoding="utf-8")
    items = list(unique_papers(read_inputs([str(tmp_path)])))
    assert titles(items) == ["The Same Paper!", "Only Here"]


def test_ingest_reads_fsspec_urls_files_folders_and_globs():
    fsspec = pytest.importorskip("fsspec")
    fs = fsspec.filesystem("memory")
    fs.pipe("/kg-corpus/a.jsonl", b'{"id": "2401.00001", "title": "First", "abstract": "One."}\n')
    fs.pipe("/kg-corpus/sub/b.jsonl", b'{"title": "Second", "abstract": "Two."}\nnot json\n')
    whole = [i for i in read_inputs(["memory://kg-corpus"]) if isinstance(i, Paper)]
    assert [p.title for p in whole] == ["First", "Second"]
    problems = [i for i in read_inputs(["memory://kg-corpus/sub/*.jsonl"]) if not isinstance(i, Paper)]
    assert [(p.path, p.line) for p in problems] == [("memory:///kg-corpus/sub/b.jsonl", 2)]
    missing = list(read_inputs(["memory://kg-corpus/none.jsonl"]))
    assert isinstance(missing[0], InputProblem) and "no such file" in missing[0].message

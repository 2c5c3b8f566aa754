"""kg.ingest: reading inputs (files, folders, globs, stdin, URLs; gzip, format detection), dedup, bad input."""
from __future__ import annotations

import gzip
import io
import json
from collections.abc import Iterator

import pytest
from ingest_inputs import jsonl, listing, papers, problems, read_text, record, titles, write

from kg.ingest import FORMATS, InputProblem, read_file, read_inputs, unique_papers
from kg.ingest.fields import NO_ABSTRACT
from kg.ingest.ids import text_id
from kg.ingest.jsonl import read_json_lines
from kg.records import Paper, title_id


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

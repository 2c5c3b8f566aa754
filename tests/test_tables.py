"""kg.tables: pattern tables read once from kg/extract/tables/ (JSON, or a set of non-comment lines)."""
import json
from dataclasses import dataclass

import pytest

import kg.tables
from kg.claim_cues import ClaimCues
from kg.extract.relations.clauses import RelationCues
from kg.extract.roles import RoleCues
from kg.tables import TABLES_DIR, cue_table, load_table

REAL_TABLES = sorted(p.name for p in TABLES_DIR.iterdir() if p.is_file())
LINE_TABLES = [name for name in REAL_TABLES if not name.endswith(".json")]


@pytest.fixture
def tables_dir(tmp_path, monkeypatch):
    """A folder of the test's own tables in place of kg's (the cache is cleared before and after)."""
    monkeypatch.setattr(kg.tables, "TABLES_DIR", tmp_path)
    load_table.cache_clear()
    yield tmp_path
    load_table.cache_clear()


@pytest.mark.parametrize("text,expected", [
    ("alpha\nbeta\n", {"alpha", "beta"}),
    ("# a comment\nalpha\n", {"alpha"}),
    ("   # an indented comment\nalpha\n", {"alpha"}),
    ("\n\n  \nalpha\n\t\n", {"alpha"}),
    ("  alpha  \n\tbeta\t\n", {"alpha", "beta"}),
    ("C#\nF# # not a comment\n", {"C#", "F# # not a comment"}),
    ("alpha\nalpha\n", {"alpha"}),
    ("word\t12\nother\t3\n", {"word\t12", "other\t3"}),  # a .tsv table: the caller splits the columns
    ("# only comments\n\n", set()),
])
@pytest.mark.parametrize("suffix", [".txt", ".tsv"])
def test_tables_line_table_is_the_set_of_its_non_comment_lines(tables_dir, text, expected, suffix):
    (tables_dir / f"sample{suffix}").write_text(text, encoding="utf-8")
    table = load_table(f"sample{suffix}")
    assert isinstance(table, frozenset)
    assert table == expected


def test_tables_json_table_is_the_decoded_document(tables_dir):
    document = {"_doc": "x", "numbers": {"two": 2, "caf\u00e9": [1.5, None, True]}}
    (tables_dir / "sample.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert load_table("sample.json") == document


def test_tables_are_read_once(tables_dir):
    path = tables_dir / "sample.txt"
    path.write_text("alpha\n", encoding="utf-8")
    first = load_table("sample.txt")
    path.write_text("beta\n", encoding="utf-8")
    assert load_table("sample.txt") is first
    load_table.cache_clear()
    assert load_table("sample.txt") == {"beta"}


def test_tables_missing_table_raises_file_not_found(tables_dir):
    with pytest.raises(FileNotFoundError, match="no_such_table.txt"):
        load_table("no_such_table.txt")


def test_tables_malformed_json_raises_a_decode_error_with_its_line(tables_dir):
    (tables_dir / "broken.json").write_text('{\n  "a": 1,\n  "b": \n}\n', encoding="utf-8")
    with pytest.raises(json.JSONDecodeError) as caught:
        load_table("broken.json")
    assert caught.value.lineno == 4


def test_tables_reads_utf8_whatever_the_locale(tables_dir):
    (tables_dir / "sample.txt").write_bytes("na\u00efve\n\u2013dash\n".encode("utf-8"))
    assert load_table("sample.txt") == {"na\u00efve", "\u2013dash"}


@pytest.mark.parametrize("name", LINE_TABLES)
def test_tables_every_shipped_line_table_has_entries_and_no_comment_or_blank(name):
    table = load_table(name)
    assert table, f"{name} is empty"
    for entry in table:
        assert entry == entry.strip() and entry and not entry.startswith("#"), (name, entry)


@pytest.mark.parametrize("name", [n for n in LINE_TABLES if n.endswith(".tsv")])
def test_tables_every_shipped_tsv_row_has_its_tables_number_of_columns(name):
    widths = {len(row.split("\t")) for row in load_table(name)}
    assert len(widths) == 1 and widths.pop() >= 2, f"{name}: rows with {sorted(widths)} columns"


@pytest.mark.parametrize("name", [n for n in REAL_TABLES if n.endswith(".json")])
def test_tables_every_shipped_json_table_is_an_object(name):
    assert isinstance(load_table(name), dict) and load_table(name)


@pytest.mark.parametrize("name,entry", [
    ("model_families.txt", "GPT"),
    ("claim_metrics.txt", "accuracy"),
    ("stop_names.txt", "AI"),
    ("curated_terms.tsv", "retrieval-augmented generation\tMethod"),
])
def test_tables_shipped_tables_hold_the_entries_their_files_list(name, entry):
    assert entry in load_table(name)


@dataclass(frozen=True)
class SampleCues:
    ordered: tuple[str, ...]
    phrases: frozenset[tuple[str, ...]]
    words: frozenset[str]
    by_verb: dict[str, list[str]]
    given: int


def test_tables_cue_table_converts_each_field_by_its_type(tables_dir):
    document = {"_doc": "a note", "ordered": ["b", "a", "b"], "phrases": ["such as", "like"], "words": ["x", "x"],
                "by_verb": {"use": ["with", "as"]}}
    (tables_dir / "cues.json").write_text(json.dumps(document), encoding="utf-8")
    assert cue_table(SampleCues, "cues.json", given=3) == SampleCues(
        ("b", "a", "b"), frozenset({("such", "as"), ("like",)}), frozenset({"x"}), {"use": ["with", "as"]}, 3)


def test_tables_cue_table_rejects_a_key_no_field_reads(tables_dir):
    document = {"ordered": [], "phrases": [], "words": [], "by_verb": {}, "spare": ["our"]}
    (tables_dir / "cues.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ValueError, match="no field of SampleCues reads spare"):
        cue_table(SampleCues, "cues.json", given=0)


@pytest.mark.parametrize("cues", [ClaimCues, RelationCues, RoleCues])
def test_tables_every_shipped_cue_table_loads_whole(cues):
    loaded = cues.load()
    assert all(getattr(loaded, name) for name in loaded.__dataclass_fields__)

"""kg.ingest.ids: paper ids from arXiv ids, URLs, titles and texts."""
from __future__ import annotations

import pytest

from kg.ingest.fields import paper_from_fields
from kg.ingest.ids import arxiv_id, paper_id, text_id
from kg.records import title_id


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

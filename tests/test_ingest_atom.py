"""kg.ingest.atom: arXiv API Atom feeds."""
from __future__ import annotations

import pytest
from ingest_inputs import DATA, read_text

from kg.ingest import InputProblem, read_inputs
from kg.ingest.atom import read_atom
from kg.ingest.fields import NO_ABSTRACT
from kg.records import Paper


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

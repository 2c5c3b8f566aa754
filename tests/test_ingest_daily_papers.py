"""kg.ingest.daily_papers: the Daily Papers listings (title line, abstract line, page chrome)."""
from __future__ import annotations

import pytest
from ingest_inputs import ABSTRACT, DATA, papers, problems, read_text, titles

from kg.ingest import InputProblem, read_inputs
from kg.ingest.daily_papers import content_line, read_daily_papers
from kg.records import title_id


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

"""kg.ingest.problems: what a skipped line or file says."""
from __future__ import annotations

import pytest

from kg.ingest import InputProblem


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (InputProblem("a.jsonl", 3, "no abstract"), "a.jsonl:3: no abstract"),
        (InputProblem("a.jsonl", None, "empty file"), "a.jsonl: empty file"),
    ],
)
def test_problems_str_names_file_and_line(problem, text):
    assert str(problem) == text

from collections import Counter

import pytest

from kg.records import ENTITY_TYPES, TYPE_PRIORITY, majority_type, title_lead


@pytest.mark.parametrize("votes, expected", [
    (Counter({"Method": 2, "Model": 2}), "Model"),
    (Counter({"Method": 3, "Model": 2}), "Method"),
    (Counter({"Dataset": 1, "Method": 1, "Task": 1}), "Method"),
    (Counter({"Task": 1, "Metric": 1}), "Metric"),
    ({"Method": 0.3, "Dataset": 0.5}, "Dataset"),  # the evidence's scores, as kg_entities sums them
    ({"Dataset": 2.5, "Method": 2.5}, "Method"),
])
def test_records_majority_type_ties_follow_type_priority(votes, expected):
    assert majority_type(votes) == expected


def test_records_type_priority_orders_every_entity_type():
    assert sorted(TYPE_PRIORITY) == sorted(ENTITY_TYPES)


@pytest.mark.parametrize("text, lead", [
    ("Medusa: Simple LLM Inference Acceleration\n\nWe propose Medusa.", "Medusa"),
    ("Open Ko-LLM Leaderboard2: Bridging Gaps\n\nA leaderboard.", "Open Ko-LLM Leaderboard2"),
    ("Why LLMs Fail: A Study\n\nWe study failures.", None),
    ("Bridging Speech and Text: A Survey\n\nWe survey.", None),
    ("Scaling Laws for Decoding Heads\n\nNote: heads help.", None),
    ("Most Models Can Be Poets Too: A Study\n\nWe study poems.", None),
    ("No title part: the text is an abstract.", None),
])
def test_records_title_lead_is_a_short_name_before_the_titles_colon(text, lead):
    assert title_lead(text) == lead


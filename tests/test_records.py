from collections import Counter

import pytest

from kg.records import ENTITY_TYPES, TYPE_PRIORITY, majority_type


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

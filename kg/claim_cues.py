"""The claim extractor's cue words (``tables/claim_cues.json``, ``claim_metrics.txt``) as one record.

Apart from ``kg.extract.claims`` so that readers of claims (``kg.results``) share its words without spaCy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.tables import CueTable, load_table


@dataclass(frozen=True)
class ClaimCues(CueTable):
    """The cue tables, as sets for fast look-up."""

    qualifiers: dict[str, str]
    result_verbs: frozenset[str]
    comparatives: frozenset[str]
    setup_verbs: frozenset[str]
    composition_verbs: frozenset[str]
    setup_nouns_after: frozenset[str]
    data_fraction_heads: frozenset[str]
    setup_context: tuple[str, ...]
    result_context_for_data: frozenset[str]
    measure_cues_before: tuple[str, ...]
    reporting_subjects: frozenset[str]
    proposed_markers: frozenset[str]
    generic_subject_heads: frozenset[str]
    component_heads: frozenset[str]  # "our retrieval module", "the Team Optimization stage": a part of the method
    other_markers: frozenset[str]
    instance_preps: frozenset[str]
    via_preps: frozenset[str]
    slight_words: frozenset[str]  # "with minimal accuracy loss", "with no retraining": what it costs, not how
    baseline_preps: frozenset[str]
    beat_verbs: frozenset[str]
    dataset_preps: frozenset[str]
    dataset_heads: frozenset[str]
    metric_skip_words: frozenset[str]
    change_nouns: frozenset[str]
    bare_gap_words: frozenset[str]
    hardware: frozenset[str]  # "on an H800 GPU" is where it ran, not a dataset; "RTX 4090" is a name
    metrics: frozenset[str]

    TABLE = "claim_cues.json"

    @classmethod
    def given(cls) -> dict[str, Any]:
        qualifiers = dict(sorted(load_table(cls.TABLE)["qualifiers"].items(), key=lambda kv: -len(kv[0])))
        return {"qualifiers": qualifiers, "metrics": load_table("claim_metrics.txt")}

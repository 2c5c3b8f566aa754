"""The graph schema, read from ``schema/graph.json``: the one whitelist of labels and types."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kg.errors import StoreError

# The repository's schema/, shipped as the package kg.schema_data (pyproject.toml); a folder on disk, since
# pip installs kg unzipped.
SCHEMA_DIR = Path(resources.files("kg.schema_data"))


@dataclass(frozen=True)
class Schema:
    node_labels: dict
    relationship_types: dict
    role_relationships: dict
    claim_relationships: dict

    @property
    def entity_labels(self) -> tuple[str, ...]:
        return tuple(self.node_labels["Entity"]["subtypes"])

    @property
    def labels(self) -> tuple[str, ...]:
        return (*(label for label in self.node_labels if label != "Entity"), "Entity", *self.entity_labels)

    def check_label(self, label: str) -> str:
        if label not in self.labels:
            raise StoreError(f"label {label!r} is not in the schema")
        return label

    def check_relationship(self, rel_type: str) -> str:
        if rel_type not in self.relationship_types:
            raise StoreError(f"relationship type {rel_type!r} is not in the schema")
        return rel_type


@lru_cache(maxsize=1)
def load_schema() -> Schema:
    data = json.loads((SCHEMA_DIR / "graph.json").read_text(encoding="utf-8"))
    return Schema(
        node_labels=data["node_labels"],
        relationship_types=data["relationship_types"],
        role_relationships=data["role_relationships"],
        claim_relationships=data["claim_relationships"],
    )


def constraints_cypher() -> list[str]:
    """The statements of ``schema/constraints.cypher``, comments dropped."""
    text = (SCHEMA_DIR / "constraints.cypher").read_text(encoding="utf-8")
    lines = [line.split("//", 1)[0] for line in text.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]

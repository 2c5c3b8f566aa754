"""The dry run: what a load would write, worked out without a server."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from kg.export.neo4j.constraints import index_statements
from kg.export.neo4j.servers import NEO4J, batch_limits, statements
from kg.export.rows import graph_rows
from kg.graph import KnowledgeGraph
from kg.schema import constraints_cypher


@dataclass(frozen=True)
class ExportPlan:
    """What :func:`kg.export.neo4j.export_to_neo4j` would write, worked out without a server."""

    server: str
    batch_size: int
    batch_bytes: int
    schema: tuple[str, ...]
    rows_by_name: dict[str, int]
    statements_by_name: dict[str, int]
    largest_statement_bytes: int

    @property
    def statements(self) -> int:
        return sum(self.statements_by_name.values())

    def lines(self) -> list[str]:
        lines = [f"dry run for {self.server}: batches of at most {self.batch_size:,} rows and "
                 f"{self.batch_bytes:,} bytes", f"schema: {len(self.schema)} statements"]
        lines += [f"{name}: {rows:,} rows in {self.statements_by_name.get(name, 0):,} statements"
                  for name, rows in self.rows_by_name.items()]
        lines.append(f"total: {sum(self.rows_by_name.values()):,} rows in {self.statements:,} statements, "
                     f"largest {self.largest_statement_bytes:,} bytes")
        return lines


def plan_export(kg: KnowledgeGraph, *, server: str = NEO4J, batch_size: int | None = None,
                batch_bytes: int | None = None) -> ExportPlan:
    """The dry run: rows and statements per label and relationship group for ``server``."""
    limits = batch_limits(server, batch_size, batch_bytes)
    rows = graph_rows(kg)
    counts: Counter[str] = Counter()
    largest = 0
    for statement in statements(rows, limits):
        counts[statement.name] += 1
        largest = max(largest, statement.parameter_bytes)
    schema = tuple(constraints_cypher() if server == NEO4J else index_statements())
    return ExportPlan(server, limits.rows, limits.bytes, schema, rows.row_counts(), dict(counts), largest)

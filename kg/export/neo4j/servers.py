"""The Bolt servers kg loads into, and how much one statement may carry on each."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterator

from kg.export.cypher import Statement, write_statements
from kg.export.rows import GraphRows

log = logging.getLogger(__name__)

NEO4J, FALKORDB = "neo4j", "falkordb"


@dataclass(frozen=True)
class BatchLimits:
    """How much one statement may carry: rows, bytes of rows (as literals), and query + rows.

    ``transaction`` is how many statements (of one label or relationship
    group) go in one managed transaction.
    """

    rows: int
    bytes: int
    query_limit: int | None = None
    transaction: int = 1


DEFAULT_LIMITS = {
    NEO4J: BatchLimits(rows=5_000, bytes=2_000_000),
    # At most 4,032 bytes for "CYPHER rows=<rows> <query>", rows as literals: FalkorDB builds that
    # text in a 4,096-byte stack buffer and dies (SIGSEGV/SIGABRT) past it (kg.export.neo4j.falkordb). The rows get
    # whatever the query leaves, so no separate byte cap: on this server the number of statements
    # a load takes is its bytes over this, and each costs about a millisecond. A BEGIN and COMMIT cost
    # about as much as a statement, so 64 statements share a transaction (measured on 5,000 papers:
    # one a transaction 30% slower than 16, 16 about 0.2 s slower than 64, 256 no faster than 64).
    FALKORDB: BatchLimits(rows=1_000, bytes=4_032, query_limit=4_032, transaction=64),
}


def batch_limits(server: str, batch_size: int | None = None, batch_bytes: int | None = None) -> BatchLimits:
    """The defaults for ``server`` ("neo4j" or "falkordb"), overridden by the given caps."""
    default = DEFAULT_LIMITS[server]
    for name, value in (("batch size", batch_size), ("batch bytes", batch_bytes)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be positive, not {value}")
    if default.query_limit is not None and batch_bytes is not None and batch_bytes > default.bytes:
        log.warning("FalkorDB crashes on queries over 4 KB: each statement, query and rows, is kept under "
                    "%d bytes whatever the batch bytes", default.query_limit)
    return BatchLimits(batch_size or default.rows, batch_bytes or default.bytes, default.query_limit,
                       default.transaction)


def statements(rows: GraphRows, limits: BatchLimits, exact: bool = False) -> Iterator[Statement]:
    """The statements that write ``rows`` within ``limits`` (:func:`kg.export.cypher.write_statements`)."""
    return write_statements(rows, batch_size=limits.rows, batch_bytes=limits.bytes, query_limit=limits.query_limit,
                            exact=exact)

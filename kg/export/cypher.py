r"""Cypher for the graph: literals, the idempotent MERGE statements in batches, and a script.

The Bolt loader (:mod:`kg.export.neo4j`) and the script written here run the
same statements: each reads its rows from ``$rows``; the loader sends them as
a parameter, the script inlines them as literals. Every statement MERGEs on
the node keys, so running it twice, or after a partial run, changes nothing
more.

Batches are capped by rows and by the bytes of their rows written as Cypher
literals. A row too big for one batch is written without its biggest values,
which then follow in parts (``SET t.p = row.part``, then ``t.p + row.part``).

Examples
--------
>>> print(cypher_literal(["it's", 'a "b"\n', 2.5, True]))
['it\'s', 'a "b"\n', 2.5, true]
>>> split_statements("RETURN ';' AS a; // x;\nRETURN 2;")
["RETURN ';' AS a", 'RETURN 2']
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, Sequence

from kg.export.rows import GraphRows, NodeGroup, RelationshipGroup, graph_rows, json_text
from kg.files import atomic_open
from kg.graph import KnowledgeGraph
from kg.schema import constraints_cypher, load_schema

ROWS_PARAMETER = "$rows"
SCRATCH = "__kg_part"  # holds a value too big for one statement while it is assembled
SCRIPT_BATCH_SIZE = 500
SCRIPT_BATCH_BYTES = 1_000_000
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\u0000"}


# --- literals ---------------------------------------------------------------

def string_literal(text: str) -> str:
    """A single-quoted Cypher string; other characters stay as they are (Neo4j and FalkorDB read UTF-8)."""
    return "'" + "".join(_ESCAPES.get(c, c) for c in text) + "'"


def float_literal(x: float) -> str:
    if math.isnan(x):
        return "(0.0/0.0)"
    if math.isinf(x):
        return "(1.0/0.0)" if x > 0 else "(-1.0/0.0)"
    return repr(x).replace("e+", "e")


def map_key(name: str) -> str:
    return name if name.isidentifier() and name.isascii() else "`" + name.replace("`", "``") + "`"


def cypher_literal(value: Any) -> str:
    """``value`` (None, bool, int, float, str, list, dict) as a Cypher literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_literal(value)
    if isinstance(value, str):
        return string_literal(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{map_key(k)}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Cypher literal for a {type(value).__name__}")


def _string_size(text: str) -> int:
    return len(text.encode("utf-8")) + 2 + sum(len(_ESCAPES[c]) - 1 for c in text if c in _ESCAPES)


def literal_size(value: Any) -> int:
    """Bytes of ``value`` written as a literal: the measure every batch cap uses.

    A float counts at its longest text, its literal or ``printf("%f")``, which
    is how FalkorDB's Bolt port writes float parameters into the query.
    """
    if isinstance(value, str):
        return _string_size(value)
    if isinstance(value, float) and math.isfinite(value):
        return max(len(float_literal(value)), len(f"{value:f}"))
    if isinstance(value, (list, tuple)):
        return 2 + sum(literal_size(v) for v in value) + 2 * max(len(value) - 1, 0)
    if isinstance(value, Mapping):
        return 2 + sum(len(map_key(k)) + 2 + literal_size(v) for k, v in value.items()) + 2 * max(len(value) - 1, 0)
    return len(cypher_literal(value))


def split_statements(text: str) -> list[str]:
    """The statements of a Cypher script, comments dropped: split at ``;`` outside strings and names."""
    statements, current, i, n = [], [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"`":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if c != "`" and text[j] == "\\" else 1
            current.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif c == ";":
            statements.append("".join(current))
            current = []
            i += 1
        else:
            current.append(c)
            i += 1
    statements.append("".join(current))
    return [s.strip() for s in statements if s.strip()]


# --- statements ---------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    """One Cypher statement reading its rows from ``$rows``.

    ``name`` is the label or relationship group it writes (for progress),
    ``completes`` the number of graph rows it writes (0 for the parts of a
    value too big for a batch, which follow the batch holding its row), and
    ``parameter_bytes`` the size of ``rows`` as a literal, as the batcher counted it.
    """

    name: str
    query: str
    rows: tuple[dict, ...]
    completes: int
    parameter_bytes: int

    def inline(self) -> str:
        """The statement with its rows written in as a literal, for a script."""
        head, found, tail = self.query.partition(ROWS_PARAMETER)
        assert found and ROWS_PARAMETER not in tail
        return head + cypher_literal(list(self.rows)) + tail


def _union(target: str, incoming: str) -> str:
    """``target`` plus the elements of ``incoming`` it lacks; null-safe (FalkorDB: list + null is null)."""
    return (f"coalesce({target}, []) + [x IN coalesce({incoming}, []) "
            f"WHERE NOT x IN coalesce({target}, [])]")


def _merged_names(rows: Iterable) -> list[str]:
    return sorted({name for row in rows for name in row.merged})


def node_query(group: NodeGroup, merged: Sequence[str]) -> str:
    """MERGE the group's nodes on their key, set their labels and properties, union their lists."""
    lines = ["UNWIND $rows AS row", f"MERGE (n:{group.key_label} {{{group.key}: row.key}})"]
    if group.label != group.key_label:
        others = [label for label in load_schema().entity_labels if label != group.label]
        lines += [f"SET n:{group.label}", "REMOVE n:" + ":".join(others)]
    lines.append("SET n += row.props")
    lines += [f"SET n.{name} = {_union('n.' + name, 'row.lists.' + name)}" for name in merged]
    return "\n".join(lines)


def relationship_query(group: RelationshipGroup, merged: Sequence[str]) -> str:
    """MERGE one relationship per row between nodes matched on their keys; union its lists."""
    lines = [
        "UNWIND $rows AS row",
        f"MATCH (a:{group.start_label} {{{group.start_key}: row.start}})",
        f"MATCH (b:{group.end_label} {{{group.end_key}: row.end}})",
        f"MERGE (a)-[r:{group.type}]->(b)",
        "SET r += row.props",
    ]
    lines += [f"SET r.{name} = {_union('r.' + name, 'row.lists.' + name)}" for name in merged]
    return "\n".join(lines)


def _node_match(group: NodeGroup) -> str:
    return f"UNWIND $rows AS row\nMATCH (t:{group.key_label} {{{group.key}: row.key}})"


def _relationship_match(group: RelationshipGroup) -> str:
    return (f"UNWIND $rows AS row\nMATCH (:{group.start_label} {{{group.start_key}: row.start}})"
            f"-[t:{group.type}]->(:{group.end_label} {{{group.end_key}: row.end}})")


@dataclass(frozen=True)
class _Caps:
    rows: int
    bytes: int
    query_limit: int | None  # bytes of query + rendered parameters, for servers with a fixed buffer

    def for_query(self, query: str) -> int:
        if self.query_limit is None:
            return self.bytes
        return min(self.bytes, self.query_limit - len(query.encode("utf-8")) - len("CYPHER rows= "))


def _batches(name: str, query: str, rows: Sequence[dict], caps: _Caps) -> Iterator[Statement]:
    cap = caps.for_query(query)
    batch: list[dict] = []
    size = 2
    for row in rows:
        row_size = literal_size(row)
        if batch and (len(batch) >= caps.rows or size + 2 + row_size > cap):
            yield Statement(name, query, tuple(batch), len(batch), size)
            batch, size = [], 2
        batch.append(row)
        size += row_size + (2 if len(batch) > 1 else 0)
    if batch:
        yield Statement(name, query, tuple(batch), len(batch), size)


def _split_text(text: str, budget: int) -> list[str]:
    """``text`` in pieces whose literals take at most ``budget`` bytes each."""
    pieces, start, size = [], 0, 2
    for i, c in enumerate(text):
        char_size = len(_ESCAPES.get(c, c).encode("utf-8"))
        if size + char_size > budget and i > start:
            pieces.append(text[start:i])
            start, size = i, 2
        size += char_size
    pieces.append(text[start:])
    return pieces


def _split_list(values: list, budget: int) -> list[list]:
    """``values`` in chunks whose literals fit ``budget``; an element too big alone gets a chunk alone."""
    chunks: list[list] = []
    chunk: list = []
    size = 2
    for v in values:
        v_size = literal_size(v)
        if chunk and size + 2 + v_size > budget:
            chunks.append(chunk)
            chunk, size = [], 2
        chunk.append(v)
        size += v_size + (2 if len(chunk) > 1 else 0)
    chunks.append(chunk)
    return chunks


class _Parts:
    """Statements that write one value too big for a batch, piece by piece, into target ``t``."""

    def __init__(self, name: str, match: str, ident: dict, caps: _Caps):
        self.name, self.match, self.ident, self.caps = name, match, ident, caps
        self.statements: list[Statement] = []

    def _budget(self, query: str, part: Any) -> int:
        """Bytes left for ``row.part`` in ``query`` once the row around it is counted."""
        budget = self.caps.for_query(query) - literal_size([{**self.ident, "part": part}]) + literal_size(part)
        if budget < 64:
            raise ValueError(f"batch bytes too small to write {self.name} {self.ident} in parts")
        return budget

    def _emit(self, set_clause: str, part: Any = None) -> None:
        query = f"{self.match}\n{set_clause}"
        row = dict(self.ident) if part is None else {**self.ident, "part": part}
        self.statements.append(Statement(self.name, query, (row,), 0, literal_size((row,))))

    def _text(self, target: str, text: str, first: str) -> None:
        """``first`` is the SET for the first piece; later pieces are appended to ``target``."""
        query = f"{self.match}\nSET {target} = {target} + row.part"
        for i, piece in enumerate(_split_text(text, self._budget(query, ""))):
            self._emit(first if i == 0 else f"SET {target} = {target} + row.part", piece)

    def string(self, prop: str, text: str) -> None:
        self._text(f"t.{prop}", text, f"SET t.{prop} = row.part")

    def scalar(self, prop: str, value: Any) -> None:
        """A number or boolean that does not fit beside the rest of its row goes alone."""
        if literal_size(value) > self._budget(f"{self.match}\nSET t.{prop} = row.part", value):
            raise ValueError(f"{self.name} {self.ident}: property {prop!r} is over the byte cap on its own")
        self._emit(f"SET t.{prop} = row.part", value)

    def _big_element(self, prop: str, element: Any, merged: bool) -> None:
        text = element if isinstance(element, str) else json_text(element)
        self._text(f"t.{SCRATCH}", text, f"SET t.{SCRATCH} = row.part")
        if merged:
            add = (f"coalesce(t.{prop}, []) + CASE WHEN t.{SCRATCH} IN coalesce(t.{prop}, []) "
                   f"THEN [] ELSE [t.{SCRATCH}] END")
        else:
            add = f"coalesce(t.{prop}, []) + [t.{SCRATCH}]"
        self._emit(f"SET t.{prop} = {add}\nREMOVE t.{SCRATCH}")

    def values(self, prop: str, values: list, merged: bool) -> None:
        """A list: replaced (first chunk SET, later ones appended) or, when ``merged``, unioned."""
        add = _union(f"t.{prop}", "row.part") if merged else f"t.{prop} + row.part"
        budget = self._budget(f"{self.match}\nSET t.{prop} = {add}", [])
        for i, chunk in enumerate(_split_list(values, budget)):
            replace_first = i == 0 and not merged
            if len(chunk) == 1 and literal_size(chunk) > budget:
                if replace_first:
                    self._emit(f"SET t.{prop} = row.part", [])
                self._big_element(prop, chunk[0], merged)
            else:
                self._emit(f"SET t.{prop} = row.part" if replace_first else f"SET t.{prop} = {add}", chunk)


def _fit(name: str, row: dict, cap: int, parts: _Parts) -> dict:
    """``row`` without the values that keep it over ``cap``; those are queued on ``parts``."""
    if literal_size([row]) <= cap:
        return row
    props, lists = dict(row["props"]), dict(row.get("lists", {}))
    reduced = {**row, "props": props, "lists": lists}
    candidates = sorted([("props", k, v) for k, v in props.items()] + [("lists", k, v) for k, v in lists.items()],
                        key=lambda c: -literal_size(c[2]))
    for where, prop, value in candidates:
        if literal_size([reduced]) <= cap:
            break
        del reduced[where][prop]
        if isinstance(value, str):
            parts.string(prop, value)
        elif isinstance(value, list):
            parts.values(prop, value, merged=where == "lists")
        else:
            parts.scalar(prop, value)
    if not reduced["lists"]:
        del reduced["lists"]
    if literal_size([reduced]) > cap:
        raise ValueError(f"{name} {parts.ident}: the row's key alone is over the byte cap of {cap}")
    return reduced


def _group_statements(name: str, query: str, match: str, rows: list[dict], idents: list[dict],
                      caps: _Caps) -> Iterator[Statement]:
    """Batches of the rows (big values left out), then the parts of the values left out."""
    cap = caps.for_query(query)
    fitted: list[dict] = []
    parts: list[Statement] = []
    for row, ident in zip(rows, idents):
        queue = _Parts(name, match, ident, caps)
        fitted.append(_fit(name, row, cap, queue))
        parts += queue.statements
    yield from _batches(name, query, fitted, caps)
    yield from parts


def _row_param(ident: dict, properties: Mapping, merged: Mapping) -> dict:
    row = {**ident, "props": dict(properties)}
    if merged:
        row["lists"] = dict(merged)
    return row


def write_statements(rows: GraphRows, *, batch_size: int, batch_bytes: int,
                     query_limit: int | None = None) -> Iterator[Statement]:
    """The statements that write ``rows``: all node groups, then all relationship groups.

    ``batch_size`` caps the rows of a statement and ``batch_bytes`` the bytes of
    its rows as a literal. ``query_limit`` caps the query text plus its
    rendered parameters, for servers (FalkorDB) that build that text in a
    fixed-size buffer.
    """
    if batch_size < 1 or batch_bytes < 1:
        raise ValueError("batch size and batch bytes must be positive")
    caps = _Caps(batch_size, batch_bytes, query_limit)
    for group in rows.nodes:
        merged = _merged_names(group.rows)
        idents = [{"key": r.key} for r in group.rows]
        params = [_row_param(i, r.properties, r.merged) for i, r in zip(idents, group.rows)]
        yield from _group_statements(group.label, node_query(group, merged), _node_match(group), params, idents,
                                     caps)
    for group in rows.relationships:
        merged = _merged_names(group.rows)
        idents = [{"start": r.start, "end": r.end} for r in group.rows]
        params = [_row_param(i, r.properties, r.merged) for i, r in zip(idents, group.rows)]
        yield from _group_statements(group.name, relationship_query(group, merged), _relationship_match(group),
                                     params, idents, caps)


# --- the script -----------------------------------------------------------------

def generate_cypher(kg: KnowledgeGraph, *, batch_size: int = SCRIPT_BATCH_SIZE,
                    batch_bytes: int = SCRIPT_BATCH_BYTES) -> Iterator[str]:
    """The lines of a script for ``cypher-shell -f``: the schema, then every MERGE, each ending in ``;``."""
    rows = graph_rows(kg)
    nodes, relationships = sum(rows.node_counts().values()), sum(rows.relationship_counts().values())
    yield f"// kg graph: {nodes} nodes, {relationships} relationships. Idempotent: safe to run again.\n"
    yield "// Schema (Neo4j 5 syntax).\n"
    for statement in constraints_cypher():
        yield statement + ";\n"
    for statement in write_statements(rows, batch_size=batch_size, batch_bytes=batch_bytes):
        yield statement.inline() + ";\n"


def write_cypher(kg: KnowledgeGraph, path: str | Path, *, batch_size: int = SCRIPT_BATCH_SIZE,
                 batch_bytes: int = SCRIPT_BATCH_BYTES) -> None:
    """Write the script of :func:`generate_cypher` to ``path`` (atomically)."""
    with atomic_open(path) as f:
        f.writelines(generate_cypher(kg, batch_size=batch_size, batch_bytes=batch_bytes))


__all__ = [
    "Statement", "cypher_literal", "generate_cypher", "literal_size", "node_query", "relationship_query", "split_statements", "string_literal", "write_cypher", "write_statements",
]

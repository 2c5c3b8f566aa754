r"""Cypher for the graph: literals, the idempotent MERGE statements in batches, and a script.

The Bolt loader (:mod:`kg.export.neo4j`) and the script written here run the
same statements: each reads its rows from ``$rows``; the loader sends them as
a parameter, the script inlines them as literals. Every statement MERGEs on
the node keys, so running it twice, or after a partial run, changes nothing
more.

A row is a list, not a map: the key (or the start and end keys), then the
values in the order the statement names their properties (``SET n.title =
row[1], ...``). Rows are grouped by the properties they carry, one statement
text per group of rows, so no row sends a property name or a null. Under a
server's byte cap (FalkorDB: ~4 KB a query) that is what decides how many rows
a statement carries, and so how many statements a load takes.

Batches are capped by rows and by the bytes of their rows written as Cypher
literals. A row too big for one batch is written without its biggest values,
which then follow in parts (``SET t.p = row[1]``, then ``t.p + row[1]``).

Written ``exact`` (``kg export neo4j --sync``), a node or relationship ends up
as its row says: lists are replaced instead of unioned, and a node loses the
schema's properties its row no longer has. :func:`delete_statements` delete
nodes and relationships by key.

Examples
--------
>>> print(cypher_literal(["it's", 'a "b"\n', 2.5, True]))
['it\'s', 'a "b"\n', 2.5, true]
>>> split_statements("RETURN ';' AS a; // x;\nRETURN 2;")
["RETURN ';' AS a", 'RETURN 2']
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from kg.errors import ExportError
from kg.export.rows import GraphRows, NodeGroup, RelationshipGroup, graph_rows, json_text, property_name
from kg.files import atomic_open
from kg.graph import KnowledgeGraph
from kg.schema import constraints_cypher, load_schema

ROWS_PARAMETER = "$rows"
SCRATCH = "__kg_part"  # holds a value too big for one statement while it is assembled
SCRIPT_BATCH_SIZE = 500
SCRIPT_BATCH_BYTES = 1_000_000
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\0": "\\u0000"}
_ESCAPED = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_STR = {str}
OPEN_BATCHES = 8  # batches a group fills at once, so that a big row does not close a half-empty one


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


def literal_size(value: Any) -> int:
    """Bytes of ``value`` written as a literal: the measure every batch cap uses.

    A float counts at its longest text, its literal or ``printf("%f")``, which
    is how FalkorDB's Bolt port writes float parameters into the query.
    """
    strings: list[str] = []
    size = _size_without_strings(value, strings)
    if strings:  # all strings of the value in one pass over their joined text: most of what is sized
        text = "".join(strings)
        size += (len(text) if text.isascii() else len(text.encode("utf-8"))) + 2 * len(strings)
        escaped = _ESCAPED.findall(text)
        if escaped:
            size += len(escaped) + 4 * escaped.count("\0")  # one more byte each; \u0000 five more
    return size


def _size_without_strings(value: Any, strings: list[str]) -> int:
    """Bytes of ``value`` as a literal, less its strings, which are added to ``strings`` instead."""
    if isinstance(value, str):
        strings.append(value)
        return 0
    if isinstance(value, (list, tuple)):
        if not value:
            return 2
        size = 2 * len(value)  # brackets and ", " separators
        for v in value:  # a row: strings and lists of strings, mostly
            kind = type(v)
            if kind is str:
                strings.append(v)
            elif kind is list and v and set(map(type, v)) == _STR:
                strings.extend(v)
                size += 2 * len(v)
            else:
                size += _size_without_strings(v, strings)
        return size
    if isinstance(value, bool) or value is None:
        return len(cypher_literal(value))
    if isinstance(value, int):
        return len(str(value))
    if isinstance(value, float) and math.isfinite(value):
        return max(len(float_literal(value)), len(f"{value:f}"))
    if isinstance(value, Mapping):
        return 2 + sum(len(map_key(k)) + 2 + _size_without_strings(v, strings) for k, v in value.items()) \
            + 2 * max(len(value) - 1, 0)
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
    """One Cypher statement reading its rows (lists: see the module notes) from ``$rows``.

    ``name`` is the label or relationship group it writes (for progress),
    ``completes`` the number of graph rows it writes (0 for the parts of a
    value too big for a batch, which follow the batch holding its row), and
    ``parameter_bytes`` the size of ``rows`` as a literal, as the batcher counted it.
    ``key_labels`` are the labels the keys leading each row are unique within:
    one for a node, the start's and the end's for a relationship.
    ``continues`` marks a part that builds on the part before it (appends to
    it), so the two must not be split between transactions: a transaction run
    again must start the value over.

    ``query`` alone is always right. The others are cheaper ways to write
    rows that are not in the database yet, for a loader that knows which
    those are:

    - ``create_query`` creates every row, nodes with all their labels and
      properties at once, without looking for one there already. It is right
      only for rows known to be new: relationships with an end node that the
      same load created (:meth:`rows_known_new`), nodes of a key label
      that had none when the load began. And only once: a retried
      transaction may find them there (FalkorDB does not roll back a failed
      one).
    - ``create_missing_query`` (nodes) creates the nodes of ``rows`` that are
      not there yet and leaves the others alone (setting a label on a node
      that exists is what costs most on FalkorDB); ``query`` is needed after
      it only when some rows found their node.
    """

    name: str
    query: str
    rows: tuple[list, ...]
    completes: int
    parameter_bytes: int
    create_query: str | None = None
    create_missing_query: str | None = None
    key_labels: tuple[str, ...] = ()
    continues: bool = False

    @property
    def writes_nodes(self) -> bool:
        return len(self.key_labels) == 1

    def rows_known_new(self, created: Mapping[str, set[str]], empty: set[str]) -> list[bool]:
        """For each row, whether ``create_query`` may write it: a node of a key label among ``empty`` (labels
        with no node when the load began), a relationship with an end among ``created`` (key label: keys of
        the nodes the load created). All false for parts of a value."""
        if self.create_query is None:
            return [False] * len(self.rows)
        if self.writes_nodes:
            return [self.key_labels[0] in empty] * len(self.rows)
        start_created, end_created = (created.get(label, ()) for label in self.key_labels)
        return [row[0] in start_created or row[1] in end_created for row in self.rows]

    def inline(self) -> str:
        """The statement with its rows written in as a literal, for a script."""
        head, found, tail = self.query.partition(ROWS_PARAMETER)
        assert found and ROWS_PARAMETER not in tail
        return head + cypher_literal(list(self.rows)) + tail


Shape = tuple[tuple[str, ...], tuple[str, ...]]  # (properties set, lists unioned) that rows of a statement carry


def _union(target: str, incoming: str) -> str:
    """``target`` plus the elements of ``incoming`` it lacks; null-safe (FalkorDB: list + null is null)."""
    return f"coalesce({target}, []) + [x IN {incoming} WHERE NOT x IN coalesce({target}, [])]"


def _set_clauses(var: str, shape: Shape, first: int) -> list[str]:
    """SET the properties from ``row[first]`` on, then union the lists that follow them."""
    properties, merged = shape
    clauses = []
    if properties:
        clauses.append("SET " + ", ".join(f"{var}.{name} = row[{first + i}]" for i, name in enumerate(properties)))
    first += len(properties)
    if merged:
        clauses.append("SET " + ", ".join(f"{var}.{name} = {_union(f'{var}.{name}', f'row[{first + i}]')}"
                                          for i, name in enumerate(merged)))
    return clauses


def node_query(group: NodeGroup, shape: Shape, exact: bool = False) -> str:
    """MERGE the group's nodes on their key (``row[0]``), set their labels and properties, union their lists;
    ``exact``: also remove the schema's properties the rows lack."""
    lines = ["UNWIND $rows AS row", f"MERGE (n:{group.key_label} {{{group.key}: row[0]}})"]
    if group.label != group.key_label:
        others = [label for label in load_schema().entity_labels if label != group.label]
        lines += [f"SET n:{group.label}", "REMOVE n:" + ":".join(others)]
    lines += _set_clauses("n", shape, 1)
    if exact:
        held = {group.key, *shape[0], *shape[1]}
        lacking = [property_name(name) for name in load_schema().node_labels[group.key_label]["properties"]
                   if name not in held]
        lines += ["REMOVE " + ", ".join(f"n.{name}" for name in lacking)] if lacking else []
    return "\n".join(lines)


def _node_create(group: NodeGroup, shape: Shape) -> str:
    names = (group.key, *shape[0], *shape[1])
    properties = ", ".join(f"{name}: row[{i}]" for i, name in enumerate(names))
    return f"CREATE (:{':'.join(group.labels)} {{{properties}}})"


def node_create_query(group: NodeGroup, shape: Shape) -> str:
    """CREATE a node per row, labels and properties at once, without looking for one with its key."""
    return f"UNWIND $rows AS row\n{_node_create(group, shape)}"


def node_create_missing_query(group: NodeGroup, shape: Shape) -> str:
    """CREATE, labels and properties at once, the nodes of the rows whose key is not there yet."""
    return "\n".join([
        "UNWIND $rows AS row",
        f"OPTIONAL MATCH (found:{group.key_label} {{{group.key}: row[0]}})",
        "WITH row WHERE found IS NULL",
        _node_create(group, shape),
    ])


def relationship_query(group: RelationshipGroup, shape: Shape) -> str:
    """MERGE one relationship per row between nodes matched on their keys (``row[0]``, ``row[1]``)."""
    lines = [
        "UNWIND $rows AS row",
        f"MATCH (a:{group.start_label} {{{group.start_key}: row[0]}})",
        f"MATCH (b:{group.end_label} {{{group.end_key}: row[1]}})",
        f"MERGE (a)-[r:{group.type}]->(b)",
    ]
    return "\n".join(lines + _set_clauses("r", shape, 2))


def relationship_create_query(group: RelationshipGroup, shape: Shape) -> str:
    """CREATE one relationship per row, with its properties and lists, without looking for one there already."""
    names = (*shape[0], *shape[1])
    properties = ", ".join(f"{name}: row[{i + 2}]" for i, name in enumerate(names))
    return "\n".join([
        "UNWIND $rows AS row",
        f"MATCH (a:{group.start_label} {{{group.start_key}: row[0]}})",
        f"MATCH (b:{group.end_label} {{{group.end_key}: row[1]}})",
        f"CREATE (a)-[:{group.type}{f' {{{properties}}}' if properties else ''}]->(b)",
    ])


def _node_match(group: NodeGroup) -> str:
    return f"UNWIND $rows AS row\nMATCH (t:{group.key_label} {{{group.key}: row[0]}})"


def _relationship_match(group: RelationshipGroup) -> str:
    return (f"UNWIND $rows AS row\nMATCH (:{group.start_label} {{{group.start_key}: row[0]}})"
            f"-[t:{group.type}]->(:{group.end_label} {{{group.end_key}: row[1]}})")


@dataclass(frozen=True)
class _Caps:
    rows: int
    bytes: int
    query_limit: int | None  # bytes of query + rendered parameters, for servers with a fixed buffer

    def for_query(self, *queries: str | None) -> int:
        """Bytes left for the rows of a statement that may be sent as any of ``queries``."""
        if self.query_limit is None:
            return self.bytes
        longest = max(len(q.encode("utf-8")) for q in queries if q is not None)
        return min(self.bytes, self.query_limit - longest - len("CYPHER rows= "))


@dataclass
class _Batch:
    rows: list
    size: int  # of ``rows`` as a list literal


@dataclass(frozen=True)
class _Texts:
    """The texts of the statements for rows of one shape (see :class:`Statement`), and the bytes they leave
    for the rows."""

    query: str
    create_query: str | None
    create_missing_query: str | None
    cap: int


def _batches(name: str, key_labels: tuple[str, ...], texts: _Texts, rows: Sequence[tuple[list, int]],
             caps: _Caps) -> Iterator[Statement]:
    """``rows`` in statements under the caps, each row in the first of a few open batches it fits.

    Rows vary in size (a paper with a long abstract beside short ones), so
    filling one batch at a time would leave room in most of them; the order of
    rows within a group does not matter to the graph.
    """
    open_batches: list[_Batch] = []

    def close(batch: _Batch) -> Statement:
        return Statement(name, texts.query, tuple(batch.rows), len(batch.rows), batch.size, texts.create_query,
                         texts.create_missing_query, key_labels)

    for row, row_size in rows:  # row_size: of the row with its separator, as in a list of rows
        for batch in open_batches:
            if len(batch.rows) < caps.rows and batch.size + row_size <= texts.cap:
                batch.rows.append(row)
                batch.size += row_size
                break
        else:
            if len(open_batches) == OPEN_BATCHES:
                fullest = max(open_batches, key=lambda b: b.size)
                open_batches.remove(fullest)
                yield close(fullest)
            open_batches.append(_Batch([row], row_size))
    for batch in open_batches:
        yield close(batch)


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
    """Statements that write one value too big for a batch, piece by piece, into target ``t``.

    Their rows are the key(s) of the target, then the piece: ``row[len(ident)]``.
    Each value's statements after its first build on what the ones before
    wrote, so they are marked ``continues``.
    """

    def __init__(self, name: str, key_labels: tuple[str, ...], match: str, ident: list, caps: _Caps):
        self.name, self.key_labels, self.match, self.ident, self.caps = name, key_labels, match, ident, caps
        self.part = f"row[{len(ident)}]"
        self.statements: list[Statement] = []
        self._value_begins = True

    def _budget(self, query: str, part: Any) -> int:
        """Bytes left for the piece in ``query`` once the row around it is counted."""
        budget = self.caps.for_query(query) - literal_size([[*self.ident, part]]) + literal_size(part)
        if budget < 64:
            raise ExportError(f"batch bytes too small to write {self.name} {self.ident} in parts")
        return budget

    def _emit(self, set_clause: str, part: Any = None) -> None:
        query = f"{self.match}\n{set_clause}"
        row = list(self.ident) if part is None else [*self.ident, part]
        self.statements.append(Statement(self.name, query, (row,), 0, literal_size((row,)),
                                         key_labels=self.key_labels, continues=not self._value_begins))
        self._value_begins = False

    def _text(self, target: str, text: str, first: str) -> None:
        """``first`` is the SET for the first piece; later pieces are appended to ``target``."""
        append = f"SET {target} = {target} + {self.part}"
        for i, piece in enumerate(_split_text(text, self._budget(f"{self.match}\n{append}", ""))):
            self._emit(first if i == 0 else append, piece)

    def string(self, prop: str, text: str) -> None:
        self._value_begins = True
        self._text(f"t.{prop}", text, f"SET t.{prop} = {self.part}")

    def scalar(self, prop: str, value: Any) -> None:
        """A number or boolean that does not fit beside the rest of its row goes alone."""
        if literal_size(value) > self._budget(f"{self.match}\nSET t.{prop} = {self.part}", value):
            raise ExportError(f"{self.name} {self.ident}: property {prop!r} is over the byte cap on its own")
        self._value_begins = True
        self._emit(f"SET t.{prop} = {self.part}", value)

    def _big_element(self, prop: str, element: Any, merged: bool) -> None:
        text = element if isinstance(element, str) else json_text(element)
        self._text(f"t.{SCRATCH}", text, f"SET t.{SCRATCH} = {self.part}")
        if merged:
            add = (f"coalesce(t.{prop}, []) + CASE WHEN t.{SCRATCH} IN coalesce(t.{prop}, []) "
                   f"THEN [] ELSE [t.{SCRATCH}] END")
        else:
            add = f"coalesce(t.{prop}, []) + [t.{SCRATCH}]"
        self._emit(f"SET t.{prop} = {add}\nREMOVE t.{SCRATCH}")

    def values(self, prop: str, values: list, merged: bool) -> None:
        """A list: replaced (first chunk SET, later ones appended) or, when ``merged``, unioned."""
        add = _union(f"t.{prop}", self.part) if merged else f"t.{prop} + {self.part}"
        budget = self._budget(f"{self.match}\nSET t.{prop} = {add}", [])
        self._value_begins = True
        for i, chunk in enumerate(_split_list(values, budget)):
            replace_first = i == 0 and not merged
            if len(chunk) == 1 and literal_size(chunk) > budget:
                if replace_first:
                    self._emit(f"SET t.{prop} = {self.part}", [])
                self._big_element(prop, chunk[0], merged)
            else:
                self._emit(f"SET t.{prop} = {self.part}" if replace_first else f"SET t.{prop} = {add}", chunk)


def _row(ident: list, properties: Mapping, merged: Mapping) -> list:
    return [*ident, *properties.values(), *merged.values()]


def _shaped(ident: list, properties: Mapping, merged: Mapping) -> tuple[Shape, list]:
    """The shape of a row (its names, sorted) and the row in that order."""
    shape, in_order = _shape_of(tuple(properties), tuple(merged))
    if in_order:  # as kg.export.rows makes them
        return shape, [*ident, *properties.values(), *merged.values()]
    return shape, [*ident, *(properties[name] for name in shape[0]), *(merged[name] for name in shape[1])]


@cache
def _shape_of(properties: tuple[str, ...], merged: tuple[str, ...]) -> tuple[Shape, bool]:
    """The shape of rows with these names in this order, and whether that order is already the shape's."""
    shape = (tuple(sorted(properties)), tuple(sorted(merged)))
    return shape, shape == (properties, merged)


def _fit(name: str, ident: list, properties: Mapping, merged: Mapping, cap: int, parts: _Parts,
         ) -> tuple[dict, dict]:
    """The properties and lists of a row, without the values that keep it over ``cap``; those go to ``parts``."""
    properties, merged = dict(properties), dict(merged)
    candidates = sorted([(properties, k, v, False) for k, v in properties.items()]
                        + [(merged, k, v, True) for k, v in merged.items()], key=lambda c: -literal_size(c[2]))
    for where, prop, value, is_merged in candidates:
        if literal_size([_row(ident, properties, merged)]) <= cap:
            break
        del where[prop]
        if isinstance(value, str):
            parts.string(prop, value)
        elif isinstance(value, list):
            parts.values(prop, value, merged=is_merged)
        else:
            parts.scalar(prop, value)
    if literal_size([_row(ident, properties, merged)]) > cap:
        raise ExportError(f"{name} {ident}: the row's key alone is over the byte cap of {cap}")
    return properties, merged


def _group_statements(name: str, key_labels: tuple[str, ...], rows: Sequence[tuple[list, Mapping, Mapping]],
                      match: str, texts_of: Callable[[Shape], tuple[str, str, str | None]], caps: _Caps,
                      ) -> Iterator[Statement]:
    """Batches of the rows (big values left out), one set of statement texts per shape, then the parts left out.

    ``rows`` are (ident, properties, lists to union); rows carrying the same
    names share a shape, and so statement texts: ``texts_of(shape)`` gives the
    query, the create query and the create-missing query.
    """
    texts: dict[Shape, _Texts] = {}

    def texts_for(shape: Shape) -> _Texts:
        if shape not in texts:
            query, create_query, create_missing_query = texts_of(shape)
            texts[shape] = _Texts(query, create_query, create_missing_query,
                                  caps.for_query(query, create_query, create_missing_query))
        return texts[shape]

    by_shape: dict[Shape, list[tuple[list, int]]] = {}
    parts: list[Statement] = []
    for ident, properties, merged in rows:
        shape, row = _shaped(ident, properties, merged)
        size = literal_size(row) + 2
        cap = texts_for(shape).cap
        if size > cap:
            queue = _Parts(name, key_labels, match, ident, caps)
            shape, row = _shaped(ident, *_fit(name, ident, properties, merged, cap, queue))
            size = literal_size(row) + 2
            parts += queue.statements
        by_shape.setdefault(shape, []).append((row, size))
    for shape, shaped in by_shape.items():
        yield from _batches(name, key_labels, texts_for(shape), shaped, caps)
    yield from parts


def _caps(batch_size: int, batch_bytes: int, query_limit: int | None) -> _Caps:
    if batch_size < 1 or batch_bytes < 1:
        raise ValueError("batch size and batch bytes must be positive")
    return _Caps(batch_size, batch_bytes, query_limit)


def _values(properties: Mapping, merged: Mapping, exact: bool) -> tuple[Mapping, Mapping]:
    """A row's properties to set and lists to union; ``exact``: every list set, none unioned."""
    return ({**properties, **merged}, {}) if exact and merged else (properties, merged)


def write_statements(rows: GraphRows, *, batch_size: int, batch_bytes: int,
                     query_limit: int | None = None, exact: bool = False) -> Iterator[Statement]:
    """The statements that write ``rows``: all node groups, then all relationship groups.

    ``batch_size`` caps the rows of a statement and ``batch_bytes`` the bytes of
    its rows as a literal. ``query_limit`` caps the query text plus its
    rendered parameters, for servers (FalkorDB) that build that text in a
    fixed-size buffer. ``exact`` writes each node and relationship as its row
    says (see the module notes), rather than adding to what is there.
    """
    caps = _caps(batch_size, batch_bytes, query_limit)
    for node_group in rows.nodes:
        yield from _group_statements(
            node_group.label, (node_group.key_label,),
            [([r.key], *_values(r.properties, r.merged, exact)) for r in node_group.rows],
            _node_match(node_group),
            lambda shape, g=node_group: (node_query(g, shape, exact), node_create_query(g, shape),
                                         node_create_missing_query(g, shape)),
            caps)
    for rel_group in rows.relationships:
        yield from _group_statements(
            rel_group.name, (rel_group.start_label, rel_group.end_label),
            [([r.start, r.end], *_values(r.properties, r.merged, exact)) for r in rel_group.rows],
            _relationship_match(rel_group),
            lambda shape, g=rel_group: (relationship_query(g, shape), relationship_create_query(g, shape), None),
            caps)


def delete_statements(rows: GraphRows, *, batch_size: int, batch_bytes: int,
                      query_limit: int | None = None) -> Iterator[Statement]:
    """The statements that delete the relationships of ``rows``, then its nodes with whatever relationships they
    still have, found by their keys (the rows' other values are not looked at). Caps as for
    :func:`write_statements`."""
    caps = _caps(batch_size, batch_bytes, query_limit)
    for rel_group in rows.relationships:
        query = f"{_relationship_match(rel_group)}\nDELETE t"
        keys = [[r.start, r.end] for r in rel_group.rows]
        yield from _batches(rel_group.name, (rel_group.start_label, rel_group.end_label),
                            _Texts(query, None, None, caps.for_query(query)),
                            [(key, literal_size(key) + 2) for key in keys], caps)
    for node_group in rows.nodes:
        query = f"{_node_match(node_group)}\nDETACH DELETE t"
        keys = [[r.key] for r in node_group.rows]
        yield from _batches(node_group.label, (node_group.key_label,), _Texts(query, None, None, caps.for_query(query)),
                            [(key, literal_size(key) + 2) for key in keys], caps)


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
    "Statement", "cypher_literal", "delete_statements", "generate_cypher", "literal_size", "node_create_missing_query",
    "node_create_query", "node_query", "relationship_create_query", "relationship_query", "split_statements",
    "string_literal", "write_cypher", "write_statements",
]

"""CSV files for ``neo4j-admin database import full``: one file per label and relationship group.

Node files carry the key as ``id:ID(Paper)``, ``id:ID(Claim)`` or
``key:ID(Entity)`` (one ID space per key label, so entity relabelling never
clashes) and a ``:LABEL`` column (``Entity;Model``); relationship files carry
``:START_ID(<space>)``, ``:END_ID(<space>)`` and ``:TYPE``. Lists become
``name:string[]`` (or ``long[]``, ...) joined by the array delimiter, ``;``
unless a value holds one, then U+001F. Every string is quoted (quotes
doubled), so commas, quotes and newlines survive (``--multiline-fields``); a
missing value or an empty list is an empty unquoted field, which the importer
leaves unset.

The import command names the files as they are in their folder, so it runs
in that folder, or in Neo4j's Docker image with the folder mounted as its
import folder (the README written beside the files shows both).

Examples
--------
>>> field_text("a, \\"b\\"\\nc")
'"a, ""b""\\nc"'
>>> field_text(["x", "y"], delimiter=";"), field_text(None), field_text(2.5)
('"x;y"', '', '2.5')
"""
from __future__ import annotations

import math
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from kg.errors import ExportError
from kg.export.rows import GraphRows, NodeGroup, RelationshipGroup, graph_rows
from kg.files import atomic_open, write_text_atomic
from kg.graph import KnowledgeGraph
from kg.schema import constraints_cypher

ARRAY_DELIMITERS = (";", "\x1f")
DEFAULT_DATABASE = "neo4j"


@dataclass(frozen=True)
class CsvFile:
    name: str
    kind: str  # "nodes" or "relationships"
    header: tuple[str, ...]
    records: tuple[tuple[str, ...], ...]  # fields already written as CSV text

    def text(self) -> str:
        return "".join(",".join(fields) + "\n" for fields in (self.header, *self.records))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return str(value)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def field_text(value: Any, delimiter: str = ";", as_string: bool = False) -> str:
    """One CSV field: empty for a missing value, quoted for strings and lists, bare for numbers."""
    if value is None or (isinstance(value, (list, tuple)) and not value):
        return ""
    if isinstance(value, (list, tuple)):
        return _quoted(delimiter.join(_scalar_text(v) for v in value))
    if isinstance(value, str) or as_string:
        return _quoted(_scalar_text(value))
    return _scalar_text(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    return "string"


def _column_type(values: Iterable[Any]) -> str:
    """The importer type for a column: ``long``, ``double[]``, ... (mixed kinds widen to double or string)."""
    kinds, is_list = set(), False
    for value in values:
        if isinstance(value, (list, tuple)):
            is_list = True
            kinds.update(_kind(v) for v in value)
        else:
            kinds.add(_kind(value))
    kind = kinds.pop() if len(kinds) == 1 else "double" if kinds == {"long", "double"} else "string"
    return kind + ("[]" if is_list else "")


def array_delimiter(rows: GraphRows) -> str:
    """``;`` unless some list element or label holds one; then U+001F."""
    def values() -> Iterable[Any]:
        for group in (*rows.nodes, *rows.relationships):
            for row in group.rows:
                yield from row.properties.values()
                yield from row.merged.values()
    used = {c for value in values() if isinstance(value, list) for v in value if isinstance(v, str)
            for c in ARRAY_DELIMITERS if c in v}
    for delimiter in ARRAY_DELIMITERS:
        if delimiter not in used:
            return delimiter
    raise ExportError("list values hold both ';' and U+001F: no array delimiter is safe")


def _property_columns(groups_rows: Sequence) -> list[tuple[str, str]]:
    values: dict[str, list] = {}
    for row in groups_rows:
        for name, value in (*row.properties.items(), *row.merged.items()):
            values.setdefault(name, []).append(value)
    return [(name, _column_type(values[name])) for name in sorted(values)]


def _properties(row: Any) -> dict[str, Any]:
    return {**row.properties, **row.merged}


def _header_name(name: str, column_type: str) -> str:
    return name if column_type == "string" else f"{name}:{column_type}"


def node_file(group: NodeGroup, delimiter: str) -> CsvFile:
    columns = _property_columns(group.rows)
    header = (f"{group.key}:ID({group.key_label})", ":LABEL", *(_header_name(n, t) for n, t in columns))
    labels = _quoted(delimiter.join(group.labels))
    records = tuple(
        (_quoted(row.key), labels,
         *(field_text(_properties(row).get(n), delimiter, as_string=t == "string") for n, t in columns))
        for row in group.rows
    )
    return CsvFile(f"nodes_{group.label}.csv", "nodes", header, records)


def relationship_file(group: RelationshipGroup, delimiter: str) -> CsvFile:
    columns = _property_columns(group.rows)
    header = (f":START_ID({group.start_label})", f":END_ID({group.end_label})", ":TYPE",
              *(_header_name(n, t) for n, t in columns))
    records = tuple(
        (_quoted(row.start), _quoted(row.end), _quoted(group.type),
         *(field_text(_properties(row).get(n), delimiter, as_string=t == "string") for n, t in columns))
        for row in group.rows
    )
    return CsvFile(f"relationships_{group.type}_{group.start_label}_{group.end_label}.csv", "relationships",
                   header, records)


def csv_files(kg: KnowledgeGraph) -> tuple[list[CsvFile], str]:
    """The import files of ``kg`` and the array delimiter they use."""
    rows = graph_rows(kg)
    delimiter = array_delimiter(rows)
    files = [node_file(g, delimiter) for g in rows.nodes]
    files += [relationship_file(g, delimiter) for g in rows.relationships]
    return files, delimiter


def _delimiter_option(delimiter: str) -> str:
    return delimiter if delimiter == ";" else f"U+{ord(delimiter):04X}"


def import_command(files: Sequence[CsvFile], delimiter: str, database: str = DEFAULT_DATABASE) -> str:
    """The ``neo4j-admin database import full`` command line for ``files``, named relative to their folder
    (neo4j-admin reads relative paths from the folder it runs in)."""
    arguments = ["neo4j-admin", "database", "import", "full", database, "--multiline-fields=true",
                 f"--array-delimiter={_delimiter_option(delimiter)}"]
    arguments += [f"--{f.kind}={f.name}" for f in files]
    return " ".join(shlex.quote(a) for a in arguments)


def readme(files: Sequence[CsvFile], command: str) -> str:
    listing = "\n".join(f"- `{f.name}`: {len(f.records)} {f.kind}" for f in files)
    constraints = "\n".join(s + ";" for s in constraints_cypher())
    return f"""# kg graph for neo4j-admin import

Written by `kg export csv`. Import into a database that does not exist yet
(or add `--overwrite-destination=true` to replace one), with that database
stopped. The command names the files relative to this folder, so run it in
this folder (or in the folder you copied the files to, such as Neo4j's
`import/`):

```sh
{command}
```

In Neo4j's Docker image, mount this folder as the import folder, `/import`,
and run the same command there, on the volume the server will use for `/data`
(then start the server on that volume as usual):

```sh
docker run --rm --volume "$PWD":/import --volume neo4j-data:/data neo4j:5 \\
  bash -c {shlex.quote(f"cd /import && {command}")}
```

Files:

{listing}

Strings are quoted with `"` (doubled inside) and may span lines, hence
`--multiline-fields=true`. Entity nodes share one ID space (`ID(Entity)`), so
relationships find them whatever their type. After the import, create the
constraints kg relies on (`cypher-shell -d <database> -f constraints.cypher`;
in Docker, `-f /import/constraints.cypher` in the running container):

```cypher
{constraints}
```
"""


def write_csv(kg: KnowledgeGraph, directory: str | Path, *, database: str = DEFAULT_DATABASE) -> str:
    """Write the import files, ``constraints.cypher`` and ``README.md`` to ``directory``; return the command,
    which runs in ``directory``."""
    target = Path(directory)
    files, delimiter = csv_files(kg)
    for csv_file in files:
        with atomic_open(target / csv_file.name) as f:
            f.write(csv_file.text())
    command = import_command(files, delimiter, database)
    write_text_atomic(target / "constraints.cypher", "".join(s + ";\n" for s in constraints_cypher()))
    write_text_atomic(target / "README.md", readme(files, command))
    return command

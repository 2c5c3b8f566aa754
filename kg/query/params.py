"""Query parameters: ``kg query --param NAME=VALUE`` read as JSON where it is JSON, and their names checked.

Examples
--------
>>> parse_param("limit=5"), parse_param("key=llama"), parse_param('year="2024"')
(('limit', 5), ('key', 'llama'), ('year', '2024'))
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

from kg.errors import QueryError

_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def parse_param(item: str) -> tuple[str, Any]:
    """``name=value`` as ``(name, value)``, for ``kg query --param``.

    The value is read as JSON when it is JSON (``5`` an int, ``0.5`` a float,
    ``true``/``false``/``null``, ``"2024"`` a string, ``["a","b"]`` a list,
    ``{"k": 1}`` a map) and is otherwise the string as written (``llama``,
    ``speculative decoding``, ``007``). ``NaN`` and ``Infinity`` stay strings.
    """
    name, sep, text = item.partition("=")
    name = name.strip()
    if not sep or not _PARAM_NAME.match(name):
        raise QueryError(f"parameter {item!r} is not NAME=VALUE with NAME a plain identifier")
    try:
        return name, json.loads(text, parse_constant=_no_constant)
    except ValueError:
        return name, text


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """``parse_param`` for each item; a later name overrides an earlier one."""
    return dict(parse_param(item) for item in items)


def check_params(params: Mapping[str, Any] | None) -> None:
    """A :class:`QueryError` unless every parameter name is a plain identifier."""
    for name in params or {}:
        if not isinstance(name, str) or not _PARAM_NAME.match(name):
            raise QueryError(f"parameter name {name!r} is not a plain identifier")

"""A stream cut into lists of at most ``size`` items, read lazily: extraction's chunks, SQL's bound values,
a file's blocks of rows."""
from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk

"""The builder's version: what turns a store's extractions into its outputs and its update state.

A store's manifest and its update state (``kg.state``) are stamped with it, so both are made anew when the
code or the data that make them change: the view's files too (``viz/``), since the state keeps the view's
payload. It is computed once a process: ``kg build`` and ``kg remove`` need it twice.
"""
from __future__ import annotations

import functools
from pathlib import Path

import kg
from kg.fingerprint import code_fingerprint

BUILD_CODE = ("kg.build", "kg.export.html")  # where building starts; the fingerprint follows its imports


def builder_data() -> tuple[Path, ...]:
    """The folders that turning extractions into the outputs reads besides its code."""
    from kg.export.html import VIZ_DIR
    from kg.schema import SCHEMA_DIR
    from kg.tables import TABLES_DIR

    return TABLES_DIR, SCHEMA_DIR, VIZ_DIR


@functools.cache
def builder_version() -> str:
    """kg's version and a fingerprint of the code and data that turn extractions into the outputs."""
    return kg.__version__ + code_fingerprint(BUILD_CODE, builder_data())

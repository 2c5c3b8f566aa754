"""kg's errors: failures the user can act on, each with a one-line message that says what and where.

The command line prints a :class:`KgError` as one line (``Error: ...``, exit status 1); any other
exception is a bug and keeps its traceback. Errors about what the user gave or about a store are
also ValueErrors, as they were before this module, so ``except ValueError`` around
``kg.load`` or ``kg.build`` keeps working.

One more error the user can act on lives with the code that raises it, because moving it would
change the extractor's version: ``kg.extract.pipeline.ModelNotFound`` (no spaCy model by that name).
"""
from __future__ import annotations


class KgError(Exception):
    """A failure the user can act on; the message, one line, says what went wrong and where."""


class InputError(KgError, ValueError):
    """What the user gave cannot be used: inputs with no usable paper, a paper id the store lacks."""


class StoreError(KgError, ValueError):
    """A store, graph file or cache that kg cannot read or use (not kg's, damaged, edited by hand)."""


class StoreBusy(KgError):
    """Another process writes the store, and the time given to wait for it ran out."""


class CacheUnreadable(StoreError):
    """The extraction cache's file is there, but SQLite cannot read it: not a database, or damaged."""


class ExportError(KgError):
    """A write to a target cannot be done: a value over the batch caps, a server refused or lost."""


class Neo4jExportError(ExportError):
    """The Bolt server cannot be used: address, credentials, database, or a statement it rejected."""


class AheadError(ExportError):
    """The process making statements ahead ended without finishing, or raised what cannot be sent back."""


class QueryError(KgError):
    """A query cannot be run: bad Cypher (the server's message), no graph file, an unreachable server."""

"""kg's errors: failures the user can act on, each with a one-line message that says what and where.

The command line prints a :class:`KgError` as one line (``Error: ...``, exit status 1); any other
exception is a bug and keeps its traceback. Each keeps the built-in base it had before this module
(errors about what the user gave or about a store are ValueErrors, an output that cannot be written
an OSError), so ``except ValueError`` around ``kg.load`` or ``kg.build`` keeps working.
"""
from __future__ import annotations


class KgError(Exception):
    """A failure the user can act on; the message, one line, says what went wrong and where."""


class InputError(KgError, ValueError):
    """What the user gave cannot be used: inputs with no usable paper, a paper id the store lacks."""


class StoreError(KgError, ValueError):
    """A store, graph file or cache that kg cannot read or use (not kg's, damaged, edited by hand)."""


class TermsError(InputError):
    """A line of a ``--terms`` or ``--aliases`` file that cannot be read; the message names the file and line."""


class ModelNotFound(KgError, RuntimeError):
    """No spaCy model by the name given (or none installed), or one that cannot be loaded."""


class OutputError(KgError, OSError):
    """An output that cannot be written; the message names it and gives the system's reason."""


class LabelError(KgError, ValueError):
    """An annotation (``training/``) that cannot be tied to its paper's text."""


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

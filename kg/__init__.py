"""kg: an offline knowledge-graph builder for research literature.

``kg.build``, ``kg.load``, ``kg.extract`` and ``kg.Graph``, for notebooks and scripts, are documented in ``kg.api``.
"""
import importlib
import sys
import types

__version__ = "0.1.0"
API = ("BuildResult", "Graph", "build", "extract", "load")
__all__ = [*API, "__version__"]


def __getattr__(name: str):
    # kg.api is loaded on first use, and by name rather than by an import statement: the fingerprints of
    # extraction and of the build (kg/fingerprint.py) follow import statements from this file, and the
    # API's code never runs in either.
    if name in API:
        value = getattr(importlib.import_module("kg.api"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *API})


class _Package(types.ModuleType):
    """``kg.build`` and ``kg.extract`` are the functions, though kg/build.py and kg/extract/ are modules too:
    importing a submodule sets it as an attribute of its package, which would hide the function. The
    modules stay importable by name (``from kg.build import build_store``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if not (name in ("build", "extract") and isinstance(value, types.ModuleType)):
            super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""kg.errors: every exception class of kg is a KgError defined there, and keeps the built-in base callers catch."""
import ast
import inspect
from pathlib import Path

import pytest

import kg.errors
from kg.errors import InputError, KgError, LabelError, ModelNotFound, OutputError, StoreError, TermsError

KG_DIR = Path(kg.errors.__file__).resolve().parent


def _exception_classes_in(path: Path) -> list[str]:
    """The classes ``path`` defines whose bases name an exception (``...Error``, ``Exception``, ...)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.endswith(("Error", "Exception", "Exit", "Warning", "NotFound", "Busy")) for b in bases):
                found.append(node.name)
    return found


def test_errors_no_exception_class_outside_kg_errors():
    elsewhere = {str(p.relative_to(KG_DIR)): names for p in sorted(KG_DIR.rglob("*.py"))
                 if p.name != "errors.py" and (names := _exception_classes_in(p))}
    assert elsewhere == {}


def test_errors_every_class_of_kg_errors_is_a_kg_error():
    classes = [c for _, c in inspect.getmembers(kg.errors, inspect.isclass) if c.__module__ == "kg.errors"]
    assert len(classes) > 10 and all(issubclass(c, KgError) for c in classes)


@pytest.mark.parametrize("error, base", [
    (InputError, ValueError), (StoreError, ValueError), (TermsError, ValueError), (LabelError, ValueError),
    (OutputError, OSError), (ModelNotFound, RuntimeError),
])
def test_errors_keep_the_built_in_base_callers_catch(error, base):
    raised = error("what went wrong, and where")
    assert isinstance(raised, base) and isinstance(raised, KgError)
    assert str(raised) == "what went wrong, and where"

"""The extraction cache and the store manifest are versioned by every file that can change their content."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.build import BUILD_CODE
from kg.export.html import VIZ_DIR
from kg.extract.pipeline import EXTRACTION_CODE
from kg.fingerprint import code_fingerprint, files_under, imported_names, module_closure
from kg.learn.recogniser import MODEL_DIR
from kg.schema import SCHEMA_DIR
from kg.tables import TABLES_DIR

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "papers.jsonl"

LOADED_BY_EXTRACTION = """
import json, sys
from kg.extract import extract
from kg.records import Paper
list(extract([Paper(id="p", title="Medusa", abstract="We present Medusa, 2.2x faster than speculative decoding.")]))
print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() if n.split(".")[0] == "kg")))
"""
LOADED_BY_BUILD = """
import json, sys
from kg.build import BuildOptions, build_store
build_store([sys.argv[1]], sys.argv[2], BuildOptions(jobs=1, use_cache=False))
print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() if n.split(".")[0] == "kg")))
"""
VERSIONS = """
from kg.build import _builder_version
from kg.extract.pipeline import extractor_version
print(extractor_version(), _builder_version())
"""


def loaded_kg_files(script: str, *args: str) -> set[Path]:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True).stdout
    return {Path(f).resolve() for f in json.loads(out.splitlines()[-1])}


def test_fingerprint_extraction_covers_every_kg_module_extraction_loads():
    assert loaded_kg_files(LOADED_BY_EXTRACTION) <= set(module_closure(EXTRACTION_CODE))


def test_fingerprint_build_covers_every_kg_module_a_build_loads(tmp_path):
    loaded = loaded_kg_files(LOADED_BY_BUILD, str(EXAMPLES), str(tmp_path / "store"))
    # schema/ and viz/ are the packages kg.schema_data and kg.viz_data, hashed whole as the build's data.
    assert loaded <= set(module_closure(BUILD_CODE)) | set(files_under((SCHEMA_DIR, VIZ_DIR)))


def test_fingerprint_follows_records_into_extraction_and_build():
    records = (ROOT / "kg" / "records.py").resolve()
    assert records in module_closure(EXTRACTION_CODE)
    assert records in module_closure(BUILD_CODE)


@pytest.mark.parametrize("roots, data", [
    (EXTRACTION_CODE, (TABLES_DIR, MODEL_DIR)),
    (BUILD_CODE, (TABLES_DIR, SCHEMA_DIR, VIZ_DIR)),
], ids=["extraction", "build"])
def test_fingerprint_changes_with_each_of_its_files(tmp_path, roots, data):
    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__"))
    copied_data = []
    for folder in data:
        target = copy / folder.relative_to(ROOT / "kg") if folder.is_relative_to(ROOT / "kg") else tmp_path / folder.name
        if not target.exists():
            shutil.copytree(folder, target)
        copied_data.append(target)
    before = code_fingerprint(roots, copied_data, package_dir=copy)
    inputs = [*module_closure(roots, copy), *files_under(copied_data)]
    assert len(inputs) > 10
    for path in inputs:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert code_fingerprint(roots, copied_data, package_dir=copy) != before, path
        path.write_bytes(original)
    assert code_fingerprint(roots, copied_data, package_dir=copy) == before


def test_fingerprint_edit_of_records_invalidates_cache_and_manifest(tmp_path):
    for part in ("kg", "schema", "viz"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))

    def versions() -> list[str]:
        env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-c", VERSIONS], capture_output=True, text=True, check=True,
                              env=env, cwd=tmp_path).stdout.split()

    before = versions()
    records = tmp_path / "kg" / "records.py"
    records.write_text(records.read_text(encoding="utf-8").replace(
        'TYPE_PRIORITY = ("Model", "Dataset",', 'TYPE_PRIORITY = ("Dataset", "Model",'), encoding="utf-8")
    after = versions()
    assert before[0] != after[0] and before[1] != after[1]


@pytest.mark.parametrize("source, module, is_package, expected", [
    ("from kg.extract import claims, entities", "kg.x", False,
     {"kg.extract", "kg.extract.claims", "kg.extract.entities"}),
    ("from . import roles", "kg.extract.entities", False, {"kg.extract", "kg.extract.roles"}),
    ("from .pipeline import load", "kg.extract", True, {"kg.extract.pipeline", "kg.extract.pipeline.load"}),
    ("def f():\n    import kg.cache\n", "kg.build", False, {"kg.cache"}),
])
def test_fingerprint_imported_names(source, module, is_package, expected):
    assert imported_names(source, module, is_package) == expected

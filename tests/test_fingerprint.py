"""The extraction cache and the store manifest are versioned by every file that can change their content."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kg.builder import BUILD_CODE, builder_data, builder_version
from kg.export.html import VIZ_DIR
from kg.extractor import EXTRACTION_CODE, PipelineConfig, extraction_data, extractor_version
from kg.fingerprint import code_fingerprint, files_digest, imported_names, module_closure, named_files
from kg.schema import SCHEMA_DIR

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
# In a copy of kg laid out as a wheel installs it: the extractor's and the builder's versions, then again
# after each file named on the command line gets one more line (and back).
VERSIONS_AFTER_EDITS = """
import json, sys
from pathlib import Path
from kg.builder import builder_version
from kg.extractor import _extractor_version, extractor_version

def versions():
    _extractor_version.cache_clear()
    builder_version.cache_clear()
    return [extractor_version(), builder_version()]

out = {"": versions()}
for name in sys.argv[1:]:
    path = Path(name)
    original = path.read_bytes()
    path.write_bytes(original + b"\\n")
    out[name] = versions()
    path.write_bytes(original)
print(json.dumps(out))
"""


def loaded_kg_files(script: str, *args: str) -> set[Path]:
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, check=True).stdout
    return {Path(f).resolve() for f in json.loads(out.splitlines()[-1])}


def test_fingerprint_extraction_covers_every_kg_module_extraction_loads():
    assert loaded_kg_files(LOADED_BY_EXTRACTION) <= set(module_closure(EXTRACTION_CODE))


def test_fingerprint_build_covers_every_kg_module_a_build_loads(tmp_path):
    loaded = loaded_kg_files(LOADED_BY_BUILD, str(EXAMPLES), str(tmp_path / "store"))
    # schema/ and viz/ are the packages kg.schema_data and kg.viz_data, hashed whole as the build's data.
    assert loaded <= set(module_closure(BUILD_CODE)) | {path for _, path in named_files((SCHEMA_DIR, VIZ_DIR))}


def test_fingerprint_follows_records_into_extraction_and_build():
    records = (ROOT / "kg" / "records.py").resolve()
    assert records in module_closure(EXTRACTION_CODE)
    assert records in module_closure(BUILD_CODE)


@pytest.mark.parametrize("roots, data", [
    (EXTRACTION_CODE, extraction_data(PipelineConfig())),
    (BUILD_CODE, builder_data()),
], ids=["extraction", "build"])
def test_fingerprint_changes_with_each_of_its_files(tmp_path, roots, data):
    copy = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", copy, ignore=shutil.ignore_patterns("__pycache__"))
    copied_data = []
    for path in data:
        target = copy / path.relative_to(ROOT / "kg") if path.is_relative_to(ROOT / "kg") else tmp_path / path.name
        if not target.exists():
            shutil.copytree(path, target)
        copied_data.append(target)
    before = code_fingerprint(roots, copied_data, package_dir=copy)
    assert before == code_fingerprint(roots, data)  # named inside the package, not by where it is
    inputs = [*module_closure(roots, copy), *(path for _, path in named_files(copied_data))]
    assert len(inputs) > 10
    for path in inputs:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert code_fingerprint(roots, copied_data, package_dir=copy) != before, path
        path.write_bytes(original)
    assert code_fingerprint(roots, copied_data, package_dir=copy) == before


def test_fingerprint_files_digest_names_files_inside_their_folder(tmp_path):
    for where in ("a", "b"):
        (tmp_path / where / "tables").mkdir(parents=True)
        (tmp_path / where / "tables" / "cues.json").write_text("{}", encoding="utf-8")
    assert files_digest([tmp_path / "a" / "tables"]) == files_digest([tmp_path / "b" / "tables"])
    (tmp_path / "b" / "tables" / "cues.json").rename(tmp_path / "b" / "tables" / "other.json")
    assert files_digest([tmp_path / "a" / "tables"]) != files_digest([tmp_path / "b" / "tables"])


EDITS = {  # a file of each kind that extraction or resolution reads -> (extractor's version changes, builder's)
    "kg/records.py": (True, True),
    "kg/extract/entities/grouping.py": (True, True),
    "kg/extract/tables/claim_cues.json": (True, True),
    "kg/learn/linear.py": (True, True),
    "kg/learn/entities.json.gz": (True, False),  # the store's fingerprint holds each extraction's version
    "kg/learn/model/meta.json": (True, False),
    "kg/resolve.py": (False, True),
    "kg/graph.py": (False, True),
    "kg/schema_data/graph.json": (False, True),
    "kg/viz_data/view.js": (False, True),
}


def test_fingerprint_edits_invalidate_cache_and_manifest_and_a_wheel_agrees(tmp_path):
    shutil.copytree(ROOT / "kg", tmp_path / "kg", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SCHEMA_DIR, tmp_path / "kg" / "schema_data", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(VIZ_DIR, tmp_path / "kg" / "viz_data", ignore=shutil.ignore_patterns("__pycache__"))
    assert all((tmp_path / name).is_file() for name in EDITS)
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", VERSIONS_AFTER_EDITS, *EDITS], capture_output=True, text=True,
                         check=True, env=env, cwd=tmp_path).stdout
    versions = json.loads(out.splitlines()[-1])
    extractor, builder = versions.pop("")
    assert [extractor, builder] == [extractor_version(), builder_version()]
    changed = {name: (after[0] != extractor, after[1] != builder) for name, after in versions.items()}
    assert changed == EDITS


@pytest.mark.parametrize("source, module, is_package, expected", [
    ("from kg.extract import claims, entities", "kg.x", False,
     {"kg.extract", "kg.extract.claims", "kg.extract.entities"}),
    ("from . import roles", "kg.extract.entities", False, {"kg.extract", "kg.extract.roles"}),
    ("from .pipeline import load", "kg.extract", True, {"kg.extract.pipeline", "kg.extract.pipeline.load"}),
    ("def f():\n    import kg.cache\n", "kg.build", False, {"kg.cache"}),
])
def test_fingerprint_imported_names(source, module, is_package, expected):
    assert imported_names(source, module, is_package) == expected

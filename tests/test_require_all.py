"""KG_REQUIRE_ALL=1 turns a would-be skip into a failure; without it a skip stays a skip."""
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
pytest_plugins = ("pytester",)

SKIPPING = """
import pytest

def test_needs_a_server():
    pytest.skip("no Bolt server: it did not start")

@pytest.mark.skipif(True, reason="../shared is absent")
def test_needs_seeds():
    pass

@pytest.mark.xfail(reason="known")
def test_known_failure():
    assert False

def test_plain():
    pass
"""


@pytest.fixture
def suite(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    pytester.makeconftest("from require_all import pytest_runtest_makereport\n")
    pytester.makepyfile(test_suite=SKIPPING)
    return pytester


def test_require_all_turns_skips_into_failures(suite, monkeypatch):
    monkeypatch.setenv("KG_REQUIRE_ALL", "1")
    result = suite.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1, errors=1, xfailed=1)
    result.stdout.fnmatch_lines(["*KG_REQUIRE_ALL=1 and this test would be skipped*no Bolt server*"])
    assert result.ret == 1


def test_require_all_unset_lets_skips_skip(suite, monkeypatch):
    monkeypatch.delenv("KG_REQUIRE_ALL", raising=False)
    result = suite.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(passed=1, skipped=2, xfailed=1)
    assert result.ret == 0

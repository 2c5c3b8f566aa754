"""KG_REQUIRE_ALL=1 (set by .ci/run): a test that would be skipped fails instead.

Live, browser and seeds tests skip where their part (FalkorDB, Chromium, ../shared)
is absent; in CI an absent part must turn the run red, not leave it green and smaller.
"""
from __future__ import annotations

import os

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("KG_REQUIRE_ALL") == "1" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"KG_REQUIRE_ALL=1 and this test would be skipped: {reason}"

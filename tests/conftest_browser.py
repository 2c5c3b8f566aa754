"""The ``browser`` fixture: one headless Debian Chromium per test session, driven by Playwright.

Loaded as a plugin by the modules that need it (``pytest_plugins = ("conftest_browser",)``);
skips when no ``chromium`` is on PATH or playwright is missing. Playwright never downloads a browser here.
"""
from __future__ import annotations

import pytest
from headless_chromium import MISSING, chromium_path, launch


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip(MISSING)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = launch(playwright, path)
        yield chromium
        chromium.close()

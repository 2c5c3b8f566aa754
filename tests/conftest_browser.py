"""The ``browser`` fixture: one headless Debian Chromium per test session, driven by Playwright.

Loaded as a plugin by the modules that need it (``pytest_plugins = ("conftest_browser",)``);
skips when no ``chromium`` is on PATH or playwright is missing. Playwright never downloads a browser here.
"""
from __future__ import annotations

import shutil

import pytest

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    chromium_path = shutil.which("chromium")  # the same look-up as `make browser`
    if chromium_path is None:
        pytest.skip("no chromium on PATH (make browser installs Debian's)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

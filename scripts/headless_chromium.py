"""Debian's chromium, headless and offline, launched through Playwright as the browser tests and the view
benchmark launch it (Playwright never downloads a browser here)."""
from __future__ import annotations

import shutil
from typing import Any

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MISSING = "no chromium on PATH (make browser installs Debian's)"


def chromium_path() -> str | None:
    """The chromium on PATH, the one ``make browser`` installs."""
    return shutil.which("chromium")


def launch(playwright: Any, path: str) -> Any:
    """A headless browser of the chromium at ``path``, from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=path, args=ARGS)

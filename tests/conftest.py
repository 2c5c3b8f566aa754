"""Shared test set-up. Each block is about one real part the tests use."""
from __future__ import annotations

import os
import shutil
import tempfile


# --- the extraction cache: a private one per test session, never the user's ---

def pytest_configure(config):
    config._kg_cache_dir = tempfile.mkdtemp(prefix="kg-test-cache-")
    os.environ["KG_CACHE_DIR"] = config._kg_cache_dir


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_kg_cache_dir", ""), ignore_errors=True)

"""Real-browser tests: marked `browser` (deselect with -m "not browser")."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives JupyterLab in headless Chromium (scripts/setup-browser)")

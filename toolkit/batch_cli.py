"""Batch commands (`toolkit batch`, `toolkit logs`): registered onto the main app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Placeholder until batch lands: adds nothing."""

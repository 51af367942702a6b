"""Record/replay of model calls: a toolkit feature (reproducible runs, free re-runs), not only a test aid.

Modes:
- off: call the model, store nothing.
- record: call the model and store every response (overwrites).
- replay: answer only from stored responses; a miss is a ReplayMiss naming the request.
- cache: answer from the store when possible, else call and store. An answer the model gave
  that failed validation stays in its file (marked ``invalid`` with the reason, for diagnosis)
  but is not served from the cache again: a re-run asks the model anew. (Recordings made before
  answers were marked are served as they are.) Replay serves it as recorded, so a
  recorded run, repair requests included, replays exactly.

The key is the hash of the canonical request (model, messages, parameters, schema). Each
response is one readable JSON file. Nothing secret is in a request; strings that look like
keys or auth headers are redacted before anything is written anyway.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from toolkit import __version__
from toolkit.errors import ConfigError, ReplayMiss
from toolkit.files import write_atomic
from toolkit.hashing import sha256_json
from toolkit.models import Model, ModelRequest, ModelResponse, ModelWrapper

MODES = ("off", "record", "replay", "cache")

_SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_\-]{16,}"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._\-]{12,}"),
    re.compile(r"(?i)(api[_-]?key[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._\-]{12,}"),
]


def redact(value: Any) -> Any:
    """Blank out anything shaped like a credential, recursively."""
    if isinstance(value, str):
        for pattern in _SECRET_PATTERNS:
            value = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[REDACTED]", value)
        return value
    if isinstance(value, dict):
        return {
            k: ("[REDACTED]" if k.lower() in ("authorization", "api_key", "api-key") else redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def request_key(request: ModelRequest) -> str:
    return sha256_json(request.model_dump(mode="json"))


class ResponseStore:
    """A folder of `<schema>-<key>.json` files."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path_for(self, request: ModelRequest, key: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", request.schema_name)[:40]
        return self.folder / f"{safe}-{key[:24]}.json"

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            return json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError) as exc:
            raise ConfigError(f"recorded response {path} is unreadable: {exc}") from None

    def load(self, request: ModelRequest, key: str, *, valid_only: bool = False) -> ModelResponse | None:
        """The stored answer; with valid_only, None for one marked invalid (a cache must ask again)."""
        data = self._read(self.path_for(request, key))
        if data is None or (valid_only and data.get("invalid")):
            return None
        return ModelResponse.model_validate(data["response"])

    def mark_invalid(self, request: ModelRequest, key: str, reason: str) -> None:
        """Keep the answer for diagnosis, marked so a cache never serves it again."""
        path = self.path_for(request, key)
        data = self._read(path)
        if data is not None and not data.get("invalid"):
            data["invalid"] = redact(reason)[:500]
            write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")

    def save(self, request: ModelRequest, key: str, response: ModelResponse) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(request, key)
        record = {
            "key": key,
            "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "toolkit_version": __version__,
            "request": redact(request.model_dump(mode="json")),
            "response": redact(response.model_dump(mode="json", exclude={"source", "cache_key"})),
        }
        write_atomic(path, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
        return path

    def __len__(self) -> int:
        return len(list(self.folder.glob("*.json"))) if self.folder.exists() else 0


class RecordingModel(ModelWrapper):
    """Wraps a provider with a response store; in replay mode the provider is never touched."""

    def __init__(self, inner: Model, store: ResponseStore, mode: str = "cache") -> None:
        if mode not in MODES:
            raise ConfigError(f"unknown record mode '{mode}' (choose {', '.join(MODES)})")
        super().__init__(inner)
        self.store = store
        self.mode = mode

    def count_tokens(self, text: str) -> int:
        if self.mode == "replay":  # never load weights just to count
            return Model.count_tokens(self, text)
        return self.inner.count_tokens(text)

    def _lookup(self, request: ModelRequest) -> tuple[str, ModelResponse | None]:
        key = request_key(request)
        if self.mode in ("replay", "cache"):
            hit = self.store.load(request, key, valid_only=self.mode == "cache")
            if hit is not None:
                source = "replayed" if self.mode == "replay" else "cached"
                return key, hit.model_copy(update={"source": source, "cache_key": key})
        if self.mode == "replay":
            raise ReplayMiss(
                f"no recorded response for a '{request.schema_name}' request to {request.model} "
                f"(key {key[:12]}) in {self.store.folder}; record it with --record-mode record "
                f"(or cache) against a live model"
            )
        return key, None

    def _store(self, request: ModelRequest, key: str, response: ModelResponse) -> ModelResponse:
        if self.mode in ("record", "cache"):
            self.store.save(request, key, response)
        return response.model_copy(update={"cache_key": key})

    def preflight(self) -> None:
        if self.mode != "replay":  # replay never touches the provider
            self.inner.preflight()

    def reject(self, request: ModelRequest, response: ModelResponse, reason: str) -> None:
        # only what the model just said: a stored answer is a recording as it was made (committed
        # recordings used as a cache stay untouched, and replay stays exact)
        if self.mode in ("record", "cache") and response.source == "live":
            self.store.mark_invalid(request, response.cache_key or request_key(request), reason)
        self.inner.reject(request, response, reason)

    def complete(self, request: ModelRequest) -> ModelResponse:
        key, hit = self._lookup(request)
        if hit is not None:
            return hit
        return self._store(request, key, self.inner.complete(request))

    async def acomplete(self, request: ModelRequest) -> ModelResponse:
        key, hit = self._lookup(request)
        if hit is not None:
            return hit
        return self._store(request, key, await self.inner.acomplete(request))

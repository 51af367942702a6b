"""Shared fixtures. Network is enforced off: only loopback connections are allowed."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed-article.txt"
FNC1 = SHARED / "data" / "fnc1" / "train_bodies.csv"
RESPONSES = ROOT / "tests" / "responses"
SAMPLES = ROOT / "samples"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX paths
        return True
    host = address[0] if isinstance(address, tuple) else address
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise RuntimeError(f"tests make no network calls (blocked connect to {address!r})")
    return _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise RuntimeError(f"tests make no network calls (blocked connect to {address!r})")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the developer's keys, config or response cache."""
    for var in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "TOOLKIT_MODEL",
        "TOOLKIT_RECORD_MODE",
        "TOOLKIT_RESPONSES_DIR",
        "TOOLKIT_PROMPTS_DIR",
        "TOOLKIT_CONFIG",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TOOLKIT_CONFIG", str(tmp_path / "no-config.toml"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


@pytest.fixture
def seed_path() -> Path:
    if not SEED.exists():
        pytest.skip(f"reference article not found at {SEED} (../shared is absent)")
    return SEED


@pytest.fixture
def replay() -> dict[str, object]:
    """Options that make a run answer only from the recorded responses of the real local model."""
    return {"model": "local", "record_mode": "replay", "responses_dir": RESPONSES}

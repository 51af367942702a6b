"""Settings in the usual precedence: explicit argument/flag > environment > config file > default.

Config files (TOML), first found wins: $TOOLKIT_CONFIG, ./toolkit.toml,
~/.config/news-toolkit/config.toml. Keys: model, base_url, record_mode, responses_dir,
prompts_dir.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from toolkit.errors import ConfigError

DEFAULT_RESPONSES_DIR = Path.home() / ".cache" / "news-toolkit" / "responses"

ENV = {
    "model": "TOOLKIT_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "record_mode": "TOOLKIT_RECORD_MODE",
    "responses_dir": "TOOLKIT_RESPONSES_DIR",
    "prompts_dir": "TOOLKIT_PROMPTS_DIR",
}


@dataclass
class Config:
    model: str = "local"
    base_url: str | None = None
    record_mode: str = "off"
    responses_dir: str = str(DEFAULT_RESPONSES_DIR)
    prompts_dir: str | None = None
    source: str = "defaults"


def config_paths() -> list[Path]:
    paths = []
    if os.environ.get("TOOLKIT_CONFIG"):
        paths.append(Path(os.environ["TOOLKIT_CONFIG"]))
    paths += [Path("toolkit.toml"), Path.home() / ".config" / "news-toolkit" / "config.toml"]
    return paths


def load_config(**overrides: str | None) -> Config:
    config = Config()
    for path in config_paths():
        if path.is_file():
            try:
                data = tomllib.loads(path.read_text("utf-8"))
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise ConfigError(f"config file {path} is unreadable: {exc}") from None
            known = {f.name for f in fields(Config)} - {"source"}
            unknown = set(data) - known
            if unknown:
                raise ConfigError(f"config file {path}: unknown keys {sorted(unknown)} (known: {sorted(known)})")
            if "api_key" in data:
                raise ConfigError(f"config file {path}: keep API keys in the environment, not in files")
            for key, value in data.items():
                setattr(config, key, str(value))
            config.source = str(path)
            break
    for key, var in ENV.items():
        if os.environ.get(var):
            setattr(config, key, os.environ[var])
    for key, value in overrides.items():
        if value is not None:
            setattr(config, key, value)
    return config

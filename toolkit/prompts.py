"""Prompt templates as TOML files: messages, declared variables and a version.

Templates use LangChain's f-string format, which substitutes variables and cannot execute
code (no Jinja). A user's override folder wins over a chain's own files, file by file, and
every output records the version and content hash of the prompts it used.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.prompts import ChatPromptTemplate

from toolkit.errors import PluginError
from toolkit.hashing import sha256_text

ROLES = {"system", "user", "assistant"}


@dataclass(frozen=True)
class PromptSpec:
    chain: str
    name: str
    version: str
    sha256: str
    path: Path
    messages: tuple[tuple[str, str], ...]
    variables: tuple[str, ...]

    @property
    def template(self) -> ChatPromptTemplate:
        role_map = {"user": "human", "assistant": "ai", "system": "system"}
        return ChatPromptTemplate.from_messages(
            [(role_map[role], content) for role, content in self.messages], template_format="f-string"
        )

    def format(self, **variables: Any) -> list[dict[str, str]]:
        """Render to plain role/content dicts (the form every provider and the recorder use)."""
        missing = set(self.variables) - variables.keys()
        if missing:
            raise PluginError(f"prompt {self.chain}/{self.name} needs variables: {', '.join(sorted(missing))}")
        rendered = self.template.format_messages(**{k: variables[k] for k in self.variables})
        back = {"human": "user", "ai": "assistant", "system": "system"}
        return [{"role": back[m.type], "content": str(m.content)} for m in rendered]

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version, "sha256": self.sha256}


def parse_prompt_file(path: Path, chain: str) -> PromptSpec:
    raw = path.read_text("utf-8")
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        raise PluginError(f"prompt file {path}: invalid TOML ({exc})") from None
    try:
        version = str(data["version"])
        messages = tuple((m["role"], m["content"]) for m in data["messages"])
    except (KeyError, TypeError):
        raise PluginError(f"prompt file {path}: needs 'version' and [[messages]] with role and content") from None
    bad_roles = {role for role, _ in messages} - ROLES
    if bad_roles:
        raise PluginError(f"prompt file {path}: unknown roles {sorted(bad_roles)}")
    declared = tuple(data.get("variables", ()))
    used = tuple(
        ChatPromptTemplate.from_messages(
            [("system", c) for _, c in messages], template_format="f-string"
        ).input_variables
    )
    if set(declared) != set(used):
        raise PluginError(f"prompt file {path}: declares variables {sorted(declared)} but uses {sorted(used)}")
    return PromptSpec(
        chain=chain,
        name=path.stem,
        version=version,
        sha256=sha256_text(raw),
        path=path,
        messages=messages,
        variables=declared,
    )


class PromptLoader:
    """Finds `<chain>/<name>.toml`, first in the override folder, then in the chain's own folder."""

    def __init__(self, override_dir: str | Path | None = None) -> None:
        self.override_dir = Path(override_dir) if override_dir else None
        self._cache: dict[tuple[str, str, str], PromptSpec] = {}

    def load(self, chain: str, name: str, default_dir: Path) -> PromptSpec:
        candidates = []
        if self.override_dir is not None:
            candidates.append(self.override_dir / chain / f"{name}.toml")
        candidates.append(Path(default_dir) / f"{name}.toml")
        for path in candidates:
            if path.is_file():
                key = (chain, name, str(path))
                if key not in self._cache:
                    self._cache[key] = parse_prompt_file(path, chain)
                return self._cache[key]
        raise PluginError(
            f"prompt '{name}' for chain '{chain}' not found (looked in {', '.join(map(str, candidates))})"
        )

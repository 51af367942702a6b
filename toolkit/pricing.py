"""Estimated cost of model calls from a price table the user can edit.

Prices are USD per 1 million tokens, input and output. The defaults below are OpenAI's list
prices as known when this file was written; they change, so check them and override them in
``~/.config/news-toolkit/prices.toml`` (or ``$TOOLKIT_PRICES``, or ``--prices FILE``)::

    batch_discount = 0.5          # the Batch API's price factor

    [models]
    "gpt-4o-mini" = { input = 0.15, output = 0.60 }
    "openai:my-finetune" = { input = 0.30, output = 1.20 }

A model id is looked up as written ("openai:gpt-4o-mini"), then without its provider prefix,
then by the longest known prefix ("gpt-4o-mini-2024-07-18" -> "gpt-4o-mini"). Local and fake
models cost nothing; calls answered from the response cache (cached/replayed) cost nothing.
An unknown model costs 0 and is listed in ``unpriced`` so a report can say the estimate is
incomplete.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import ConfigError

#: USD per 1M tokens (input, output)
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
    "o3": (2.00, 8.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-4-turbo": (10.00, 30.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}
DEFAULT_BATCH_DISCOUNT = 0.5
FREE_PREFIXES = ("local", "fake", "scripted")
FREE_SOURCES = ("cached", "replayed")


def default_prices_path() -> Path:
    return Path(os.environ.get("TOOLKIT_PRICES") or Path.home() / ".config" / "news-toolkit" / "prices.toml")


@dataclass(frozen=True)
class Price:
    input: float
    output: float


@dataclass
class PriceTable:
    prices: dict[str, Price]
    batch_discount: float = DEFAULT_BATCH_DISCOUNT
    source: str = "defaults"
    unpriced: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, path: str | Path | None = None) -> PriceTable:
        """Defaults, overlaid with the user's TOML file (an explicit path must exist)."""
        table = cls({k: Price(*v) for k, v in DEFAULT_PRICES.items()})
        file = Path(path) if path else default_prices_path()
        if not file.is_file():
            if path:
                raise ConfigError(f"price table {file} not found")
            return table
        try:
            data = tomllib.loads(file.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"price table {file} is unreadable: {exc}") from None
        unknown = set(data) - {"models", "batch_discount"}
        if unknown:
            raise ConfigError(f"price table {file}: unknown keys {sorted(unknown)} (known: batch_discount, models)")
        for name, entry in (data.get("models") or {}).items():
            try:
                table.prices[name] = Price(float(entry["input"]), float(entry["output"]))
            except (KeyError, TypeError, ValueError):
                raise ConfigError(
                    f'price table {file}: model "{name}" needs numbers input and output (USD per 1M tokens)'
                ) from None
        if "batch_discount" in data:
            table.batch_discount = float(data["batch_discount"])
        table.source = str(file)
        return table

    def price_for(self, model_id: str) -> Price | None:
        """The price of a model id, or None when it is unknown."""
        provider, _, name = model_id.partition(":")
        if provider in FREE_PREFIXES or model_id.startswith(FREE_PREFIXES):
            return self.prices.get(model_id, Price(0.0, 0.0))
        for key in (model_id, name):
            if key and key in self.prices:
                return self.prices[key]
        name = name or model_id
        best = max((k for k in self.prices if name.startswith(k)), key=len, default=None)
        return self.prices[best] if best else None

    def cost(
        self,
        model_id: str,
        prompt_tokens: int,
        completion_tokens: int,
        source: str = "live",
        *,
        batch: bool = False,
    ) -> float:
        """USD for one call; 0 for calls the response cache answered."""
        if source in FREE_SOURCES:
            return 0.0
        price = self.price_for(model_id)
        if price is None:
            self.unpriced.add(model_id)
            return 0.0
        usd = (prompt_tokens * price.input + completion_tokens * price.output) / 1_000_000
        return usd * (self.batch_discount if batch else 1.0)

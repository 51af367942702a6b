"""One root error class, so the CLI can turn any expected failure into one clean line."""

from __future__ import annotations


class ToolkitError(Exception):
    """Root of every error the toolkit raises on purpose (bad input, config, model, replay)."""

    #: short machine-readable cause, used in failure records and batch reports
    cause: str = "error"


class ArticleError(ToolkitError):
    """The article file is empty, binary, not UTF-8 or in a format we cannot read."""

    cause = "bad_article"


class PluginError(ToolkitError):
    """Unknown chain name, broken plugin, or a dependency cycle between chains."""

    cause = "plugin"


class ConfigError(ToolkitError):
    """Missing API key, unknown model, unreadable config file."""

    cause = "config"


class ModelError(ToolkitError):
    """The model call failed (transport, rate limit, server error).

    `retryable` and `retry_after` (seconds, from a Retry-After header) let a retry layer decide.
    """

    cause = "model"

    def __init__(
        self, message: str, *, retryable: bool = False, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


class ReplayMiss(ToolkitError):
    """Strict replay mode found no recorded response for a request."""

    cause = "replay_miss"


class OutputValidationError(ToolkitError):
    """The model's answer stayed invalid after the repair attempt; keeps the raw answer."""

    cause = "invalid_output"

    def __init__(self, message: str, raw: str | None = None) -> None:
        super().__init__(message)
        self.raw = raw

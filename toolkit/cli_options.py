"""Options several `toolkit` commands share, declared once so their flags and help never drift."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

Debug = Annotated[bool, typer.Option("--debug", help="Show full tracebacks.")]
RecordMode = Annotated[str | None, typer.Option(help="off, record, replay or cache (env TOOLKIT_RECORD_MODE)")]
ResponsesDir = Annotated[Path | None, typer.Option(help="Folder of recorded responses (env TOOLKIT_RESPONSES_DIR)")]

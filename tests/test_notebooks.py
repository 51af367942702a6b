"""The notebooks run top to bottom (nbclient, a real kernel) against the recorded responses of the
real local model, from a scratch folder so they cannot lean on the working directory; and they
are committed without outputs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
RESPONSES = ROOT / "tests" / "responses"
NAMES = ("workbench.ipynb", "batch.ipynb", "custom_chain.ipynb", "stories.ipynb")
FNC1 = ROOT.parent / "shared" / "data" / "fnc1" / "train_bodies.csv"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_committed_without_outputs(name):
    notebook = json.loads((NOTEBOOKS / name).read_text("utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert code, "a notebook with no code"
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code), f"strip the outputs of {name}"
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_top_to_bottom_in_replay(name, tmp_path):
    nbformat = pytest.importorskip("nbformat", reason="the ui extra is not installed (scripts/setup-browser)")
    nbclient = pytest.importorskip("nbclient", reason="the ui extra is not installed (scripts/setup-browser)")
    pytest.importorskip("ipywidgets", reason="the ui extra is not installed (scripts/setup-browser)")
    if not any(RESPONSES.glob("*.json")):
        pytest.skip(f"no recorded responses in {RESPONSES} (scripts/record-responses records them)")
    if name == "stories.ipynb" and not FNC1.exists():
        pytest.skip(f"the stories notebook reads FNC-1 bodies from {FNC1}, absent here")
    Path(os.environ["HOME"]).mkdir(parents=True, exist_ok=True)  # the kernel's (temporary) home
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{name} failed:\n{str(exc)[-3000:]}")
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []

"""The workbench in a real browser: JupyterLab on 127.0.0.1, the workbench notebook opened in
headless Chromium (Debian's, driven by Playwright), run top to bottom; then Run is pressed in
the widget and the summary, the highlighted claims and the counter-claim pairs must appear.
A pasted article carrying a <script> and an onerror= handler must show as text and never run,
and an empty article must give an inline error. Screenshots go to test-artifacts/.

The notebook runs a copy of itself whose responses folder holds the recorded responses of the
real local model plus hand-written answers (ScriptedModel, recorded here) for the hostile
article only, which has no real recordings. TOOLKIT_UI_TEST_RESPONSES=DIR runs it on another
folder of recordings (e.g. while tests/responses is being re-recorded).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
RESPONSES = ROOT / "tests" / "responses"
FNC1 = ROOT.parent / "shared" / "data" / "fnc1" / "train_bodies.csv"
ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "ntk-browser-test-token"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
HOSTILE = (
    "Bridge vote <script>window.__ntk_pwned = 1</script>\n"
    'The council said the bridge <img src=x onerror="window.__ntk_pwned = 2"> will open in May next year.\n'
    'However, residents said the bridge "is far too expensive <b onmouseover=alert(3)>for the town</b>".\n'
)
OVERRIDES = {
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
}


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not installed (scripts/setup-browser installs Debian's chromium)"
    for module in ("playwright", "jupyterlab", "ipywidgets", "ipykernel"):
        try:
            __import__(module)
        except ImportError:
            return f"python package {module} not installed (scripts/setup-browser)"
    if not any(RESPONSES.glob("*.json")):
        return f"no recorded responses in {RESPONSES} (scripts/record-responses)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hostile_recordings(folder: Path) -> None:
    """Scripted answers for the hostile article, stored as the local model's recordings would be."""
    from toolkit.article import article_from_text
    from toolkit.providers import get_model
    from toolkit.recording import RecordingModel, ResponseStore
    from toolkit.runner import run
    from toolkit.testing.fakes import ScriptedModel

    answers = {
        "TypeAnswer": '{"type": "fact"}',
        "RewriteAnswer": '{"claim": "x"}',
        "RelationAnswer": '{"relation": "contests"}',
        "RationaleAnswer": '{"rationale": "short"}',
        "HeadlineAnswer": '{"headline": "A headline"}',
        "SentencePicks": '{"sentences": [1]}',
    }
    local = get_model("local")
    fake = ScriptedModel(lambda r: answers.get(r.schema_name, "{}"), model_id=local.model_id)
    fake.context_window = local.context_window
    fake.default_params = local.default_params  # type: ignore[method-assign]
    result = run(
        article_from_text(HOSTILE, source="pasted text"), model=RecordingModel(fake, ResponseStore(folder), "record")
    )
    assert result.ok, {n: r.error for n, r in result.chains.items()}


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """A fresh JupyterLab server with private config, data, runtime and settings dirs."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    responses = tmp_path / "responses"
    shutil.copytree(os.environ.get("TOOLKIT_UI_TEST_RESPONSES") or RESPONSES, responses)
    _hostile_recordings(responses)
    work = tmp_path / "work"
    work.mkdir()
    notebook = json.loads((ROOT / "notebooks" / "workbench.ipynb").read_text("utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        cell["source"] = source.replace(
            'ROOT / "tests" / "responses"', f"__import__('pathlib').Path({str(responses)!r})"
        )
    (work / "workbench.ipynb").write_text(json.dumps(notebook), "utf-8")
    yield from _serve(tmp_path, work)


@pytest.fixture
def stories_lab(tmp_path: Path) -> Iterator[str]:
    """JupyterLab serving the stories notebook (it reads the FNC-1 bodies from ../shared)."""
    reason = _missing()
    if reason:
        pytest.skip(reason)
    if not FNC1.exists():
        pytest.skip(f"the stories notebook reads FNC-1 bodies from {FNC1}, absent here")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "stories.ipynb", work / "stories.ipynb")
    yield from _serve(tmp_path, work)


def _serve(tmp_path: Path, work: Path) -> Iterator[str]:
    dirs = {
        name: tmp_path / name
        for name in ("config", "data", "runtime", "app-settings", "user-settings", "workspaces", "home")
    }
    for folder in dirs.values():
        folder.mkdir()
    (dirs["app-settings"] / "overrides.json").write_text(json.dumps(OVERRIDES))
    env = {
        **os.environ, "JUPYTER_CONFIG_DIR": str(dirs["config"]), "JUPYTER_DATA_DIR": str(dirs["data"]),
        "JUPYTER_RUNTIME_DIR": str(dirs["runtime"]), "HOME": str(dirs["home"]), "JUPYTER_PLATFORM_DIRS": "1",
    }  # fmt: skip
    port = _free_port()
    log = (tmp_path / "jupyterlab.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
         f"--LabApp.app_settings_dir={dirs['app-settings']}", f"--LabApp.user_settings_dir={dirs['user-settings']}",
         f"--LabApp.workspaces_dir={dirs['workspaces']}", "--ServerApp.open_browser=False"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                request = urllib.request.Request(f"{base}/api/status", headers={"Authorization": f"token {TOKEN}"})
                with urllib.request.urlopen(request, timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if server.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
                time.sleep(0.3)
        yield base
    finally:
        try:  # stops the kernels too
            shutdown = urllib.request.Request(
                f"{base}/api/shutdown", method="POST", headers={"Authorization": f"token {TOKEN}"}
            )
            urllib.request.urlopen(shutdown, timeout=5).close()
            server.wait(timeout=15)
        except Exception:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        log.close()


@contextlib.contextmanager
def _notebook_page(tmp_path: Path, url: str, last_shot: str) -> Iterator[Any]:
    """Headless Chromium on a notebook in JupyterLab with every cell run; a last screenshot on the way out."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        page = browser.new_page()
        page.set_default_timeout(90_000)  # actions wait as long as expectations: a loaded 2-core CI runner is slow
        try:
            page.goto(url)
            expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()
            page.get_by_role("menuitem", name="Run", exact=True).click()
            page.locator('li[data-command="runmenu:run-all"]').click()
            yield page
        finally:
            page.screenshot(path=str(ARTIFACTS / last_shot))
            browser.close()


def test_workbench_in_jupyterlab(lab: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=90_000)
    with _notebook_page(tmp_path, f"{lab}/lab/tree/workbench.ipynb?token={TOKEN}", "workbench-last.png") as page:
        bench = page.locator(".ntk-workbench")
        status = bench.locator(".ntk-status")
        expect(status).to_contain_text("Run 1: finished · 3/3 chains ok")  # the notebook's own run
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()  # all cells done

        bench.locator("button.ntk-run").click()  # the analyst presses Run
        expect(status).to_contain_text("Run 2: finished · 3/3 chains ok")
        tabs = bench.locator(".ntk-tabs")

        summary = tabs.locator(".ntk-summary")
        expect(summary).to_be_visible()
        expect(summary.locator("h3")).to_have_text("Port workers strike over automation plan")
        expect(summary).to_contain_text("Key points")
        page.screenshot(path=str(ARTIFACTS / "workbench-summary.png"))

        tabs.get_by_role("tab", name="Claims", exact=True).click()
        marks = tabs.locator(".ntk-view-claims mark.ntk-hl")
        expect(marks.first).to_be_visible()
        assert marks.count() >= 3
        assert " · " in (marks.first.get_attribute("title") or "")  # claimant and type on hover
        assert len({m.get_attribute("style") for m in marks.all()}) >= 2  # a colour per claimant
        expect(tabs.locator(".ntk-view-claims table.ntk-claims")).to_be_visible()
        tabs.locator(".ntk-view-claims .ntk-article").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "workbench.png"))

        tabs.get_by_role("tab", name="Counter-claims", exact=True).click()
        expect(tabs.locator(".ntk-pair").first).to_be_visible()
        expect(tabs.locator(".ntk-uncontested")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "workbench-pairs.png"))

        # review: reject the first claim; the claims view drops it
        labels = tabs.locator(".ntk-view-claims .ntk-article sup.ntk-label")
        claims_before = labels.count()
        tabs.get_by_role("tab", name="Review", exact=True).click()
        tabs.locator(".ntk-review-pending").first.get_by_role("button", name="Reject").click()
        expect(tabs.locator(".ntk-review-rejected")).to_have_count(1)
        expect(tabs.locator(".ntk-review-rejected")).to_contain_text("rejected")
        page.screenshot(path=str(ARTIFACTS / "workbench-review.png"))
        tabs.get_by_role("tab", name="Claims", exact=True).click()
        expect(labels).to_have_count(claims_before - 1)

        # untrusted text: shown as text, never run
        bench.locator("textarea").fill(HOSTILE)
        bench.locator("button.ntk-run").click()
        expect(status).to_contain_text("Run 3: finished")
        tabs.get_by_role("tab", name="Claims", exact=True).click()
        article = tabs.locator(".ntk-view-claims .ntk-article")
        expect(article).to_contain_text("<script>window.__ntk_pwned = 1</script>")
        expect(article).to_contain_text('<img src=x onerror="window.__ntk_pwned = 2">')
        assert page.evaluate("window.__ntk_pwned") is None
        assert tabs.locator(".ntk-view-claims img, .ntk-view-claims script, .ntk-view-claims b").count() == 0
        page.screenshot(path=str(ARTIFACTS / "workbench-hostile.png"))

        # errors inline
        bench.locator("textarea").fill("   ")
        bench.locator("button.ntk-run").click()
        expect(bench.locator(".ntk-error-area .ntk-error")).to_contain_text("article text is empty")
        expect(status).to_have_text("Run 4: failed.")


def test_stories_tab_in_jupyterlab(stories_lab: str, tmp_path: Path) -> None:
    """The stories notebook run top to bottom: the batch replays the story gold's 24 articles, the
    Stories tab shows the claim-by-outlet matrix and cross-outlet pairs with evidence highlighted;
    then the analyst presses Build stories again."""
    from playwright.sync_api import expect

    expect.set_options(timeout=240_000)
    with _notebook_page(tmp_path, f"{stories_lab}/lab/tree/stories.ipynb?token={TOKEN}", "stories-last.png") as page:
        dash = page.locator(".ntk-batch")
        expect(dash.locator(".ntk-counts")).to_contain_text("24/24 articles")
        status = dash.locator(".ntk-story-status")
        expect(status).to_contain_text("4 stories")
        expect(page.get_by_text("Python 3 (ipykernel) | Idle")).to_be_visible()  # all cells done

        tabs = dash.locator(".ntk-batch-tabs")
        tabs.get_by_role("tab", name="Stories", exact=True).click()
        view = dash.locator(".ntk-view-stories")
        expect(view.locator(".ntk-story")).to_have_count(4)
        matrix = view.locator("table.ntk-matrix").first
        expect(matrix).to_be_visible()
        expect(matrix.locator(".ntk-badge.ntk-good").first).to_be_visible()  # an outlet asserts
        expect(view.locator(".ntk-badge.ntk-bad").first).to_be_attached()  # an outlet contests
        pair = view.locator(".ntk-pair").first
        expect(pair).to_be_visible()
        expect(pair.locator("mark.ntk-hl")).to_have_count(2)  # each side's quote highlighted
        page.screenshot(path=str(ARTIFACTS / "stories-matrix.png"))
        pair.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "stories-pairs.png"))

        dash.locator("button.ntk-build-stories").click()  # the analyst builds them again
        expect(status).to_contain_text("4 stories")
        expect(view.locator(".ntk-story")).to_have_count(4)

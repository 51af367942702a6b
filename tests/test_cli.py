"""The CLI: readable report, versioned JSON, one-line errors with non-zero exit and nothing half-written."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import RESPONSES, SAMPLES

TOOLKIT = [sys.executable, "-m", "toolkit.cli"]


def _cli(*args: str, env_extra: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "TOOLKIT"))}
    env.update(env_extra or {})
    return subprocess.run([*TOOLKIT, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", "file is empty"), (b"\x00\x01\x02binary", "binary"), (b"caf\xe9", "not valid UTF-8")],
)
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, content, expected):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "out.json"
    proc = _cli("run", str(bad), "--out", str(out))
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error:") and expected in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.json*"))


def test_unknown_chain_and_model(tmp_path):
    article = SAMPLES / "harbour-strike.txt"
    proc = _cli("run", str(article), "--chains", "nope")
    assert proc.returncode == 1 and "unknown chain 'nope'" in proc.stderr
    proc = _cli("run", str(article), "--model", "martian:x")
    assert proc.returncode == 1 and "unknown model provider 'martian'" in proc.stderr


def test_missing_api_key_is_clear(tmp_path):
    proc = _cli("run", str(SAMPLES / "harbour-strike.txt"), "--model", "openai:gpt-4o-mini")
    assert proc.returncode == 1 and "OPENAI_API_KEY is not set" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_replay_miss_is_clear_and_debug_shows_traceback(tmp_path):
    args = ("run", str(SAMPLES / "harbour-strike.txt"), "--record-mode", "replay", "--responses-dir", str(tmp_path))
    proc = _cli(*args)
    assert proc.returncode == 1 and "no recorded response" in proc.stderr and "--record-mode record" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Traceback" in _cli(*args, "--debug").stderr


def test_plugins_lists_chains_versions_schemas_and_prompts():
    proc = _cli("plugins", "--json", "--schemas")
    data = json.loads(proc.stdout)
    names = {c["name"]: c for c in data["chains"]}
    assert {"summary", "claims", "counterclaims"} <= names.keys()
    assert names["counterclaims"]["depends_on"] == ["claims"]
    assert names["claims"]["json_schema"]["title"] == "ClaimList"
    assert all(p["version"] and p["sha256"] for p in names["claims"]["prompts"])


def test_config_file_and_env_precedence(tmp_path):
    config = tmp_path / "toolkit.toml"
    config.write_text('model = "martian:from-file"\n')
    proc = _cli("models", "list", env_extra={"TOOLKIT_CONFIG": str(config)})
    assert "martian:from-file" in proc.stdout
    proc = _cli("models", "list", env_extra={"TOOLKIT_CONFIG": str(config), "TOOLKIT_MODEL": "openai:x"})
    assert "openai:x" in proc.stdout


@pytest.mark.skipif(not RESPONSES.exists(), reason="no recorded responses in tests/responses")
def test_run_sample_in_replay_writes_versioned_json(tmp_path):
    out = tmp_path / "result.json"
    proc = _cli(
        "run",
        str(SAMPLES / "harbour-strike.txt"),
        "--record-mode",
        "replay",
        "--responses-dir",
        str(RESPONSES),
        "--out",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    assert "Claims (" in proc.stdout and "Summary:" in proc.stdout and "Counter-claims" in proc.stdout
    data = json.loads(out.read_text())
    assert data["schema_version"] == "1" and data["model"] == "local:smollm2-135m"
    text = (SAMPLES / "harbour-strike.txt").read_text()
    for claim in data["outputs"]["claims"]["claims"]:
        assert {"text", "claimant", "type", "quote", "start", "end", "alignment"} <= claim.keys()
        assert text[claim["start"] : claim["end"]] == claim["quote"]

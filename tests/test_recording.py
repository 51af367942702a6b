import json

import pytest

from toolkit.errors import ReplayMiss
from toolkit.models import ModelRequest
from toolkit.recording import RecordingModel, ResponseStore, redact
from toolkit.testing.fakes import ScriptedModel


def _request(text: str = "hello") -> ModelRequest:
    return ModelRequest(
        model="fake:scripted",
        messages=[{"role": "user", "content": text}],
        schema_name="Answer",
        json_schema={"type": "object"},
        params={"temperature": 0},
    )


def test_record_then_replay_without_touching_the_model(tmp_path):
    store = ResponseStore(tmp_path)
    recorder = RecordingModel(ScriptedModel(['{"a": 1}']), store, "record")
    live = recorder.complete(_request())
    assert live.source == "live" and len(store) == 1
    replayer = RecordingModel(ScriptedModel([]), store, "replay")  # would fail if called
    again = replayer.complete(_request())
    assert again.text == '{"a": 1}' and again.source == "replayed"
    saved = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert saved["request"]["messages"][0]["content"] == "hello"  # readable JSON


def test_replay_miss_names_the_request_and_how_to_record(tmp_path):
    replayer = RecordingModel(ScriptedModel([]), ResponseStore(tmp_path), "replay")
    with pytest.raises(ReplayMiss) as info:
        replayer.complete(_request("never recorded"))
    message = str(info.value)
    assert "'Answer' request" in message and "--record-mode record" in message and str(tmp_path) in message


def test_cache_mode_calls_once(tmp_path):
    inner = ScriptedModel(['{"a": 1}'])
    cache = RecordingModel(inner, ResponseStore(tmp_path), "cache")
    assert cache.complete(_request()).source == "live"
    assert cache.complete(_request()).source == "cached"
    assert len(inner.requests) == 1


def test_any_change_to_the_request_changes_the_key(tmp_path):
    cache = RecordingModel(ScriptedModel(['{"a": 1}', '{"a": 2}']), ResponseStore(tmp_path), "cache")
    cache.complete(_request("one"))
    assert cache.complete(_request("two")).text == '{"a": 2}'


def test_secrets_never_land_in_recordings(tmp_path):
    key = "sk-" + "A1b2C3d4" * 4
    store = ResponseStore(tmp_path)
    RecordingModel(ScriptedModel([f'{{"note": "Bearer {key}"}}']), store, "record").complete(
        _request(f"my key is {key} and api_key={key}")
    )
    raw = next(tmp_path.glob("*.json")).read_text()
    assert key not in raw and "[REDACTED]" in raw
    assert redact({"Authorization": "Bearer abc"}) == {"Authorization": "[REDACTED]"}


def test_an_answer_that_failed_validation_is_kept_but_never_served_from_the_cache(tmp_path):
    """Cache mode: the invalid answer stays in its file, marked, for diagnosis; a re-run asks the
    model again. Replay serves it as recorded, so the recorded repair replays exactly."""
    from pydantic import BaseModel

    from toolkit.chain import ChainContext, StructuredCall
    from toolkit.prompts import PromptSpec
    from toolkit.recording import RecordingModel, ResponseStore
    from toolkit.testing.fakes import ScriptedModel

    class Answer(BaseModel):
        n: int

    prompt = PromptSpec(
        chain="test", name="count", version="1", sha256="0", path=tmp_path / "count.toml",
        messages=(("user", "{x}"),), variables=("x",),
    )  # fmt: skip
    store = ResponseStore(tmp_path / "responses")
    first = ScriptedModel(['{"n": "many"}', '{"n": 2}'])
    ctx = ChainContext(model=RecordingModel(first, store, "cache"))
    assert ctx.execute(StructuredCall("count", prompt, {"x": "how many?"}, Answer)).n == 2
    files = sorted(store.folder.glob("*.json"))
    marked = [json.loads(f.read_text()) for f in files if json.loads(f.read_text()).get("invalid")]
    assert len(files) == 2 and len(marked) == 1 and marked[0]["response"]["text"] == '{"n": "many"}'
    again = ScriptedModel(['{"n": 3}'])  # the re-run: the invalid answer is not served, the model is asked
    ctx = ChainContext(model=RecordingModel(again, store, "cache"))
    assert ctx.execute(StructuredCall("count", prompt, {"x": "how many?"}, Answer)).n == 3
    assert len(again.requests) == 1
    replayed = ChainContext(model=RecordingModel(ScriptedModel([]), store, "replay"))
    assert replayed.execute(StructuredCall("count", prompt, {"x": "how many?"}, Answer)).n == 3

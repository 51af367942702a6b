"""Third-party plugins are found through the entry-point group, exactly as the built-ins are."""

import sys
from pathlib import Path

import pytest

from toolkit import plugins
from toolkit.errors import PluginError
from toolkit.runner import run
from toolkit.testing.fakes import ScriptedModel

EXAMPLE = Path(__file__).parent / "example_plugin"


def _install_dist(site: Path, name: str, entry_points: str) -> None:
    """What `pip install` leaves behind that importlib.metadata reads: a dist-info folder."""
    dist = site / f"{name}-0.1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text(f"[news_toolkit]\n{entry_points}\n")


@pytest.fixture
def site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(EXAMPLE))
    plugins.reset_plugin_manager()
    yield site
    for mod in [m for m in sys.modules if m.startswith(("example_headline", "broken_chain"))]:
        del sys.modules[mod]
    plugins.reset_plugin_manager()


def test_builtin_chains_are_registered_through_entry_points():
    names = {name for name, _ in plugins.get_plugin_manager().list_name_plugin()}
    assert {"summary", "claims", "counterclaims", "news", "local", "openai"} <= names
    chains = plugins.all_chains()
    assert chains["counterclaims"].depends_on == ("claims",)


def test_example_package_adds_a_chain_and_it_runs(site):
    _install_dist(site, "example_headline", "headline = example_headline")
    plugins.reset_plugin_manager()
    assert "headline" in plugins.all_chains()
    model = ScriptedModel(['{"headline": "Bridge to close"}'])
    result = run("The council voted to close the bridge on Tuesday.", chains="headline", model=model)
    assert result.output("headline").headline == "Bridge to close"
    assert result.chains["headline"].prompts[0]["version"] == "1"


def test_broken_plugin_is_reported_and_skipped(site):
    (site / "broken_chain.py").write_text("raise RuntimeError('boom at import')\n")
    _install_dist(site, "broken_chain", "broken = broken_chain")
    plugins.reset_plugin_manager()
    chains = plugins.all_chains()
    assert "claims" in chains  # the rest still works
    assert any(name == "broken" and "boom at import" in reason for name, reason in plugins.broken_plugins)


def test_unknown_chain_and_cycles_are_clear_errors():
    with pytest.raises(PluginError, match="unknown chain 'nope'.*available: claims"):
        plugins.resolve_order(["nope"])
    order = [c.name for c in plugins.resolve_order(["counterclaims", "summary"])]
    assert order.index("claims") < order.index("counterclaims")
    assert order.count("claims") == 1

"""The plugin manager: entry points in, chains and providers out; a broken plugin is skipped."""

from __future__ import annotations

import importlib
import logging
import threading
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pluggy

from toolkit import hookspecs
from toolkit.errors import PluginError

if TYPE_CHECKING:
    from toolkit.chain import Chain

ENTRY_POINT_GROUP = "news_toolkit"
log = logging.getLogger(__name__)

_lock = threading.Lock()
_pm: pluggy.PluginManager | None = None
#: (plugin name, one-line reason) for every plugin that failed to load
broken_plugins: list[tuple[str, str]] = []


def _load_entry_points(pm: pluggy.PluginManager) -> None:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if pm.get_plugin(ep.name) is not None:
            continue
        try:
            plugin = ep.load()
            pm.register(plugin, name=ep.name)
        except Exception as exc:  # a plugin's bug must not take the toolkit down
            reason = f"{type(exc).__name__}: {exc}"
            broken_plugins.append((ep.name, reason))
            log.warning("plugin %s failed to load and was skipped: %s", ep.name, reason)


#: the providers that ship with the toolkit (also entry points: `local`, `openai`)
BUILTIN_PROVIDERS = ("toolkit.providers.local", "toolkit.providers.openai")


def get_plugin_manager() -> pluggy.PluginManager:
    global _pm
    with _lock:
        if _pm is None:
            pm = pluggy.PluginManager("news_toolkit")
            pm.add_hookspecs(hookspecs)
            _load_entry_points(pm)
            loaded = {getattr(p, "__name__", "") for p in pm.get_plugins()}
            for module in BUILTIN_PROVIDERS:  # a checkout without installed metadata still gets them
                if module not in loaded and pm.get_plugin(module) is None:
                    pm.register(importlib.import_module(module), name=module)
            _pm = pm
        return _pm


def register_plugin(plugin: ModuleType | object, name: str | None = None) -> None:
    """Register a plugin object in-process (notebooks, tests) without packaging it."""
    pm = get_plugin_manager()
    if name and pm.get_plugin(name) is not None:
        pm.unregister(name=name)
    pm.register(plugin, name=name)


def unregister_plugin(name: str) -> None:
    pm = get_plugin_manager()
    if pm.get_plugin(name) is not None:
        pm.unregister(name=name)


def collect_named(hook: str, what: str) -> dict[str, Any]:
    """Objects with a `name` that plugins register through `hook`: the first of a name wins, and a
    plugin whose hook raises is listed as broken instead of breaking the others."""
    found: dict[str, Any] = {}

    def register(item: Any) -> None:
        if item.name in found:
            log.warning("%s %s registered twice; keeping the first", what, item.name)
            return
        found[item.name] = item

    for impl in getattr(get_plugin_manager().hook, hook).get_hookimpls():
        try:
            impl.function(register=register)
        except Exception as exc:
            broken_plugins.append((impl.plugin_name, f"{type(exc).__name__}: {exc}"))
            log.warning("plugin %s failed to register %ss: %s", impl.plugin_name, what, exc)
    return found


def all_chains() -> dict[str, Chain]:
    return collect_named("register_chains", "chain")


def pick_named(found: dict[str, Any], name: str, what: str) -> Any:
    """One of the objects `collect_named` found, or a PluginError naming those installed."""
    if name not in found:
        known = ", ".join(sorted(found)) or "none installed"
        raise PluginError(f"unknown {what} '{name}' (available: {known})")
    return found[name]


def get_chain(name: str) -> Chain:
    return pick_named(all_chains(), name, "chain")


def resolve_order(names: list[str]) -> list[Chain]:
    """The requested chains plus their dependencies, dependencies first; cycles are errors."""
    chains = all_chains()
    order: list[Chain] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name not in chains:
            known = ", ".join(sorted(chains)) or "none installed"
            raise PluginError(f"unknown chain '{name}' (available: {known})")
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PluginError(f"chain dependency cycle: {' -> '.join((*path, name))}")
        state[name] = "visiting"
        for dep in chains[name].depends_on:
            visit(dep, (*path, name))
        state[name] = "done"
        order.append(chains[name])

    for name in names:
        visit(name, ())
    return order


def reset_plugin_manager() -> None:
    """Forget loaded plugins so entry points are read again (after installing a plugin in-process)."""
    global _pm
    with _lock:
        _pm = None
        broken_plugins.clear()

"""toolkit/ knows nothing of any particular chain: it never imports the built-in chains."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_never_imports_builtin_chains():
    offenders = []
    for path in (ROOT / "toolkit").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            banned = [n for n in names if n.split(".")[0] in ("toolkit_plugins", "plugins")]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in banned]
    assert not offenders, offenders


def test_builtin_chains_register_only_through_entry_points():
    pyproject = (ROOT / "pyproject.toml").read_text()
    for chain in ("summary", "claims", "counterclaims"):
        assert f'{chain} = "toolkit_plugins.{chain}"' in pyproject


def test_the_import_contracts_hold():
    """The contracts in pyproject.toml ([tool.importlinter]): the core never imports a built-in
    chain or provider SDK outside its provider, and the model interface knows no plugin manager."""
    import os

    import pytest

    cli = pytest.importorskip("importlinter.cli", reason="import-linter is a test extra (scripts/setup --test)")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
    finally:
        os.chdir(cwd)


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    parts[0] = {"toolkit": "toolkit", "plugins": "toolkit_plugins"}[parts[0]]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_time_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of ours imported when this module is imported: top-level statements only (imports
    inside functions run later, and `if TYPE_CHECKING:` blocks never)."""
    found: set[str] = set()
    tree = ast.parse(path.read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        for sub in (
            ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else ()
        ):
            names = []
            if isinstance(sub, ast.Import):
                names = [a.name for a in sub.names]
            elif isinstance(sub, ast.ImportFrom) and sub.module and sub.level == 0:
                names = [sub.module] + [f"{sub.module}.{a.name}" for a in sub.names]
            found |= {n for n in names if n in known}
    return found


def test_no_import_cycles():
    files = [*(ROOT / "toolkit").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]
    modules = {_module_name(p): p for p in files}
    graph = {name: _import_time_imports(path, set(modules)) - {name} for name, path in modules.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for dep in sorted(graph[name]):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep) :], dep] if dep in stack else [name, dep])
            elif dep not in state:
                visit(dep, [*stack, dep])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles

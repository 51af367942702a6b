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

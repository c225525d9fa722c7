"""The layers stay apart: the core never imports Textual; screens never reach the store or HTTP.

The contracts of `pyproject.toml` are checked by import-linter itself (deferred and TYPE_CHECKING imports
included); the checks below it are the same rules read straight from the source.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "onss_tui"
RULES = {
    "services": {"textual"},
    "api": {"textual"},
    "domain": {"textual", "sqlalchemy", "sqlmodel", "httpx", "fastapi"},
    "screens": {"sqlmodel", "sqlalchemy", "httpx"},
    "widgets": {"sqlmodel", "sqlalchemy", "httpx"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(RULES))
def test_layer_imports(layer: str) -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_roots(path) & RULES[layer])
        for path in (PACKAGE / layer).rglob("*.py")
        if imported_roots(path) & RULES[layer]
    }
    assert offenders == {}


def test_screens_and_widgets_do_not_import_local_or_remote_backends() -> None:
    for layer in ("screens", "widgets"):
        for path in (PACKAGE / layer).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            assert "services.local" not in text and "services.remote" not in text, path


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) is None
    ]
    assert missing == []


def test_import_contracts_hold(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from importlinter.cli import lint_imports

    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert status == 0, capsys.readouterr().out

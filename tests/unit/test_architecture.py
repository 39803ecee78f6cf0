"""The shape of the tree (issue 16): the gateway never reaches into a service's code, and every
service follows the one skeleton, with the one service layer of ``ponte.service_layer``."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "relationships", "authorizations", "attendance", "notifications")
UNIT_OF_WORK_NAMES = {"Context", "Unit", "UnitOfWork"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported_modules(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


def test_no_gateway_module_imports_a_service():
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "gateway").rglob("*.py")
        for module in _imported_modules(_tree(path))
        if module == "services" or module.startswith("services."))
    assert offenders == []


def _is_package(path: Path) -> bool:
    return path.is_dir() and (path / "__init__.py").is_file()


def _rules_in(init: Path) -> list[str]:
    return [node.name for node in _tree(init).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_has_the_skeleton(service):
    home = ROOT / "services" / service
    missing = [name for name, present in [
        ("service.py", (home / "service.py").is_file()),
        ("events.py", (home / "events.py").is_file()),
        ("usecases/", _is_package(home / "usecases")),
        ("domain/", _is_package(home / "domain")),
        ("repository.py or repository/",
         (home / "repository.py").is_file() or _is_package(home / "repository")),
        ("models.py", (home / "models.py").is_file()),
        ("migrations/", (home / "migrations").is_dir()),
    ] if not present]
    assert missing == [], f"services/{service} lacks {', '.join(missing)}"
    if _is_package(home / "domain"):
        assert _rules_in(home / "domain" / "__init__.py") == [], \
            f"services/{service}/domain/__init__.py holds rules; put them in a module"


def _own_units_of_work(path: Path) -> list[str]:
    found = []
    for node in ast.walk(_tree(path)):
        if not isinstance(node, ast.ClassDef):
            continue
        methods = {item.name for item in node.body
                   if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if node.name in UNIT_OF_WORK_NAMES or "unit" in methods:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} class {node.name}")
    return found


def test_no_service_defines_its_own_context_or_unit_of_work():
    offenders = [found for path in sorted((ROOT / "services").rglob("*.py"))
                 for found in _own_units_of_work(path)]
    assert offenders == [], "use ponte.service_layer.Context and its unit()"


def test_messaging_does_not_import_the_database_layer():
    """ponte.db builds on ponte.messaging, never the other way round (no import circle)."""
    offenders = sorted(
        f"{path.relative_to(ROOT)} imports {module}"
        for path in (ROOT / "ponte" / "messaging").rglob("*.py")
        for module in _imported_modules(_tree(path)) if module == "ponte.db")
    assert offenders == []

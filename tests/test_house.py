"""The house, layer by layer (README "Architecture"): the layers hold, and breaking one fails.

`make lint` runs import-linter on the contracts in pyproject.toml; these tests prove that the
contracts are kept today, that an upward import makes them fail, and the rules import-linter
cannot express: the algorithm loads no database layer, imports sit at the top of modules, and
the wings are folders, not facades."""

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest

from tests import PROJECT_ROOT

ROOMS = ["buddy", "desk", "coaching", "matching", "duos", "notifications", "organisations"]
LINT_IMPORTS = PROJECT_ROOT / ".venv" / "bin" / "lint-imports"


def _lint_imports(cwd):
    command = [str(LINT_IMPORTS)] if LINT_IMPORTS.exists() else [sys.executable, "-m",
                                                                  "importlinter.cli"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(cwd)})


def _python_files(*folders):
    for folder in folders:
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_layer_contracts_are_kept():
    result = _lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "upward"), [
    ("organisations/selectors.py", "from matching.intake import models"),  # floor -> room
    ("matching/intake/selectors.py", "from duos import models"),  # intake -> duos
    ("duos/selectors.py", "from coaching import models"),  # duos -> coaching
    ("coaching/selectors.py", "from matching.proposals import models"),  # sibling
    ("matching/scoring/pairs.py", "from matching.intake import models"),  # algorithm -> room
])
def test_an_upward_import_breaks_the_contract(tmp_path, module, upward):
    for package in ROOMS:
        shutil.copytree(PROJECT_ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "templates", "data"))
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{upward}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout or "broken" in result.stdout


def test_the_algorithm_loads_no_database_layer_and_no_room():
    code = ("import sys, matching.scoring.pairs, matching.scoring.fit, matching.scoring.rounds; "
            "bad = sorted(m for m in sys.modules if m.startswith(('django.db', "
            "'rest_framework', 'celery')) or m.split('.')[0] in "
            "('organisations', 'notifications', 'duos', 'coaching', 'desk') or "
            "m.startswith(('matching.intake', 'matching.proposals'))); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={k: v for k, v in os.environ.items()
                                 if k != "DJANGO_SETTINGS_MODULE"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _function_imports():
    for path in _python_files(*ROOMS, "benchmarks", "tools", "tests"):
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        yield path.relative_to(PROJECT_ROOT), inner.lineno, lines


def test_imports_sit_at_the_top_and_the_few_inside_a_function_say_why():
    found = list(_function_imports())
    assert len(found) <= 10, [f"{path}:{line}" for path, line, _ in found]
    for path, line, lines in found:
        # The reason is written on the line above (a comment), or on the import's own line.
        above, own = lines[line - 2].strip(), lines[line - 1]
        assert above.startswith("#") or "#" in own, f"{path}:{line} has no reason"


def test_the_wings_are_folders_without_facades():
    matching = PROJECT_ROOT / "matching"
    assert not list(matching.glob("proposal_*.py"))
    assert {p.name for p in matching.glob("*.py")} == {"__init__.py", "apps.py", "wiring.py"}
    for path in _python_files(*ROOMS, "tests", "benchmarks"):
        text = path.read_text()
        if "settings" in path.parts:
            continue  # Django's settings profiles build on the base profile by design
        assert not re.search(r"^\s*from \S+ import \*", text, re.M), path
        # A migration's module name starts with a digit: only importlib can load it in a test.
        assert not re.search(r"importlib\.import_module\(\s*f?[\"'](" + "|".join(ROOMS) +
                             r")(?![\w.]*\.migrations\.)", text), path
        assert "__import__" + "(" not in text, path


def test_the_floor_imports_no_room():
    rooms = ("desk", "coaching", "matching", "duos", "notifications")
    for path in _python_files("organisations"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in rooms, f"{path}: {node.module}"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] not in rooms for a in node.names), path


def test_the_contracts_name_every_room():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = " ".join(config["contracts"][0]["layers"])
    for room in ("desk", "coaching", "matching.proposals", "duos", "matching.intake",
                 "notifications", "organisations"):
        assert room in layers

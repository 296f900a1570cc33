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

ROOMS = ["buddy", "desk", "coaching", "outcomes", "matching", "duos", "notifications",
         "organisations"]
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
    ("outcomes/selectors.py", "from coaching import models"),  # sibling
    ("duos/selectors.py", "from outcomes import models"),  # duos -> outcomes
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
    rooms = ("desk", "coaching", "outcomes", "matching", "duos", "notifications")
    for path in _python_files("organisations"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert node.module.split(".")[0] not in rooms, f"{path}: {node.module}"
            if isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] not in rooms for a in node.names), path


def test_the_contracts_name_every_room():
    config = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = " ".join(config["contracts"][0]["layers"])
    for room in ("desk", "coaching", "matching.proposals", "outcomes", "duos",
                 "matching.intake", "notifications", "organisations"):
        assert room in layers


def _is_atomic(node) -> bool:
    """`transaction.atomic`, `atomic`, or either called (`transaction.atomic()`)."""
    node = node.func if isinstance(node, ast.Call) else node
    return (isinstance(node, ast.Attribute) and node.attr == "atomic"
            or isinstance(node, ast.Name) and node.id == "atomic")


def _locks_outside_a_transaction(source: str) -> list[str]:
    """The public functions of a module that lock rows (select_for_update, directly or through
    a helper of the module) outside a transaction of their own: they work only when a
    caller happens to have opened one, and fail on PostgreSQL when none did."""
    functions = {node.name: node for node in ast.parse(source).body
                 if isinstance(node, ast.FunctionDef)}

    def unprotected_calls(node, protected):
        if isinstance(node, ast.With | ast.AsyncWith):
            protected = protected or any(_is_atomic(item.context_expr) for item in node.items)
        if isinstance(node, ast.Call) and not protected:
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "select_for_update":
                yield "select_for_update"
            elif isinstance(func, ast.Name) and func.id in functions:
                yield func.id
        for child in ast.iter_child_nodes(node):
            yield from unprotected_calls(child, protected)

    def calls_of(function):
        if any(_is_atomic(decorator) for decorator in function.decorator_list):
            return set()
        return {call for statement in function.body
                for call in unprotected_calls(statement, False)}

    calls = {name: calls_of(function) for name, function in functions.items()}
    locking = {name for name, called in calls.items() if "select_for_update" in called}
    while True:  # a helper that calls a locking helper outside a transaction locks too
        more = {name for name, called in calls.items() if called & locking} - locking
        if not more:
            break
        locking |= more
    return sorted(name for name in locking if not name.startswith("_"))


def test_a_lock_outside_a_transaction_is_found():
    source = (
        "from django.db import transaction\n"
        "def _locked(p):\n    return P.objects.select_for_update().get(pk=p.pk)\n"
        "def _twice(p):\n    return _locked(p)\n"
        "@transaction.atomic\ndef safe(p):\n    return _twice(p)\n"
        "def also_safe(p):\n    with transaction.atomic():\n        return _locked(p)\n"
        "def unsafe(p):\n    return _twice(p)\n"
        "def unsafe_too(p):\n    x = P.objects.select_for_update()\n"
        "    with transaction.atomic():\n        return x.get()\n"
    )
    assert _locks_outside_a_transaction(source) == ["unsafe", "unsafe_too"]


def test_every_service_that_locks_opens_its_own_transaction():
    """A lock (select_for_update) needs a transaction: the service that takes it opens one
    (STYLE.md), so an API view, a page, a task or a command may call it as it is."""
    unsafe = [f"{path.relative_to(PROJECT_ROOT)}: {name}"
              for path in _python_files(*ROOMS)
              for name in _locks_outside_a_transaction(path.read_text())]
    assert unsafe == []

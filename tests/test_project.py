"""The project's set-up: deploy checks, the compose file, the translations."""

import ast
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
import yaml

from tests import PROJECT_ROOT

ROOT = PROJECT_ROOT


def test_production_profile_passes_check_deploy_without_warnings():
    # The browser tests allow the ORM inside Playwright's event loop; production never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="buddy.settings.production",
        SECRET_KEY="a-test-secret-that-is-long-and-random-enough-0123456789-abcdefghij",
        ALLOWED_HOSTS="buddy.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="buddy.settings.production", ALLOWED_HOSTS="x.org")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [Path(sys.executable).parent / "check-jsonschema", "--builtin-schema",
         "vendor.compose-spec", str(ROOT / "docker-compose.yml")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_every_service_the_settings_need():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    for name in ("web", "worker", "beat"):
        assert "healthcheck" in services[name], name
        assert services[name]["env_file"] == ".env"
        assert services[name]["depends_on"]["db"]["condition"] == "service_healthy"
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    for name in ("db", "redis"):
        assert "healthcheck" in services[name]
    assert set(compose["volumes"]) >= {"pgdata", "redisdata"}
    env = services["web"]["environment"]
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["CELERY_BROKER_URL"].startswith("redis://redis")


def test_env_example_lists_every_variable_the_settings_read():
    settings_text = "".join(
        p.read_text() for p in (ROOT / "buddy" / "settings").glob("*.py")
    )
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z_]+)"', settings_text))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^([A-Z_]+)=", example, re.M))
    assert read - listed == set()


LANGUAGES = ("nl", "fr", "en")
PLURAL_FORMS = {"nl": "nplurals=2; plural=(n != 1);", "fr": "nplurals=2; plural=(n > 1);",
                "en": "nplurals=2; plural=(n != 1);"}


def po_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def test_translations_are_complete_and_compiled():
    """The .po files are the source: every msgid has its msgstr in nl, fr and en, none fuzzy."""
    for language in LANGUAGES:
        mo_path = po_path(language).with_suffix(".mo")
        po = polib.pofile(str(po_path(language)))
        assert po.untranslated_entries() == [], (language, po.untranslated_entries()[:3])
        assert po.fuzzy_entries() == [], (language, po.fuzzy_entries()[:3])
        mo = polib.mofile(str(mo_path))
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in mo}
        for entry in po.translated_entries():
            assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, (
                f"{mo_path} is older than {po_path(language)}: run `make messages`"
            )


def test_message_file_headers_name_the_language_and_its_plural_rule():
    for language in LANGUAGES:
        po = polib.pofile(str(po_path(language)))
        assert not po.metadata_is_fuzzy, language
        meta = po.metadata
        assert meta["Language"] == language
        assert meta["Plural-Forms"] == PLURAL_FORMS[language], language
        assert meta["Content-Type"] == "text/plain; charset=UTF-8", language
        for field in ("Project-Id-Version", "Language-Team", "Last-Translator"):
            assert meta[field] and "PACKAGE" not in meta[field] and "FULL NAME" not in meta[field]


def test_msgfmt_check_passes_on_every_message_file():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt not found: install GNU gettext (apt-get install gettext), "
                    "as .ci/run does")
    for language in LANGUAGES:
        result = subprocess.run(
            [msgfmt, "-c", "--check-format", "-o", os.devnull, str(po_path(language))],
            capture_output=True, text=True,
        )
        assert result.returncode == 0 and result.stderr == "", result.stderr


def test_the_translation_tables_are_gone_and_make_messages_only_extracts_and_compiles():
    """Nothing writes over the .po files: a translator's work there survives `make messages`."""
    assert not (ROOT / "tools" / "translations").exists()
    assert not (ROOT / "tools" / "translate.py").exists()
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmessages:", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in recipe.splitlines()[1:]]
    assert "translate.py" not in recipe
    assert len(commands) == 2, commands
    assert commands[0].startswith("$(BIN)/python manage.py makemessages ")
    assert "--no-wrap" in commands[0] and "--no-location" in commands[0]
    assert commands[1].startswith("$(BIN)/python manage.py compilemessages ")


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy",
                 "pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}


def test_no_gettext_call_inside_an_f_string():
    """xgettext does not look inside f-strings: such a message never reaches the .po files."""
    found = []
    for folder, dirs, files in os.walk(ROOT):
        here = Path(folder)
        if here == ROOT:
            dirs[:] = [d for d in dirs if d not in {".venv", "var", "tests", "tools", "locale"}]
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.endswith(".py"):
                continue
            path = here / name
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and (
                        getattr(call.func, "id", None) in GETTEXT_NAMES
                        or getattr(call.func, "attr", None) in GETTEXT_NAMES
                    ):
                        found.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert found == [], f"gettext inside an f-string (makemessages misses it): {found}"


def test_an_empty_service_address_means_the_embedded_default():
    """`DATABASE_URL=` left empty in a copied .env must not break the settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "buddy.settings.base", "DATABASE_URL": "",
           "CELERY_BROKER_URL": " ", "CACHE_URL": ""}
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, "
            "s.CACHES['default']['BACKEND'])")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://",
                                     "django.core.cache.backends.filebased.FileBasedCache"]


def test_the_dev_worker_stops_cleanly_within_ten_seconds(tmp_path):
    """`make run`'s Ctrl-C: honcho sends SIGTERM; the worker of Procfile.dev finishes and
    exits on its own (no pool process killed under it, no ERROR line, no SIGKILL needed)."""
    line = next(entry for entry in (PROJECT_ROOT / "Procfile.dev").read_text().splitlines()
                if entry.startswith("worker:"))
    command = line.split(":", 1)[1].split()
    command[0] = str(PROJECT_ROOT / command[0])
    command += ["--queues", f"stop-test-{os.getpid()}"]  # consumes nothing of `make run`'s
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "buddy.settings.base",
           "CELERY_BROKER_URL": "filesystem://",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    worker = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = []
    try:
        for text in worker.stdout:
            output.append(text)
            if "ready." in text:
                break
        assert worker.poll() is None, "".join(output)
        # No pool processes: a signal to the group would kill them under the worker, which
        # then logs ERROR and waits until honcho kills it.
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        assert children == [], children
        # Honcho (and a terminal's Ctrl-C) signal the worker's whole process group.
        os.killpg(worker.pid, signal.SIGTERM)
        started = time.monotonic()
        rest, _ = worker.communicate(timeout=10)
        output.append(rest)
        assert time.monotonic() - started < 10
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    log = "".join(output)
    assert worker.returncode == 0, log
    assert "ERROR" not in log, log

# The two commands of the README: `make run` and `make test`. Both set up everything.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock | cksum | cut -d' ' -f1)
PROD_ENV := DJANGO_SETTINGS_MODULE=buddy.settings.production SECRET_KEY=check-deploy-only-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH ALLOWED_HOSTS=buddy.example.org

.PHONY: run test install lint pytest fuzz bench messages lock clean

$(STAMP): requirements-dev.lock
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make run: the whole system on embedded defaults (SQLite, file-system broker), with demo data.
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Open http://127.0.0.1:8000/ and log in with one of the demo accounts above."
	@echo "  Web, Celery worker and Celery beat run below; Ctrl-C stops all of them."
	@echo
	@# Ctrl-C stops web, worker and beat (honcho then exits with 130: a clean stop, not an error).
	$(BIN)/honcho -f Procfile.dev start || [ $$? -eq 130 ]

## make test: lint, migration and deploy checks, then the whole test suite.
test: install lint pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run --verbosity 1
	$(PROD_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

# The suite runs in one process per core (pytest-xdist; each process gets its own test database
# and broker, see buddy/settings/test.py), a file per process at a time so a module's shared
# data is built once. PYTEST_WORKERS=0 runs it in this one process.
PYTEST_WORKERS ?= auto
pytest: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## make fuzz: the API fuzzed from its schema at full strength (tests/walks/test_api_fuzz.py):
## 100 examples per operation, schemathesis' coverage phase, 100 linked sequences. On PostgreSQL
## only (DATABASE_URL=postgres://...): SQLite ignores row locks. Figures in test-output/api-fuzz.json.
fuzz: install
	@case "$$DATABASE_URL" in postgres://*|postgresql://*) ;; *) \
	  echo "make fuzz needs DATABASE_URL=postgres://... (SQLite ignores row locks)"; exit 2;; esac
	BUDDY_FUZZ_EXAMPLES=100 BUDDY_FUZZ_SCENARIOS=100 BUDDY_FUZZ_COVERAGE=1 \
	  $(BIN)/pytest tests/walks/test_api_fuzz.py -q $(PYTEST_ARGS); \
	  status=$$?; cat test-output/api-fuzz.json; exit $$status

## make bench: benchmarks that print JSON and write results to benchmarks/results/.
bench: install
	$(BIN)/python -m benchmarks

## make messages: extract the messages into locale/*/LC_MESSAGES/django.po, then compile them.
## The .po files are the source of the translations: edit them (by hand, Poedit, Weblate);
## extracting again keeps every msgstr and only adds, marks fuzzy or retires messages.
messages: install
	$(BIN)/python manage.py makemessages -l nl -l fr -l en --no-wrap --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'tools/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

## make lock: re-pin every dependency after changing pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --generate-hashes --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements-dev.lock --generate-hashes --python-version 3.11 -q

clean:
	rm -rf $(VENV) var

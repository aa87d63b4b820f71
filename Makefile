# eBOK — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install check lint format migrate demo clean messages

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("eBOK needs Python 3.11 or newer, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the SQLite database under var/, load demo data once, serve on :8000
## with the e-mail worker beside it; e-mail goes to the console and to var/mail/.
run: export DEBUG ?= 1
run: export EMAIL_BACKEND ?= accounts.mail.ConsoleAndFileBackend
run: $(STAMP)
	@mkdir -p var/mail
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data --if-empty
	@echo
	@echo "eBOK działa na http://127.0.0.1:8000/ (panel pracowników: http://127.0.0.1:8000/admin/)."
	@echo "Konto pracownika: .venv/bin/python manage.py createsuperuser. Ctrl+C kończy."
	@echo
	@trap 'kill 0' EXIT INT TERM; \
	$(PY) manage.py db_worker --no-reload & \
	$(PY) manage.py runserver 127.0.0.1:8000

## make test: the whole test suite (SQLite unless DATABASE_URL says otherwise)
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## make check: what CI checks besides the tests
check: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

## make messages: gather every translatable text into locale/pl and locale/en (django.po), then compile the
## .mo files. Fill in the new msgstr in both (Polish: three plural forms), run it again, commit .po and .mo:
## the .mo are committed so a machine without gettext's msgfmt runs the portal; a test checks they are current.
messages: $(STAMP)
	DEBUG=1 $(PY) manage.py makemessages --locale pl --locale en --no-obsolete --add-location file \
		--ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --ignore 'var/*'
	DEBUG=1 $(PY) manage.py compilemessages --locale pl --locale en --ignore '.venv/*'

format: $(STAMP)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache

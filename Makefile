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

## make .env: development settings of this machine, written once (make run does it first): DEBUG on,
## a random SECRET_KEY, e-mail to the console and var/mail/. manage.py reads it, so every
## `.venv/bin/python manage.py ...` of the README works as printed. Never used in production.
.env:
	@umask 077 && $(PYTHON) -c 'import secrets; print("# Development settings of this machine, written by make run (README: Settings).\nDEBUG=1\nSECRET_KEY=" + secrets.token_urlsafe(50) + "\nEMAIL_BACKEND=accounts.mail.ConsoleAndFileBackend")' > .env.new
	@mv .env.new .env
	@echo "Zapisano .env: DEBUG=1, losowy SECRET_KEY, e-mail do konsoli i do var/mail/."

## make run: install, write .env, migrate the SQLite database under var/, load demo data once, serve
## on :8000 with the e-mail worker beside it; e-mail goes to the console and to var/mail/.
run: .env $(STAMP)
	@mkdir -p var/mail
	$(PY) manage.py migrate --no-input
	$(PY) manage.py demo_data --if-empty
	@echo
	@echo "eBOK działa na http://127.0.0.1:8000/ (panel pracowników: http://127.0.0.1:8000/admin/)."
	@echo "Konto pracownika: .venv/bin/python manage.py createsuperuser. Komunikaty bibliotek PDF: var/log/pdf.log."
	@echo "Ctrl+C kończy."
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

"""Settings of the eBOK processes that tests/ops starts beside the test (gunicorn instances, db_worker): the test
settings, with e-mail sent by SMTP to EMAIL_URL (the test's own server), since mail kept in a process's memory
could not be seen by the test."""

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]  # noqa: F405

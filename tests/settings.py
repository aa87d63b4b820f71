"""Settings for the test suite: the project's settings, made fast and deterministic.

A test key is supplied before the project's settings are read, because those refuse to load
without one (as production must). A developer's ``.env`` (``make run`` writes one with DEBUG=1) is not
read: the tests see the same settings on every machine.
"""

import os

os.environ["EBOK_ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "test-only-key-" + "k3y-for-the-eBOK-test-suite-never-used-anywhere" * 2)
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

from ebok.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Serve static files straight from static/ (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

"""eBOK settings: one module, everything that differs between machines comes from the environment.

Read by django-environ from the process environment (and from a ``.env`` file beside ``manage.py``
when there is one: ``make run`` writes a development one). Nothing secret has a default: with ``DEBUG``
off the project refuses to start without a real ``SECRET_KEY``.
"""

import datetime
import importlib.util
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The environment wins over the file. EBOK_ENV_FILE names another file, or none when empty (the test
# settings do that, so that a developer's .env cannot change what the tests see).
ENV_FILE = os.environ.get("EBOK_ENV_FILE", str(BASE_DIR / ".env"))
if ENV_FILE and Path(ENV_FILE).is_file():
    env.read_env(ENV_FILE)

DEBUG = env.bool("DEBUG", default=False)

# A key for local development only; never accepted with DEBUG off.
_DEVELOPMENT_KEY = "django-insecure-ebok-development-key-do-not-use-in-production"


def _is_real_secret_key(key):
    """Django's own bar for a production key (check security.W009): long, varied, not a placeholder."""
    return len(key) >= 50 and len(set(key)) >= 5 and not key.startswith("django-insecure")


SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEVELOPMENT_KEY
if not DEBUG and not _is_real_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters when DEBUG is off. "
        'Generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))". '
        "For development, `make run` (or `make .env`) writes a .env with DEBUG=1 and a key."
    )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",  # the admin, behind password + TOTP (accounts/staff.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",  # staff's authenticator apps
    "django_otp.plugins.otp_static",  # staff's recovery codes
    "accounts",
    "customers",
    "invoices",
    "consumption",
    "ops",
    "cases",
    "outages",
]

MIDDLEWARE = [
    "ops.middleware.request_log",  # first: one log line and the metrics of every answer, with its request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.session_timeout",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "accounts.middleware.permissions_policy",
]

ROOT_URLCONF = "ebok.urls"
WSGI_APPLICATION = "ebok.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ when DATABASE_URL is unset, so a newcomer needs nothing installed;
# PostgreSQL (postgres://user@host:5432/name) in production and CI.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ebok.sqlite3'}")}
if "DATABASE_URL" not in env:
    VAR_DIR.mkdir(exist_ok=True)  # a fresh clone has no var/ yet
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process read while the worker or an import writes; IMMEDIATE makes a
    # writing transaction take the lock at its start instead of failing halfway with "locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)

# Past one database server (docs/scaling.md): DATABASE_REPLICA_URL names a PostgreSQL streaming replica of
# DATABASE_URL. The customer pages' reads then go to it (ops/db_router.py); every write, login and throttle
# check, the worker and the commands stay on the primary. Unset: one database, no router.
if DATABASE_REPLICA_URL := env.str("DATABASE_REPLICA_URL", default=""):
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL on PostgreSQL (a streaming replica).")
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"].setdefault("CONN_HEALTH_CHECKS", True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same test database
    DATABASE_ROUTERS = ["ops.db_router.PrimaryReplicaRouter"]
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                      "ops.db_router.ReplicaReadsMiddleware")  # fmt: skip
    # After a customer's write, the session reads from the primary this long (the replica may lag behind).
    REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)

# Background work (e-mail, PDF rendering) is stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.CustomerBackend",  # customers: region + code + password
    "accounts.backends.StaffBackend",  # staff in the admin: username + password
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "accounts.validators.ForbiddenWordsValidator"},
]

# The way in (spec/portal.md). The throttles' numbers and reasons are in accounts/limits.py.
ONE_TIME_PASSWORD_VALIDITY = datetime.timedelta(hours=env.int("ONE_TIME_PASSWORD_HOURS", default=24))
SESSION_IDLE_TIMEOUT = datetime.timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = datetime.timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())  # the server forgets it then
# The cookie itself lasts only as long as the browser: a shared computer closed is a logout.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use REMOTE_ADDR only).
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
# Throttle counters go to Redis when set (redis://127.0.0.1:6379/0), else to the database.
REDIS_URL = env.str("REDIS_URL", default="")

# Polish is the default and the legally binding text; English is a translation a visitor may switch to
# (the switch in base.html posts to set_language). The choice is kept in the language cookie and, for a
# logged-in customer, on their User, so e-mails and PDFs follow it. Catalogues: `make messages`.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", "Polski"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True
# Localised formatting (USE_L10N) is always on since Django 5.0: dates as 26.11.2026,
# numbers with a decimal comma.

STATIC_URL = "static/"
# collectstatic writes here and WhiteNoise serves from here (with DEBUG off).
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and rendered files (invoice PDFs) are private: MEDIA_ROOT is never served by URL,
# only through views that check who is asking.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Stored files (invoice PDFs) go through Django's storage API only, so several instances share them: by default
# a folder all of them mount (MEDIA_ROOT); with STORAGE_BUCKET an S3-compatible object store through
# django-storages (`pip install '.[s3]'`; docs/scaling.md). Keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY
# (boto3 reads them from the environment), the provider's address from STORAGE_ENDPOINT_URL.
STORAGE_BUCKET = env.str("STORAGE_BUCKET", default="")
DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if STORAGE_BUCKET:
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("STORAGE_BUCKET needs django-storages with boto3: pip install '.[s3]'.")
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": env.str("STORAGE_ENDPOINT_URL", default=None),  # None: AWS itself
            "region_name": env.str("STORAGE_REGION", default=None),
            "location": env.str("STORAGE_PREFIX", default=""),  # a folder inside the bucket
            "default_acl": "private",  # invoices are never public: served only through the portal's views
            "file_overwrite": True,  # a re-rendered PDF replaces the old one under the same name
        },
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (case attachments: at most 5 files of 10 MB a message, accounts.limits). A file over 2.5 MB is
# streamed to a temporary file instead of memory, so a message with 5 × 10 MB holds little RAM per request
# until cases.attachments reads it for its check. The text fields of a form stay under 2.5 MB (Django's
# default; a message is at most 5,000 characters). Up to 100 files are parsed (Django's default), so a customer
# who picks 6 or 11 gets the form's own message ("at most 5 files") instead of a bare 400; the files' bytes are
# bounded anyway, as the body as a whole is capped in front of Django (deploy/nginx/ebok.conf:
# client_max_body_size 55m on /sprawy/ and /admin/: 5 × 10 MB with the form's text and multipart overhead).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 100


def _mail_folder(url):
    """The folder of a filemail:// URL as written: filemail:///tmp/mail (or ////tmp/mail) is /tmp/mail,
    filemail://var/mail is var/mail of the project; django-environ alone would make both relative."""
    path = url.removeprefix("filemail://").partition("?")[0]
    if not path.strip("/"):
        return None
    return "/" + path.lstrip("/") if path.startswith("/") else str(BASE_DIR / path)


# E-mail: smtp+tls://user:password@host:587, consolemail://, filemail:///path/to/folder
# Without DEBUG an address must be given: a console default would print one-time passwords to the logs.
if not DEBUG and "EMAIL_URL" not in env and "EMAIL_BACKEND" not in env:
    raise ImproperlyConfigured("EMAIL_URL must be set when DEBUG is off, e.g. smtp+tls://user:password@host:587")
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
EMAIL_CONFIG = env.email_url_config(EMAIL_URL)
if EMAIL_URL.startswith("filemail:"):
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = _mail_folder(EMAIL_URL)
vars().update(EMAIL_CONFIG)
# The portal's address as customers reach it, for links in e-mails.
EBOK_BASE_URL = env.str("EBOK_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="eBOK <ebok@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Administrator", a) for a in env.list("ADMINS", default=[])]

# `make run` uses accounts.mail.ConsoleAndFileBackend: each message on the console and in var/mail/.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=EMAIL_CONFIG["EMAIL_BACKEND"])
if not DEBUG and EMAIL_BACKEND == "accounts.mail.ConsoleAndFileBackend":
    # make run's development backend, e.g. from its .env left in a production checkout: one-time passwords
    # would go to the logs.
    raise ImproperlyConfigured(f"EMAIL_BACKEND {EMAIL_BACKEND} is for development: not with DEBUG off.")
EMAIL_FILE_PATH = EMAIL_CONFIG.get("EMAIL_FILE_PATH") or env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_TIMEOUT = 30

# Behind a TLS-terminating proxy: cookies only over HTTPS, HSTS. Off in DEBUG for runserver.

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", False) else None
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True  # no script of the site reads either cookie
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
# Monitoring asks the application's own port over the private network, not through the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # nothing below the portal's host name is served over plain HTTP
# HSTS preload lists a whole registrable domain: that is the company's decision for its apex domain,
# not the portal's, so Django's reminder about it is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The portal runs no inline script or style and loads nothing from elsewhere: say so to the browser,
# so that injected markup cannot run or send data away.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Browser features the portal never uses, switched off for it and anything it might embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "geolocation",
        "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip

# Staff's second factor (django-otp). The issuer names the entry in the authenticator app. Its own
# per-device back-off is off: wrong codes are limited by the one written-down rule in accounts/limits.py
# (in the shared store), and a correct code must not be refused as "wrong" because of an earlier typo.
OTP_TOTP_ISSUER = "eBOK"
OTP_TOTP_THROTTLE_FACTOR = OTP_STATIC_THROTTLE_FACTOR = 0

# What the PDF libraries say about fonts and CSS (WeasyPrint, fontTools) goes to LOG_DIR/pdf.log, not to the
# console, where it would bury the development server's output and the e-mails `make run` prints.
LOG_DIR = Path(env.str("LOG_DIR", default=str(VAR_DIR / "log")))
LOG_DIR.mkdir(parents=True, exist_ok=True)
# Everything else goes to the console (the journal under systemd): one JSON object per line, with a line per
# request (ebok.request) and per security event (ebok.security); "text" (key=value) for a developer's console.
# Fields and their meaning: docs/operations.md.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "ops.logs.JsonFormatter"},
        "text": {"()": "ops.logs.TextFormatter"},
    },
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "pdf_file": {
            "class": "logging.handlers.WatchedFileHandler",  # reopens the file after logrotate moved it
            "filename": str(LOG_DIR / "pdf.log"),
            "formatter": "plain",
            "delay": True,
        },
        # Errors (a failed request, an e-mail given up) reach the ADMINS by e-mail in production.
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WARNING and up: their INFO lines narrate every step of every PDF.
        "weasyprint": {"level": "WARNING", "handlers": ["pdf_file"], "propagate": False},
        "fontTools": {"level": "WARNING", "handlers": ["pdf_file"], "propagate": False},
    },
}

# The company running the portal, shown in every page's footer and on the region login pages.
# The seller printed on documents is kept per region (customers.Region), seeded from these values.
EBOK_COMPANY = {
    "name": "Spółka Ciepłowniczo-Energetyczna Jaworzno III Sp. z o.o.",
    "short_name": "SCE Jaworzno III",
    "nip": "632-000-00-68",
    "street": "Al. Tysiąclecia 7",
    "postal_code": "43-603",
    "city": "Jaworzno",
    "phone": "32 614 01 31",
    "email": "ebok@sce-jaworzno.pl",
    "iod_email": "iod@sce-jaworzno.pl",
}

# The 24-hour heat emergency line (pogotowie ciepłownicze), shown first wherever a customer reports or reads
# about an outage (the cases and outages pages). 993 is the national number for heat emergencies.
EBOK_EMERGENCY_PHONE = env.str("EBOK_EMERGENCY_PHONE", default="993")

# Cases (Sprawy): days from filing to the answer that is due, per kind (cases.models.Case.Kind). The tariff
# regulation for heat gives a complaint 14 days; requests get 30, an outage report (also to be phoned in) one.
EBOK_CASE_DUE_DAYS = {
    "awaria": env.int("CASE_DUE_DAYS_OUTAGE", default=1),
    "reklamacja": env.int("CASE_DUE_DAYS_COMPLAINT", default=14),
    "moc": env.int("CASE_DUE_DAYS_POWER", default=30),
    "dane": env.int("CASE_DUE_DAYS_CONTACT", default=30),
    "wniosek": env.int("CASE_DUE_DAYS_REQUEST", default=30),
}

# /metrics answers only requests made straight from these addresses or networks (never through the proxy):
# the Prometheus server's, comma-separated. Counters of several gunicorn workers are added up through
# PROMETHEUS_MULTIPROC_DIR (docs/operations.md).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])

# E-invoices (issue 11): who the e-mail with each new invoice comes from and where a reply goes (the customer
# service's mailbox, not the portal's no-reply sender). EINVOICE_REPLY_TO is a comma-separated list.
EINVOICE_FROM_EMAIL = env.str("EINVOICE_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
EINVOICE_REPLY_TO = env.list("EINVOICE_REPLY_TO", default=[EBOK_COMPANY["email"]])

# -- Invoices (issue 5) -------------------------------------------------------------------------
# Host of the KSeF verification QR code (KOD I) printed on invoices: production by default;
# qr-test.ksef.mf.gov.pl or qr-demo.ksef.mf.gov.pl on test and pre-production installations.
KSEF_QR_HOST = env.str("KSEF_QR_HOST", default="qr.ksef.mf.gov.pl")

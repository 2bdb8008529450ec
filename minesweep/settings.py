"""Django settings, read from the environment only (see ``.env.example``).

A bad value stops start-up with a :class:`minesweep.config.ConfigError` naming the variable.
Defaults suit one machine: SQLite under ``var/``, local analytics, Chinese interface.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from minesweep.config import (
    ConfigError,
    env_bool,
    env_choice,
    env_int,
    env_key,
    env_list,
    env_str,
    require_distinct_secrets,
    throwaway_secrets_allowed,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("MINESWEEP_VAR_DIR", str(BASE_DIR.parent / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEMO_MODE = env_bool("MINESWEEP_DEMO", False)
DEBUG = env_bool("MINESWEEP_DEBUG", False)
# Set by the ``minesweep`` command in its own process for ``--help`` only (not an environment variable, so no
# deployment can switch it on): missing secrets are then throw-away ones, never stored, never used for data.
HELP_ONLY = throwaway_secrets_allowed()
_demo_store = VAR_DIR / "demo-secrets.json" if DEMO_MODE else None

SECRET_KEY = env_key("MINESWEEP_SECRET_KEY", demo_store=_demo_store, length=32, throwaway=HELP_ONLY).hex()
# Master key for envelope encryption of report content (AES-256-GCM key-encryption key).
MASTER_KEY = env_key("MINESWEEP_MASTER_KEY", demo_store=_demo_store, length=32, throwaway=HELP_ONLY)
MASTER_KEY_ID = env_str("MINESWEEP_MASTER_KEY_ID", "k1")
# Extra keys still able to unwrap older data after a rotation: "id:base64,id:base64".
OLD_MASTER_KEYS = env_list("MINESWEEP_OLD_MASTER_KEYS", [])
# Server-side secret keyed into receipt-code hashes; it never goes into the database.
RECEIPT_PEPPER = env_key("MINESWEEP_RECEIPT_PEPPER", demo_store=_demo_store, length=32, throwaway=HELP_ONLY)
# Key of the audit chain's HMAC (outside the database, so rewriting events needs it too: ADR 0005).
AUDIT_KEY = env_key("MINESWEEP_AUDIT_KEY", demo_store=_demo_store, length=32, throwaway=HELP_ONLY)
if not HELP_ONLY:
    require_distinct_secrets(
        MINESWEEP_SECRET_KEY=bytes.fromhex(SECRET_KEY),
        MINESWEEP_MASTER_KEY=MASTER_KEY,
        MINESWEEP_RECEIPT_PEPPER=RECEIPT_PEPPER,
        MINESWEEP_AUDIT_KEY=AUDIT_KEY,
    )

# No "testserver" here: Django's test set-up adds it for tests only.
ALLOWED_HOSTS = env_list("MINESWEEP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("MINESWEEP_CSRF_TRUSTED_ORIGINS", [])
REQUIRE_TOTP = env_bool("MINESWEEP_REQUIRE_TOTP", not DEMO_MODE)
# Secure by default outside demo mode (the demo serves plain http on 127.0.0.1).
SECURE_COOKIES = env_bool("MINESWEEP_SECURE_COOKIES", not DEMO_MODE)
SECURE_SSL_REDIRECT = env_bool("MINESWEEP_SSL_REDIRECT", not DEMO_MODE)
SECURE_HSTS_SECONDS = env_int("MINESWEEP_HSTS_SECONDS", 0 if DEMO_MODE else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MINESWEEP_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("MINESWEEP_HSTS_PRELOAD", False)
# The health probe is answered over plain http too (load balancers, systemd watchdogs on 127.0.0.1).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
_DEFAULT_CSP = (
    # Two inline handlers are allowed by hash only ('unsafe-hashes'): this.form.submit() and window.print().
    "default-src 'self'; script-src 'self' 'unsafe-hashes' 'sha256-osjxnKEPL/pQJbFk1dKsF7PYFmTyMWGmVSiL9inhxJY=' "
    "'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# Empty means the default policy: an operator can replace it but not switch it off by leaving it blank.
CONTENT_SECURITY_POLICY = env_str("MINESWEEP_CONTENT_SECURITY_POLICY", "") or _DEFAULT_CSP
# Serving: a reverse proxy that terminates TLS (docs/deploy.md, deploy/nginx/minesweep.conf).
TRUSTED_PROXY = env_str("MINESWEEP_TRUSTED_PROXY", "")
SERVE_CONNECTION_LIMIT = env_int("MINESWEEP_SERVE_CONNECTION_LIMIT", 1000, minimum=10, maximum=100_000)
SERVE_CHANNEL_TIMEOUT = env_int("MINESWEEP_SERVE_CHANNEL_TIMEOUT", 30, minimum=1, maximum=3600)
SERVE_THREADS = env_int("MINESWEEP_SERVE_THREADS", 8, minimum=1, maximum=256)
# Jobs: start a worker thread from any WSGI start-up (see minesweep.jobs.apps).
JOBS_IN_PROCESS = env_bool("MINESWEEP_JOBS_IN_PROCESS", False)
# A running job whose worker has not reported for this long is handed back to the queue.
JOBS_ORPHAN_AFTER_SECONDS = env_int("MINESWEEP_JOBS_ORPHAN_AFTER_SECONDS", 300, minimum=30)
# Public reporting anti-abuse (minesweep.reports.antiabuse).
REPORTS_POW_BASE_BITS = env_int("MINESWEEP_REPORTS_POW_BASE_BITS", 12, minimum=0, maximum=24)
REPORTS_POW_MAX_BITS = env_int("MINESWEEP_REPORTS_POW_MAX_BITS", 22, minimum=0, maximum=28)
REPORTS_QUOTA_PER_HOUR = env_int("MINESWEEP_REPORTS_QUOTA_PER_HOUR", 6, minimum=1, maximum=1_000_000)
REPORTS_FOLLOW_UP_MESSAGES_PER_HOUR = env_int("MINESWEEP_REPORTS_FOLLOW_UP_MESSAGES_PER_HOUR", 10, minimum=1)
ANALYTICS_UPLOAD_MAX_BYTES = env_int("MINESWEEP_ANALYTICS_UPLOAD_MAX_BYTES", 256 * 1024 * 1024, minimum=1024)
ANALYTICS_ENGINE = env_choice("MINESWEEP_ANALYTICS_ENGINE", "local", ("local", "dask"))
DASK_SCHEDULER = env_str("MINESWEEP_DASK_SCHEDULER", "")
ARGON2_TIME_COST = env_int("MINESWEEP_ARGON2_TIME_COST", 3, minimum=1, maximum=20)
ARGON2_MEMORY_KIB = env_int("MINESWEEP_ARGON2_MEMORY_KIB", 65536, minimum=8, maximum=4_194_304)
EMAIL_NOTIFICATIONS = env_bool("MINESWEEP_EMAIL_NOTIFICATIONS", False)
EMAIL_BACKEND = env_str("MINESWEEP_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
UPLOAD_MAX_BYTES = env_int("MINESWEEP_UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Documents: an administrator's edited DOCX templates override the shipped ones (same file names);
# the PDF font must cover Chinese (Debian: fonts-wqy-microhei); empty means "find it".
DOCUMENT_TEMPLATE_DIR = env_str("MINESWEEP_DOCUMENT_TEMPLATE_DIR", "")
DOCUMENT_PDF_FONT = env_str("MINESWEEP_DOCUMENT_PDF_FONT", "")
# Working days a party has to object before a credit listing is published (our default; set per region).
CREDIT_OBJECTION_WORKING_DAYS = env_int("MINESWEEP_CREDIT_OBJECTION_WORKING_DAYS", 5, minimum=1, maximum=60)
MEDIA_ROOT = VAR_DIR / "files"
DATA_ROOT = VAR_DIR / "data"

_database_url = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'minesweep.sqlite3'}")
try:
    _database = dj_database_url.parse(_database_url, conn_max_age=60)
except ValueError as exc:  # unknown scheme and the like
    raise ConfigError("DATABASE_URL", str(exc)) from None
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE avoids lock upgrades failing mid-transaction.
    _database["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    _database["CONN_MAX_AGE"] = 0
_database["ATOMIC_REQUESTS"] = False
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "minesweep.core",
    "minesweep.accounts",
    "minesweep.audit",
    "minesweep.registry",
    "minesweep.policy",
    "minesweep.jobs",
    "minesweep.reports",
    "minesweep.cases",
    "minesweep.credit",
    "minesweep.documents",
    "minesweep.detection",
    "minesweep.oversight",
    "minesweep.web",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "minesweep.core.privacy.ForgetClientMiddleware",
    "minesweep.core.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minesweep.core.locale.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minesweep.core.errors.DomainErrorMiddleware",
    "minesweep.core.badinput.BadInputMiddleware",
    "minesweep.core.busy.DatabaseBusyMiddleware",
    "minesweep.core.headers.ContentSecurityPolicyMiddleware",
]

AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"

# Sign-in limits: progressive delay per account and client, limits per client, administrator unlock
# (minesweep.accounts.signin_limits), in the database like every other rate limit.

ROOT_URLCONF = "minesweep.urls"
WSGI_APPLICATION = "minesweep.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "minesweep.web.context.staff_context",
            ],
        },
    },
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns on every request when it is missing
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" and CSRF checks fail.
SECURE_REFERRER_POLICY = "same-origin"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Reporters' files never touch the disk unencrypted: on the reporting paths uploads stay in memory (bounded).
FILE_UPLOAD_HANDLERS = [
    "minesweep.core.uploads.ReporterUploadInMemory",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Logs: JSON lines with the request id (default outside demo mode) or plain text; never request metadata such
# as the client's address (minesweep.core.logs writes a fixed set of fields).
LOG_FORMAT = env_choice("MINESWEEP_LOG_FORMAT", "plain" if DEMO_MODE else "json", ("json", "plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "minesweep.core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "minesweep.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("MINESWEEP_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR")),
    },
    "loggers": {
        "django.server": {"level": "WARNING"},
        "waitress": {"level": "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50

# HSTS for sub-domains and browser preload lists are the operator's commitment for the whole domain
# (MINESWEEP_HSTS_INCLUDE_SUBDOMAINS / MINESWEEP_HSTS_PRELOAD), not ours to make by default.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]

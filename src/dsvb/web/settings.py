"""Django settings for the dsvb web application.

Configured by environment variables (all optional for a local installation):

- ``DATABASE_URL`` — the transactional store, e.g.
  ``postgres://dsvb_app:secret@127.0.0.1:5432/dsvb``. Default: SQLite at ``var/app.sqlite3``.
  On PostgreSQL this is the application's role, which must not own the tables.
- ``DSVB_MIGRATE_DATABASE_URL`` — PostgreSQL only: the same database as the tables' owner,
  used by ``migrate`` (``dsvb manage migrate`` and the migrate step of ``dsvb serve``/``demo``),
  which then grants ``DATABASE_URL``'s role what it needs (only SELECT, INSERT on the audit
  log). Unset: migrations run as ``DATABASE_URL``'s role (which then owns the tables).
- ``DSVB_AUDIT_KEY`` — the key of the audit log's hash chain (default: derived from the
  secret key; set it so that changing the secret key keeps old entries verifiable).
- ``DSVB_AUDIT_WITNESS`` — the audit log's append-only witness file (default
  ``<data dir>/audit-witness.log``).
- ``DSVB_STORE`` — the analytical store (DuckDB file). Default: ``var/store.duckdb``.
- ``DSVB_DATA_DIR`` — where local files go (default ``var``).
- ``DSVB_SECRET_KEY`` — required in production; locally one is generated into the data dir.
- ``DSVB_HTTPS`` — ``1`` when served over HTTPS (secure cookies, HSTS).
- ``DSVB_PROXY_COUNT`` — how many trusted reverse proxies stand in front of dsvb (each adding
  to ``X-Forwarded-For``), so the audit log and the sign-in lock-out see the person's address;
  default 0, when the header is never believed.
- ``DSVB_ALLOWED_HOSTS`` — comma-separated host names (default: local only).
- ``DSVB_DEBUG`` — ``1`` for Django's debug pages (never in production).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import dj_database_url


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in ("1", "true", "yes", "on")


PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DSVB_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
DSVB_STORE = Path(os.environ.get("DSVB_STORE", DATA_DIR / "store.duckdb")).resolve()
UPLOAD_DIR = DATA_DIR / "uploads"


def _secret_key() -> str:
    key = os.environ.get("DSVB_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    try:  # created readable by its owner only, from the first byte; never overwritten
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
# The audit chain's HMAC key: never stored in the database, so that write access to the
# database is not enough to forge entries (docs/decisions/0015-tamper-evident-audit-log.md).
DSVB_AUDIT_KEY = (
    os.environ.get("DSVB_AUDIT_KEY")
    or hmac.new(SECRET_KEY.encode("utf-8"), b"dsvb audit chain v1", hashlib.sha256).hexdigest()
)
DSVB_AUDIT_WITNESS = Path(
    os.environ.get("DSVB_AUDIT_WITNESS", DATA_DIR / "audit-witness.log")
).resolve()
DEBUG = _flag("DSVB_DEBUG")
HTTPS = _flag("DSVB_HTTPS")
# trusted reverse proxies in front of dsvb (each adds to X-Forwarded-For); 0 = none
DSVB_PROXY_COUNT = int(os.environ.get("DSVB_PROXY_COUNT", "0"))
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DSVB_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "govuk_frontend_django",
    "crispy_forms",
    "crispy_forms_gds",
    "dsvb.web.accounts",
    "dsvb.web.audit",
    "dsvb.web.performance",
    "dsvb.web.imports",
    "dsvb.web.public",
    "dsvb.web.oversight",
    "dsvb.web.cases",
    "dsvb.web.compliance",
    "dsvb.web.linkage",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dsvb.web.accounts.middleware.SecondFactorMiddleware",
    "dsvb.web.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dsvb.web.urls"
WSGI_APPLICATION = "dsvb.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dsvb.web.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'app.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages be read while an import writes; wait rather than fail on a busy database
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
# the tables' owner, for migrations only (see the audit app's migrate command)
DSVB_MIGRATE_DATABASE = (
    dj_database_url.parse(os.environ["DSVB_MIGRATE_DATABASE_URL"])
    if os.environ.get("DSVB_MIGRATE_DATABASE_URL")
    else None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        # files in the data folder, shared by every worker process of `dsvb serve`: a page,
        # chart or derived table built by one worker is served by all (`dsvb serve` empties
        # it at start; keys carry the store version, so an import makes entries stale)
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "TIMEOUT": 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- authentication ------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:signed-out"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock an account out after 5 failed sign-ins (per user name and address) for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "dsvb.web.audit.recorder.client_address"  # the audit log's address
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "dsvb"

# A link to set a password (an invitation) works once, for 3 days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 60 * 60

# --- email (invitations) -------------------------------------------------------------------
# With DSVB_EMAIL_HOST set, invitations go out by SMTP; otherwise each message is written to a
# file in <data dir>/sent-email/ (nothing leaves the machine) and the link is shown to the
# secretariat to pass on, as it always is.
DSVB_EMAIL_CONFIGURED = bool(os.environ.get("DSVB_EMAIL_HOST"))
if DSVB_EMAIL_CONFIGURED:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["DSVB_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("DSVB_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("DSVB_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("DSVB_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _flag("DSVB_EMAIL_TLS", default=True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "sent-email"
DEFAULT_FROM_EMAIL = os.environ.get("DSVB_EMAIL_FROM", "dsvb@localhost")

# --- sessions, cookies and headers ---------------------------------------------------------

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # read from the cache
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
CSRF_FAILURE_VIEW = "dsvb.web.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- files ---------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Large uploads are received into UPLOAD_DIR/.incoming/<process>/, swept when left behind
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "dsvb.web.imports.uploads.TemporaryFileHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DSVB_MAX_UPLOAD_BYTES = 2 * 1024 * 1024 * 1024

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"dsvb": {"level": "INFO"}},
}

# Run background jobs (imports) in a thread of the web process; tests run them inline.
DSVB_JOBS_INLINE = _flag("DSVB_JOBS_INLINE")
# Prepare the performance pages' first views after an import and when the server starts
# (dsvb.web.performance.prepare); off, the pages are derived on their first view instead.
DSVB_PREPARE_PAGES = _flag("DSVB_PREPARE_PAGES", default=True)

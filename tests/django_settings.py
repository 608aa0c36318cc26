"""Settings for the test suite: the real settings, with a throwaway data folder.

The database is SQLite unless ``DATABASE_URL`` points elsewhere (CI runs the web tests a
second time against PostgreSQL).
"""

import os
import tempfile

os.environ.setdefault("DSVB_DATA_DIR", tempfile.mkdtemp(prefix="dsvb-test-"))
os.environ.setdefault("DSVB_JOBS_INLINE", "1")
# an import job run inline (in the request) only warms the results, as before: tests of
# the preparation call it themselves (tests/web/performance/test_prepare.py)
os.environ.setdefault("DSVB_PREPARE_PAGES", "0")

from dsvb.web.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Serve static files from the app folders (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database in a file, as in production (WAL, a busy timeout): the live server's
    # threads and the background import runner each get their own connection. An in-memory
    # test database is shared-cache, where a reader fails at once with "table is locked"
    # while the runner writes.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

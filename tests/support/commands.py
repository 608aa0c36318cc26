"""Running dsvb's command line as a new user would, in a subprocess, over a web database of
the test's own (a SQLite file in ``folder``): one way for every test of a command that
reads or writes the web's database as well as the store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def web_env(folder: Path, database: str = "cases.sqlite3") -> dict[str, str]:
    """The environment of a command whose web database is ``folder/database``."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / database}",
        "DSVB_DATA_DIR": str(folder),
        "DJANGO_SETTINGS_MODULE": "dsvb.web.settings",
    }


def run_dsvb(
    env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m dsvb ARGS`` in ``env``; the caller checks the exit code."""
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )

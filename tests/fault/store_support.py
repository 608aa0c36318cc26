"""Helpers for the store kill and lock tests: real processes, real files, real DuckDB."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from dsvb import store
from dsvb.store import writer
from tests.support.store import contents

ROOT = Path(__file__).resolve().parents[2]
DSVB = [sys.executable, "-m", "dsvb"]
WEB_JOB = [sys.executable, str(Path(__file__).with_name("store_web_job.py"))]
MARKER_TIMEOUT = 120.0


def env(**extra: str) -> dict[str, str]:
    """The environment of a dsvb process: this checkout's code, no fault unless asked."""
    out = {k: v for k, v in os.environ.items() if k != "DSVB_FAULT_PAUSE"}
    out["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "src"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    )
    out.pop("DJANGO_SETTINGS_MODULE", None)
    out.update(extra)
    return out


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table of the store ({} when there is no store)."""
    if not path.exists():
        return {}
    con = store.connect(path, read_only=True)
    try:
        return contents(con)
    finally:
        con.close()


def start_paused(args: list[str], stage: str, **extra: str) -> subprocess.Popen:
    """Start a process that pauses at ``stage`` (DSVB_FAULT_PAUSE); return once it has."""
    process = subprocess.Popen(
        args,
        env=env(DSVB_FAULT_PAUSE=stage, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_line(process, f"DSVB_FAULT_PAUSE {stage} ")
    return process


def wait_for_line(process: subprocess.Popen, prefix: str, stream: str = "stderr") -> list[str]:
    """Read the process's stderr (or stdout) until a line starts with ``prefix``."""
    pipe = process.stderr if stream == "stderr" else process.stdout
    assert pipe is not None
    seen: list[str] = []
    deadline = time.monotonic() + MARKER_TIMEOUT
    while time.monotonic() < deadline:
        line = pipe.readline()
        if not line:
            process.wait()
            other = process.stdout if stream == "stderr" else process.stderr
            rest = other.read() if other is not None else ""
            raise AssertionError(
                f"process ended ({process.returncode}) before {prefix!r}: {''.join(seen)}\n{rest}"
            )
        seen.append(line)
        if line.startswith(prefix) or prefix in line:
            return seen
    process.kill()
    raise AssertionError(f"no {prefix!r} within {MARKER_TIMEOUT} s: {''.join(seen)}")


def kill9(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def store_leftovers(path: Path) -> list[Path]:
    """Unfinished copies, journals or spill folders beside the store."""
    return writer.leftovers(path) + [p for p in [path.with_name(path.name + ".wal")] if p.exists()]


def web_env(data_dir: Path) -> dict[str, str]:
    return {"DSVB_DATA_DIR": str(data_dir), "DSVB_JOBS_INLINE": "1"}


def web(data_dir: Path, *args: str) -> str:
    """Run a command of the web job script to its end; its stdout."""
    done = subprocess.run(
        [*WEB_JOB, *args],
        env=env(**web_env(data_dir)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def restart(data_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh web process's view after ``jobs.kick`` (jobs, audit entries, upload files),
    and after a second ``kick``."""
    first, second = web(data_dir, "restart").strip().splitlines()[-2:]
    return json.loads(first), json.loads(second)

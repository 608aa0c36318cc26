"""Waiting for the store: the command line waits for another writer (saying so) and then
imports, or gives up after its bounded wait with the store unchanged; pages keep answering
with the last good data while an import is being written.

Writers are real ``dsvb import`` processes, held mid-write by ``DSVB_FAULT_PAUSE``
(``dsvb.store.faults``): the write lock held, the import complete in the copy, not renamed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from django.core.cache import cache

from dsvb.demo.generator import generate_extract
from dsvb.store import writer
from dsvb.web.performance import data
from tests.fault.store_support import (
    DSVB,
    env,
    kill9,
    snapshot,
    start_paused,
    store_leftovers,
    wait_for_line,
)


@pytest.fixture(scope="module")
def extracts(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("extracts")
    for name, seed in (("a", 3), ("b", 4)):
        generate_extract(
            root / name, incidents=400, seed=seed, start=dt.date(2009, 12, 1), months=12
        )
    return root / "a", root / "b"


def _import(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*DSVB, "import", *args], env=env(), capture_output=True, text=True, timeout=300
    )


def test_a_command_line_import_waits_for_another_writer_then_imports(
    tmp_path: Path, extracts
) -> None:
    a, b = extracts
    path = tmp_path / "store.duckdb"
    holder = start_paused(
        [*DSVB, "import", str(a), "--store", str(path), "--by", "first"], "before-commit"
    )
    waiter = subprocess.Popen(
        [*DSVB, "import", str(b), "--store", str(path), "--wait", "120"],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = wait_for_line(waiter, "waiting for it (up to 120 seconds")
    assert (
        f"The store is being written by another import (command line import by first, "
        f"process {holder.pid}); waiting for it" in lines[-1]
    )
    holder.send_signal(signal.SIGINT)  # the first import is stopped: nothing of it stored
    _, held_err = holder.communicate(timeout=60)
    assert holder.returncode == 130
    assert held_err.strip().splitlines()[-1] == "Interrupted; nothing was changed."
    out, err = waiter.communicate(timeout=300)
    assert waiter.returncode == 0, err
    assert out.startswith(f"Imported {b} as import 1")
    assert [r[2] for r in snapshot(path)["import_log"]] == [str(b)]
    assert store_leftovers(path) == []


def test_a_command_line_import_gives_up_after_its_wait_and_changes_nothing(
    tmp_path: Path, extracts
) -> None:
    a, b = extracts
    path = tmp_path / "store.duckdb"
    assert _import(str(a), "--store", str(path)).returncode == 0
    before = snapshot(path)
    holder = start_paused([*DSVB, "import", str(b), "--store", str(path)], "locked")
    try:
        done = _import(str(b), "--store", str(path), "--wait", "1")
    finally:
        kill9(holder)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "waiting for it (up to 1 seconds" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"The store {path} is being written by another import (command line import by "
        f"{done.stderr.split('import by ')[1].split(',')[0]}, process {holder.pid}); it was "
        "still busy after 1 seconds. Nothing was imported and the store was not changed: try "
        "again when that import has finished."
    )
    assert snapshot(path) == before


@pytest.fixture
def copied_store(published_store, settings, tmp_path: Path) -> Path:
    """The demo store (its first release published) copied, so a write can be held on it."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(published_store, path)
    settings.DSVB_STORE = path
    cache.clear()
    return path


def test_pages_answer_with_the_last_good_data_while_an_import_is_written(
    copied_store: Path, client_for, extracts
) -> None:
    _, b = extracts
    before = snapshot(copied_store)
    version = data.state(fresh=True).version
    analyst = client_for("force_analyst")
    public = client_for(None)
    for stage in ("locked", "before-commit"):
        writer_process = start_paused(
            [*DSVB, "import", str(b), "--store", str(copied_store)], stage
        )
        try:
            cache.clear()
            for _ in range(3):
                page = analyst.get("/performance/")
                assert page.status_code == 200
                assert "12 months to November 2010" in page.content.decode()
                assert public.get("/published/").status_code == 200
                assert data.state(fresh=True).version == version  # the last good store
        finally:
            kill9(writer_process)
    assert snapshot(copied_store) == before
    writer.sweep(copied_store)
    assert store_leftovers(copied_store) == []

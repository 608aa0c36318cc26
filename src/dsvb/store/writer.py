"""Writing the store: one writer at a time, copy-on-write, and the rename is the commit.

DuckDB lets one process write a database file, and a writing process shuts every reader
out. So no process writes the store file itself (see docs/decisions/0014-store-writes.md):

- A writer takes an OS file lock beside the store (``store.duckdb.lock``, ``flock``),
  waiting a bounded time with progress messages, then giving up with a clear message
  (:class:`StoreBusy`). The command line, web import jobs and ``dsvb demo`` all come here.
- Holding it, the writer copies the store to ``store.duckdb.writing-<pid>`` in the same
  folder, opens the copy, runs the import there and records who made it
  (:meth:`StoreWrite.record`, the ``import_origin`` table), checkpoints and closes the copy
  (no journal left), syncs it to disk and renames it over the store. The rename is the
  commit: readers, who open the store read-only and briefly, never wait and always see the
  last good store; a crash before the rename leaves the store as it was and a copy that the
  next writer (or :func:`sweep`) removes.
- A ``store.duckdb.wal`` left by an older dsvb killed while writing in place is applied by
  DuckDB's own recovery (open, checkpoint) under the lock before anything is copied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import glob
import os
import shutil
import signal
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dsvb.store import NotAStoreError, _is_duckdb_file, connect, resolve_store_path
from dsvb.store.faults import pause

__all__ = [
    "COMMAND_LINE",
    "DEMO",
    "WAIT_SECONDS",
    "WEB",
    "Origin",
    "StoreAccessError",
    "StoreBusy",
    "StoreWrite",
    "commits",
    "import_origins",
    "job_import",
    "leftovers",
    "lock_path",
    "sweep",
    "writing",
]

#: how long a writer waits for another writer, whoever it is (command line, web, demo)
WAIT_SECONDS = 120.0
RETRY_SECONDS = 0.25
#: how often a waiting writer says it is still waiting
TELL_EVERY_SECONDS = 10.0

COMMAND_LINE = "command line"
WEB = "web"
DEMO = "demo"

Progress = Callable[[str], None]


class StoreBusy(Exception):
    """Another writer held the store for the whole bounded wait; nothing was written."""


class StoreAccessError(StoreBusy):
    """The store's lock or its copy could not be opened or made (permissions, a full or
    read-only disk); nothing was written. A :class:`StoreBusy`, so every caller that
    reports a busy store in plain words reports this one too."""


def _access_error(what: str, path: Path, store: Path, exc: OSError) -> StoreAccessError:
    reason = exc.strerror or str(exc)
    return StoreAccessError(
        f"The store {store} cannot be written: {what} {path} failed ({reason}). Nothing was "
        f"imported and the store was not changed. Check that the user running dsvb may "
        f"read and write {store.parent} and the files in it (every user that imports must "
        "be able to: the same service user, or users of one group with the files "
        "group-writable), and that the disk is not full or read-only."
    )


@dataclass(frozen=True)
class Origin:
    """Who makes an import, and from where: recorded in the store with the import."""

    imported_by: str
    via: str  # COMMAND_LINE | WEB | DEMO
    job_id: int | None = None
    #: when the web job was made: with job_id, tells it from a later job given the same id
    #: after the web database was reset or restored
    job_created_at: dt.datetime | None = None

    def describe(self) -> str:
        if self.via == WEB:
            return f"web import job {self.job_id} by {self.imported_by}"
        return f"{self.via} import by {self.imported_by}"


@dataclass
class StoreWrite:
    """The copy being written: run the import on ``con``, then :meth:`record` it."""

    con: duckdb.DuckDBPyConnection
    origin: Origin
    imports: list[int] = field(default_factory=list)
    #: what else this write changed that is not an import (a linkage run, a split link):
    #: noted with :meth:`changed`, it commits the copy too
    changes: list[str] = field(default_factory=list)
    committed: bool = False

    def changed(self, what: str) -> None:
        """Note a change that is not an import (``what`` says which), so the copy commits."""
        self.changes.append(what)

    def record(self, import_id: int) -> None:
        """Note who made import ``import_id`` (in the copy, so it commits with the import)."""
        self.con.execute(
            "INSERT OR REPLACE INTO import_origin "
            "(import_id, imported_by, via, job_id, recorded_at, job_created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [
                import_id,
                self.origin.imported_by,
                self.origin.via,
                self.origin.job_id,
                _utc_naive(dt.datetime.now(dt.UTC)),
                _utc_naive(self.origin.job_created_at),
            ],
        )
        self.imports.append(import_id)


def _utc_naive(when: dt.datetime | None) -> dt.datetime | None:
    """As the store keeps times: UTC without a zone."""
    if when is None or when.tzinfo is None:
        return when
    return when.astimezone(dt.UTC).replace(tzinfo=None)


_commits = 0


def commits() -> int:
    """How many writes this process has committed (the interrupt message needs to know)."""
    return _commits


def real_path(path: str | os.PathLike[str]) -> Path:
    """The store file itself, symbolic links followed: the file a write replaces and
    whose lock every writer takes, however each was given the path. (Renaming over a
    link would replace the link with a plain file, leaving other programs that follow the
    link reading, and locking, another file.)"""
    return Path(path).resolve()


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock beside the store (the real file, links followed) that writers take."""
    real = real_path(path)
    return real.with_name(real.name + ".lock")


def _copy_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.writing-{os.getpid()}")


def leftovers(path: str | os.PathLike[str]) -> list[Path]:
    """Copies, journals and spill folders of writes that never finished."""
    path = real_path(path)
    if not path.parent.is_dir():
        return []
    return sorted(path.parent.glob(f"{glob.escape(path.name)}.writing-*"))


def _remove(paths: list[Path]) -> None:
    for leftover in paths:
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


class _Lock:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def unlink(self) -> None:
        """Remove the lock file while holding it (waiters notice and open the new one)."""
        with contextlib.suppress(OSError):
            self.path.unlink()


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError):
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
        if text:
            return text
    return "another process"


def _open_lock(lock: Path) -> int:
    """Open (creating) the lock file. It is made readable by all the umask allows, and
    opened read-only when it cannot be written (another user of the store made it): a
    read-only descriptor takes the lock just as well, it only cannot say who holds it."""
    try:
        return os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except PermissionError:
        return os.open(lock, os.O_RDONLY | os.O_CLOEXEC)


def _try_lock(lock: Path) -> tuple[int | None, str]:
    """The lock's descriptor, held; or None and who holds it."""
    while True:
        fd = _open_lock(lock)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            return None, holder
        try:
            same = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd, ""
        os.close(fd)  # the holder removed the file as we opened it: take the new one


@contextlib.contextmanager
def write_lock(
    path: Path, *, what: str, wait: float = WAIT_SECONDS, progress: Progress | None = None
) -> Iterator[_Lock]:
    """Hold the store's write lock, waiting up to ``wait`` seconds (saying so) for it."""
    say = progress or (lambda message: None)
    lock = lock_path(path)
    started = time.monotonic()
    told: float | None = None
    while True:
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            fd, holder = _try_lock(lock)
        except OSError as exc:
            raise _access_error("opening its lock", lock, path, exc) from exc
        if fd is not None:
            break
        now = time.monotonic()
        if now - started >= wait:
            raise StoreBusy(
                f"The store {path} is being written by another import ({holder}); it was "
                f"still busy after {wait:.0f} seconds. Nothing was imported and the store was "
                "not changed: try again when that import has finished."
            )
        if told is None or now - told >= TELL_EVERY_SECONDS:
            left = wait - (now - started)
            say(
                f"The store is being written by another import ({holder}); waiting for it "
                f"(up to {wait:.0f} seconds, {left:.0f} left)"
            )
            told = now
        time.sleep(min(RETRY_SECONDS, max(0.0, wait - (now - started))))
    try:
        with contextlib.suppress(OSError):  # a lock opened read-only cannot say who holds it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{what}, process {os.getpid()}\n".encode(), 0)
        yield _Lock(lock, fd)
    finally:
        os.close(fd)  # releases the lock


def _recover_journal(path: Path, deadline: float, say: Progress) -> None:
    """Apply a journal (``.wal``) left by an older dsvb that wrote the store in place."""
    journal = path.with_name(path.name + ".wal")
    if not journal.exists() or not path.exists():
        return
    say(f"Applying {journal.name}, left by an earlier write that did not finish")
    while True:
        try:
            con = duckdb.connect(str(path))  # DuckDB replays what the journal committed
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                raise StoreBusy(
                    f"The store {path} has a journal ({journal.name}) that cannot be applied "
                    f"now: {exc}. Nothing was imported and the store was not changed."
                ) from exc
            time.sleep(RETRY_SECONDS)
            continue
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return


def _fsync(path: Path, *, directory: bool = False) -> None:
    fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _commit(copy: Path, path: Path, write: StoreWrite) -> None:
    """Rename the copy over the store; Ctrl+C cannot fall between the rename and the note."""
    global _commits
    blocked = False
    with contextlib.suppress(ValueError, OSError):  # not the main thread: nothing to block
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        blocked = True
    try:
        os.replace(copy, path)
        write.committed = True
        _commits += 1
        # a Ctrl+C that came meanwhile is raised as soon as it is unblocked: sync first
        _fsync(path.parent, directory=True)
    finally:
        if blocked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _copy_store(path: Path, copy: Path) -> None:
    """Copy the store to ``copy`` with the store's permissions, and owner where allowed.

    The store holds records of people: a copy made with the default permissions (0644 with
    the usual umask) would make a 0600 store readable by every user once renamed over it.
    The copy is created unreadable to others, given the store's mode (and its owner and
    group, which only works as that owner or root; otherwise the writing user owns it),
    and only then filled.
    """
    st = path.stat()
    fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(PermissionError):
                os.fchown(fd, st.st_uid, st.st_gid)
            with contextlib.suppress(PermissionError):  # keep the group at least
                os.fchown(fd, -1, st.st_gid)
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
        with path.open("rb") as source, os.fdopen(os.dup(fd), "wb") as target:
            shutil.copyfileobj(source, target, 8 * 1024 * 1024)
    finally:
        os.close(fd)


@contextlib.contextmanager
def writing(
    path: str | os.PathLike[str] | None,
    origin: Origin,
    *,
    wait: float = WAIT_SECONDS,
    progress: Progress | None = None,
) -> Iterator[StoreWrite]:
    """Write the store, all or nothing: yields a :class:`StoreWrite` on a copy of it.

    The copy replaces the store when the block ends normally having recorded an import
    (:meth:`StoreWrite.record`) or another change (:meth:`StoreWrite.changed`); otherwise
    (nothing recorded, an exception, Ctrl+C) the store is left exactly as it was.
    """
    path = real_path(resolve_store_path(path))
    say = progress or (lambda message: None)
    if path.exists() and not _is_duckdb_file(path):
        connect(path, read_only=True)  # raises NotAStoreError, touching nothing
        raise NotAStoreError(f"{path} is not a dsvb store")  # pragma: no cover
    deadline = time.monotonic() + wait
    with write_lock(path, what=origin.describe(), wait=wait, progress=say) as lock:
        _remove(leftovers(path))
        _recover_journal(path, deadline, say)
        pause("locked")
        copy = _copy_path(path)
        spill = copy.with_name(copy.name + ".spill")
        con: duckdb.DuckDBPyConnection | None = None
        try:
            if path.exists():
                size = path.stat().st_size
                if size > 64 * 1024 * 1024:
                    say(f"Copying the store ({size / 1e6:,.0f} MB) to write the import to")
                try:
                    _copy_store(path, copy)
                except OSError as exc:
                    raise _access_error("copying it to", copy, path, exc) from exc
            try:
                con = connect(copy)
            except NotAStoreError as exc:  # name the store, not the copy
                raise NotAStoreError(str(exc).replace(str(copy), str(path))) from None
            con.execute(f"SET temp_directory = '{str(spill).replace(chr(39), chr(39) * 2)}'")
            write = StoreWrite(con, origin)
            yield write
            if write.imports or write.changes:
                con.execute("CHECKPOINT")
            con.close()
            con = None
            if write.imports or write.changes:
                if copy.with_name(copy.name + ".wal").exists():
                    raise RuntimeError(f"{copy} kept a journal after its checkpoint")
                _fsync(copy)
                pause("before-commit")
                _commit(copy, path, write)
                pause("after-commit")
        finally:
            if con is not None:
                with contextlib.suppress(duckdb.Error):
                    con.close()
            _remove(leftovers(path))
            if not path.exists():
                lock.unlink()  # nothing was ever stored: leave nothing behind


def sweep(path: str | os.PathLike[str]) -> list[Path]:
    """Remove what unfinished writes left (when no write is running); returns what went."""
    path = real_path(path)
    if not leftovers(path):
        return []
    try:
        fd, _ = _try_lock(lock_path(path))
    except OSError:
        return []  # the next writer (who needs the lock anyway) says what is wrong
    if fd is None:
        return []  # a writer is at work: it removes them itself
    try:
        found = leftovers(path)
        _remove(found)
        return found
    finally:
        os.close(fd)


def import_origins(con: duckdb.DuckDBPyConnection) -> dict[int, dict[str, object]]:
    """Who made each import, by import id (empty for a store made before it was recorded)."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables")
              .fetchall()}  # fmt: skip
    if "import_origin" not in tables:
        return {}
    cursor = con.execute("SELECT * FROM import_origin")  # job_created_at: schema 5 on
    names = [d[0] for d in cursor.description]
    origins: dict[int, dict[str, object]] = {}
    for row in cursor.fetchall():
        origin = dict(zip(names, row, strict=True))
        origin.setdefault("job_created_at", None)
        origins[origin.pop("import_id")] = origin
    return origins


def job_import(
    con: duckdb.DuckDBPyConnection,
    job_id: int,
    *,
    created_at: dt.datetime | None = None,
    started_at: dt.datetime | None = None,
) -> int | None:
    """The import a web job stored, if it stored one.

    Job ids are not unique for ever (a reset or restored web database gives them out
    again), so the job's ``created_at`` must match the one recorded with the import; an
    import recorded before dsvb kept it (schema < 5) must at least have been recorded
    after the job started.
    """
    created = _utc_naive(created_at)
    started = _utc_naive(started_at)
    for import_id, origin in import_origins(con).items():
        if origin["via"] != WEB or origin["job_id"] != job_id:
            continue
        recorded_created = origin["job_created_at"]
        if recorded_created is not None:
            if created is not None and recorded_created != created:
                continue
        elif started is not None and origin["recorded_at"] < started:  # type: ignore[operator]
            continue
        return import_id
    return None

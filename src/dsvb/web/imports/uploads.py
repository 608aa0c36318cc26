"""Checking an upload before anything runs, and saving it where the job will find it.

An upload is checked as it is copied into a staging folder under ``UPLOAD_DIR``: its size,
the names of the files (only the extract's files; no paths, no archives inside the zip),
and that every CSV is UTF-8 text. What fails raises :class:`UploadRejected` with a message
for the person; the staging folder is removed. What passes is moved to the job's folder
(``UPLOAD_DIR/<job id>/``) once the job exists.

Nothing of an upload outlives its job, even when a process is killed: Django's temporary
files for large uploads go to ``UPLOAD_DIR/.incoming/<process>/`` (:class:`TemporaryFileHandler`)
and staging folders to ``UPLOAD_DIR/.staging/<process>.<id>``, named after the process that
writes them, so :func:`sweep` can remove those of processes that are gone at once; the
folders of finished jobs go too.
"""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import shutil
import stat
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import (
    FileUploadHandler,
    StopUpload,
    TemporaryFileUploadHandler,
)
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat

from dsvb.ingest import extract_format as fmt

CHUNK = 1024 * 1024
EXTRACT_FOLDER = "extract"  # inside a job's folder, the extract's CSV files
STAGING = ".staging"  # checked uploads waiting for their job
INCOMING = ".incoming"  # Django's temporary files of uploads being received
RUNNERS = ".runners"  # the lock of each running job's runner (jobs.py)
#: a job folder with no job is removed once this old (its job may be being created)
ORPHAN_SECONDS = 300

#: the first bytes of archive and compressed formats
_ARCHIVE_MAGIC = (
    (b"PK\x03\x04", "a zip file"),
    (b"PK\x05\x06", "a zip file"),
    (b"\x1f\x8b", "a gzip file"),
    (b"BZh", "a bzip2 file"),
    (b"\xfd7zXZ\x00", "an xz file"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip file"),
    (b"Rar!\x1a\x07", "a RAR file"),
)
_ARCHIVE_SUFFIXES = {
    ".zip",
    ".gz",
    ".tgz",
    ".tar",
    ".bz2",
    ".xz",
    ".7z",
    ".rar",
    ".zst",
    ".jar",
}
#: files that archiving tools add on their own; skipped without complaint
_TOOL_LITTER = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$|Thumbs\.db$|desktop\.ini$|\._)")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._() -]+")


class UploadRejected(Exception):
    """The upload cannot be imported; the message says why, for the person who sent it."""


def known_names() -> tuple[str, ...]:
    return tuple(spec.filename for spec in fmt.FILES)


def required_names() -> tuple[str, ...]:
    return tuple(spec.filename for spec in fmt.FILES if spec.required)


def limit() -> int:
    return int(settings.DSVB_MAX_UPLOAD_BYTES)


def limit_text() -> str:
    return filesizeformat(limit())


def _list(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


# --- limiting the size while the request is read ----------------------------------------


class SizeLimitHandler(FileUploadHandler):
    """Stops reading an upload as soon as it is larger than ``DSVB_MAX_UPLOAD_BYTES``.

    Without it a too-large upload would be written to a temporary file in full before the
    view could refuse it. It sets ``request.dsvb_upload_too_large`` for the view to report.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.total = 0
        self.too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: bytes,
        encoding: str | None = None,
    ) -> None:
        # the form fields and multipart boundaries add a little to the files' own size
        if content_length > limit() + 64 * 1024:
            self._refuse()

    def _refuse(self) -> None:
        self.too_large = True
        if self.request is not None:
            self.request.dsvb_upload_too_large = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.too_large:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if self.too_large or self.total > limit():
            self._refuse()
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


# --- staging ------------------------------------------------------------------------------


@dataclass
class Staged:
    """An upload that passed its checks, waiting in a staging folder for its job."""

    folder: Path
    file_names: list[str]  # as uploaded
    size: int  # bytes uploaded
    contents: list[str] = field(default_factory=list)  # the files saved, relative to folder

    def adopt(self, job_folder: Path) -> Path:
        """Move the staged files to the job's folder."""
        job_folder.parent.mkdir(parents=True, exist_ok=True)
        if job_folder.exists():
            shutil.rmtree(job_folder)
        self.folder.rename(job_folder)
        self.folder = job_folder
        return job_folder

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _staging_folder() -> Path:
    folder = Path(settings.UPLOAD_DIR) / STAGING / f"{process_tag()}.{uuid.uuid4().hex}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


# --- what killed processes leave behind ---------------------------------------------------


def _start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), to tell it from a later one
    that reuses its id; None when there is no such process (or no /proc to ask)."""
    try:
        stat_text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat_text.rsplit(")", 1)[1].split()[19]


def process_tag(pid: int | None = None) -> str:
    """``<pid>.<start time>`` of this process: what names its temporary upload files."""
    pid = os.getpid() if pid is None else pid
    return f"{pid}.{_start_time(pid) or 0}"


def _tag_alive(tag: str) -> bool:
    pid_text, _, started = tag.partition(".")
    if not pid_text.isdigit():
        return False
    pid = int(pid_text)
    now = _start_time(pid)
    if now is not None:
        return started in ("0", now)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started == "0"


def _remove_path(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def job_folder_ids() -> list[int]:
    """The job ids that have a folder under ``UPLOAD_DIR``."""
    root = Path(settings.UPLOAD_DIR)
    if not root.is_dir():
        return []
    return [int(p.name) for p in root.iterdir() if p.name.isdigit()]


def sweep(active: set[int], known: set[int]) -> list[Path]:
    """Remove what no queued or running job needs: the folders of other jobs (``known``:
    ids that have a job; a folder without one goes once it is :data:`ORPHAN_SECONDS` old),
    staging folders and temporary upload files of processes that are gone, and the runner
    locks of jobs that are not running. Returns what was removed."""
    root = Path(settings.UPLOAD_DIR)
    if not root.is_dir():
        return []
    gone: list[Path] = []
    now = time.time()
    for path in root.iterdir():
        if path.name.isdigit():
            job_id = int(path.name)
            if job_id in active:
                continue
            if job_id in known or _age(path, now) > ORPHAN_SECONDS:
                gone.append(path)
    for folder in (STAGING, INCOMING):
        if (root / folder).is_dir():
            for path in (root / folder).iterdir():
                tag = path.name.rsplit(".", 1)[0] if folder == STAGING else path.name
                if not _tag_alive(tag):
                    gone.append(path)
    if (root / RUNNERS).is_dir():
        for path in (root / RUNNERS).iterdir():
            stem = path.name.removesuffix(".lock")
            if not (stem.isdigit() and int(stem) in active):
                gone.append(path)
    for path in gone:
        _remove_path(path)
    return gone


def _age(path: Path, now: float) -> float:
    try:
        return now - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


class _IncomingFile(TemporaryUploadedFile):
    """A large upload being received, in this process's folder under ``UPLOAD_DIR``."""

    def __init__(
        self,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        folder = Path(settings.UPLOAD_DIR) / INCOMING / process_tag()
        folder.mkdir(parents=True, exist_ok=True)
        ext = os.path.splitext(name)[1][:20]
        file = tempfile.NamedTemporaryFile(suffix=".upload" + ext, dir=folder)  # noqa: SIM115
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class TemporaryFileHandler(TemporaryFileUploadHandler):
    """Django's handler for large uploads, writing where :func:`sweep` finds leftovers."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        self.file = _IncomingFile(
            self.file_name or "upload", self.content_type or "", 0, self.charset,
            self.content_type_extra,
        )  # fmt: skip


class _Utf8Check:
    """Checks text incrementally while it is copied; remembers the first problem."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.offset = 0
        self.first = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if len(self.first) < 16:
            self.first += chunk[: 16 - len(self.first)]
            what = _archive_kind(self.first)
            if what and len(self.first) >= 2:
                raise UploadRejected(
                    f"{self.name} is {what}, not a CSV file. Upload the CSV files themselves, "
                    "or one zip file that holds them"
                )
        try:
            self.decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            at = self.offset + exc.start
            raise UploadRejected(
                f"{self.name} is not UTF-8 text (the first problem is at byte {at + 1:,}). "
                "Save it as ‘CSV UTF-8’ and upload it again"
            ) from None
        self.offset += len(chunk)


def _archive_kind(first: bytes) -> str | None:
    for magic, what in _ARCHIVE_MAGIC:
        if first.startswith(magic):
            return what
    return None


def _copy_checked(source: IO[bytes], target: Path, name: str, budget: int) -> int:
    """Copy a CSV, checking it is UTF-8 and not an archive; returns the bytes copied."""
    check = _Utf8Check(name)
    copied = 0
    with target.open("wb") as out:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            copied += len(chunk)
            if copied > budget:
                raise UploadRejected(_too_large_message())
            check.feed(chunk)
            out.write(chunk)
        check.feed(b"", final=True)
    if copied == 0:
        raise UploadRejected(f"{name} is empty")
    return copied


def _too_large_message() -> str:
    return f"The upload must be smaller than {limit_text()}"


def _reader(upload: UploadedFile) -> IO[bytes]:
    upload.seek(0)
    return upload  # type: ignore[return-value]


def safe_name(name: str) -> str:
    """A file name fit to save under (no folders, no odd characters)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    cleaned = _SAFE_NAME.sub("_", base).strip(" .") or "upload"
    return cleaned[:150]


# --- extracts -----------------------------------------------------------------------------


def stage_extract(files: list[UploadedFile]) -> Staged:
    """Check an extract upload (one zip, or the CSV files) and stage its CSV files."""
    if not files:
        raise UploadRejected("Select the extract’s zip file or its CSV files")
    names = [f.name or "" for f in files]
    size = sum(f.size or 0 for f in files)
    if size > limit():
        raise UploadRejected(_too_large_message())
    zips = [n for n in names if n.lower().endswith(".zip")]
    if zips and len(files) > 1:
        raise UploadRejected(
            "Select either one zip file or the extract’s CSV files, not both together"
        )
    folder = _staging_folder()
    staged = Staged(folder, names, size)
    try:
        if zips:
            staged.contents = _stage_zip(files[0], folder / EXTRACT_FOLDER)
        else:
            staged.contents = _stage_csvs(files, folder / EXTRACT_FOLDER)
    except BaseException:
        staged.discard()
        raise
    return staged


def _check_extract_names(names: list[str], where: str) -> None:
    known = known_names()
    archives = [n for n in names if PurePosixPath(n).suffix.lower() in _ARCHIVE_SUFFIXES]
    if archives:
        raise UploadRejected(
            f"{where} contains another archive ({_list(archives)}). "
            "Put the extract’s CSV files in the zip directly"
        )
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UploadRejected(
            f"{where} contains files that are not part of the extract: {_list(unknown)}. "
            f"An extract can only contain {_list(known)}"
        )
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise UploadRejected(f"{where} contains {_list(twice)} more than once")
    missing = [n for n in required_names() if n not in names]
    if missing:
        raise UploadRejected(
            f"The extract is missing {_list(missing)}. An extract needs "
            f"{_list(required_names())} ({_list(sorted(set(known) - set(required_names())))} "
            "is optional)"
        )


def _stage_csvs(files: list[UploadedFile], target: Path) -> list[str]:
    names = [f.name or "" for f in files]
    not_csv = [n for n in names if not n.lower().endswith(".csv")]
    if not_csv and not any(PurePosixPath(n).suffix.lower() in _ARCHIVE_SUFFIXES for n in names):
        raise UploadRejected(
            f"{_list(not_csv)} {'is not a CSV file' if len(not_csv) == 1 else 'are not CSV files'}"
            ". Select the extract’s CSV files, or one zip file that holds them"
        )
    _check_extract_names(names, "The selection")
    target.mkdir(parents=True)
    budget = limit()
    for upload in files:
        name = upload.name or ""
        budget -= _copy_checked(_reader(upload), target / name, name, budget)
    return [f"{EXTRACT_FOLDER}/{n}" for n in names]


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    """Why a member of the zip may not be extracted, if it may not."""
    name = info.filename
    path = name.replace("\\", "/")
    parts = [p for p in path.split("/") if p]
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path) or ".." in parts or "\x00" in name:
        return f"a path that points outside the zip ({name})"
    mode = info.external_attr >> 16
    if mode and stat.S_ISLNK(mode):
        return f"a link ({name})"
    if info.flag_bits & 0x1:
        return f"an encrypted file ({name})"
    return None


def _stage_zip(upload: UploadedFile, target: Path) -> list[str]:
    zip_name = upload.name or "the zip file"
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRejected(f"{zip_name} is not a zip file that can be opened") from None
    with archive:
        members: list[tuple[str, zipfile.ZipInfo]] = []
        folders: set[str] = set()
        for info in archive.infolist():
            problem = _member_problem(info)
            if problem:
                raise UploadRejected(
                    f"{zip_name} contains {problem}. A zip of an extract can only hold the "
                    "extract’s CSV files, at its top level or in one folder"
                )
            path = info.filename.replace("\\", "/")  # some Windows tools write backslashes
            if _TOOL_LITTER.search(path) or path.endswith("/"):
                continue
            parts = path.split("/")
            if len(parts) > 2:
                raise UploadRejected(
                    f"{zip_name} contains folders inside folders ({info.filename}). A zip of "
                    "an extract can only hold the extract’s CSV files, at its top level or in "
                    "one folder"
                )
            folders.add(parts[0] if len(parts) == 2 else "")
            members.append((parts[-1], info))
        if not members:
            raise UploadRejected(f"{zip_name} is empty")
        if len(folders) > 1:
            raise UploadRejected(
                f"{zip_name} holds files in more than one folder. Put the extract’s CSV files "
                "together, at the top of the zip or in one folder"
            )
        _check_extract_names([name for name, _ in members], zip_name)
        declared = sum(info.file_size for _, info in members)
        if declared > limit():
            raise UploadRejected(
                f"{zip_name} would unpack to {filesizeformat(declared)}. "
                + _too_large_message().replace("The upload", "An extract")
            )
        target.mkdir(parents=True)
        budget = limit()
        for name, info in members:
            try:
                with archive.open(info) as source:
                    budget -= _copy_checked(source, target / name, name, budget)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
                raise UploadRejected(
                    f"{name} cannot be unpacked from {zip_name} ({exc}). Make the zip again "
                    "and upload it"
                ) from None
    return [f"{EXTRACT_FOLDER}/{name}" for name, _ in members]


# --- published returns --------------------------------------------------------------------


def stage_return(upload: UploadedFile | None) -> Staged:
    """Check a published return (one CSV file) and stage it."""
    if upload is None:
        raise UploadRejected("Select the published return’s CSV file")
    name = upload.name or ""
    if (upload.size or 0) > limit():
        raise UploadRejected(_too_large_message())
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in _ARCHIVE_SUFFIXES:
        raise UploadRejected(
            f"{name} is an archive. A published return is one CSV file; upload it on its own"
        )
    if suffix != ".csv":
        raise UploadRejected(f"{name} is not a CSV file. A published return is one CSV file")
    folder = _staging_folder()
    saved = safe_name(name)
    staged = Staged(folder, [name], upload.size or 0, [saved])
    try:
        _copy_checked(_reader(upload), folder / saved, name, limit())
    except BaseException:
        staged.discard()
        raise
    return staged

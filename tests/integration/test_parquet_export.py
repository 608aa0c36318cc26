"""dsvb export-parquet: the store's five indicator tables as Parquet with a manifest, written
whole; and the checks made on a folder before Spark computes from it (no Spark here)."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from dsvb import store
from dsvb.demo.generator import generate_extract
from dsvb.ingest.extract import import_extract
from dsvb.store import parquet
from dsvb.store.schema import SCHEMA_VERSION

NOW = dt.datetime(2026, 12, 6, 18, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def made_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    generate_extract(folder / "extract", incidents=400, seed=5, months=3)
    path = folder / "store.duckdb"
    con = store.connect(path)
    try:
        import_extract(con, folder / "extract")
        # identifiers of people, as a later schema keeps them: never part of an export
        # (the table as schema 7 defines it; created here when this schema lacks it)
        con.execute(
            "CREATE TABLE IF NOT EXISTS person_identifiers (person_id VARCHAR NOT NULL, "
            "given_name VARCHAR, family_name VARCHAR, date_of_birth DATE, postcode VARCHAR, "
            "import_id INTEGER NOT NULL)"
        )
        con.execute(
            "INSERT INTO person_identifiers (person_id, given_name, family_name, "
            "date_of_birth, postcode, import_id) SELECT person_id, 'Zebedee', 'Quixotely', "
            "DATE '1980-02-03', 'E8 1AB', import_id FROM people"
        )
    finally:
        con.close()
    return path


@pytest.fixture
def store_copy(made_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    shutil.copy(made_store, path)
    return path


def _counts(path: Path) -> dict[str, int]:
    con = store.connect(path, read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in parquet.TABLES}
    finally:
        con.close()


def test_export_writes_each_table_and_a_manifest_of_what_it_wrote(
    made_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    manifest = parquet.export(made_store, out, now=NOW)

    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(f"{t}.parquet" for t in parquet.TABLES), "manifest.json"]
    )
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert written["format"] == "dsvb-parquet"
    assert written["schema_version"] == SCHEMA_VERSION
    assert written["written_at"] == "2026-12-06T18:00:00+00:00"
    counts = _counts(made_store)
    assert {t: written["tables"][t]["rows"] for t in parquet.TABLES} == counts
    assert all(n > 0 for n in counts.values())
    assert manifest == parquet.read_manifest(out)
    # the files hold exactly the store's rows (types kept: timestamps stay UTC instants)
    con = store.connect(made_store, read_only=True)
    try:
        for table in parquet.TABLES:
            path = str(out / f"{table}.parquet")
            differ = con.execute(
                f"SELECT count(*) FROM ((SELECT * EXCLUDE import_id FROM {table} EXCEPT ALL "
                f"SELECT * EXCLUDE import_id FROM read_parquet(?)) UNION ALL "
                f"(SELECT * EXCLUDE import_id FROM read_parquet(?) EXCEPT ALL "
                f"SELECT * EXCLUDE import_id FROM {table}))",
                [path, path],
            ).fetchone()[0]
            assert differ == 0, table
            types = dict(
                con.execute(
                    "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))",
                    [path],
                ).fetchall()
            )
            stored = dict(
                con.execute(
                    "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = ?",
                    [table],
                ).fetchall()
            )
            assert types == stored, table
    finally:
        con.close()


def test_identifiers_are_never_exported(made_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    parquet.export(made_store, out)
    import pyarrow.parquet as pq

    for path in out.glob("*.parquet"):
        table = pq.read_table(path)
        assert not parquet.IDENTIFIER_COLUMNS.intersection(table.column_names), path
        values = " ".join(str(v) for row in table.to_pylist() for v in row.values())
        assert "Zebedee" not in values, path
        assert "Quixotely" not in values, path
    assert "person_identifiers" not in (out / "manifest.json").read_text(encoding="utf-8")


def test_an_export_refuses_a_table_that_holds_identifiers(
    monkeypatch: pytest.MonkeyPatch, made_store: Path, tmp_path: Path
) -> None:
    """Were a schema change to put a name into an indicator table, the export would stop."""
    columns = parquet.table_columns()
    columns["people"] = [*columns["people"], "family_name"]
    monkeypatch.setattr(parquet, "table_columns", lambda: columns)
    with pytest.raises(parquet.ParquetExportError, match=r"identifier column.*family_name"):
        parquet.export(made_store, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == [".out.lock"]  # the lock's empty file


def test_exporting_again_replaces_the_folder_whole(made_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = parquet.export(made_store, out, now=NOW)
    (out / "incidents.parquet").write_bytes(b"spoilt")  # replaced, not kept
    second = parquet.export(made_store, out, now=NOW + dt.timedelta(hours=1))

    assert second.tables == first.tables
    assert second.written_at == "2026-12-06T19:00:00+00:00"
    assert parquet.read_manifest(out) == second
    # no partial or old folder left (.out.lock: the export lock's empty file)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_a_failed_export_leaves_the_earlier_one_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch, made_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    parquet.export(made_store, out, now=NOW)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real_copy = parquet._copy
    calls = []

    def failing(con: duckdb.DuckDBPyConnection, sql: str) -> tuple | None:
        calls.append(sql)
        if len(calls) == 3:
            raise duckdb.IOException("disk full (simulated)")
        return real_copy(con, sql)

    monkeypatch.setattr(parquet, "_copy", failing)
    with pytest.raises(duckdb.IOException, match="disk full"):
        parquet.export(made_store, out, now=NOW + dt.timedelta(days=1))
    assert len(calls) == 3
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "out"]


def test_an_export_removes_what_a_killed_export_left_beside_its_folder(
    made_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    partial = tmp_path / ".out.k1x2.partial"  # killed while writing
    partial.mkdir()
    (partial / "incidents.parquet").write_bytes(b"half")
    old = tmp_path / ".out.k3y4.old"  # killed between its two renames
    old.mkdir()
    (old / "manifest.json").write_text("{}", encoding="utf-8")
    someone_elses = tmp_path / ".out.notes.old"
    someone_elses.mkdir()
    (someone_elses / "notes.txt").write_text("keep me", encoding="utf-8")

    parquet.export(made_store, out)
    # (.out.lock: the export lock's empty file, kept for the next export)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", ".out.notes.old", "out"]


def test_a_second_export_to_the_same_folder_leaves_the_first_alone(
    made_store: Path, tmp_path: Path
) -> None:
    """Another process exporting to the same folder (it holds the lock and is writing its
    partial folder): this export is refused in words and removes nothing of the other's."""
    out = tmp_path / "out"
    partial = tmp_path / ".out.w1r2.partial"  # the other export, writing
    partial.mkdir()
    (partial / "incidents.parquet").write_bytes(b"being written")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys\n"
            f"h = open({str(tmp_path / '.out.lock')!r}, 'a')\n"
            "fcntl.flock(h, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(parquet.ParquetExportError, match=r"Another export to .* under way"):
            parquet.export(made_store, out)
        assert (partial / "incidents.parquet").read_bytes() == b"being written"
        assert not out.exists()
    finally:
        holder.communicate("", timeout=30)
    # the other export ended (killed: its partial folder left): this one now goes ahead
    parquet.export(made_store, out)
    assert (out / "manifest.json").exists() and not partial.exists()


def test_an_export_never_writes_over_a_folder_it_did_not_write(
    made_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(parquet.ParquetExportError, match="not empty"):
        parquet.export(made_store, out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(parquet.ParquetExportError, match="is a file"):
        parquet.export(made_store, a_file)
    empty = tmp_path / "empty"
    empty.mkdir()
    parquet.export(made_store, empty)
    assert (empty / "manifest.json").exists()


def test_a_store_of_another_schema_version_is_not_exported(
    store_copy: Path, tmp_path: Path
) -> None:
    con = duckdb.connect(str(store_copy))
    con.execute("UPDATE store_meta SET value = '5' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(parquet.ParquetExportError, match="schema version 5"):
        parquet.export(store_copy, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def _exported(made_store: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    parquet.export(made_store, out)
    return out


def _edit_manifest(folder: Path, change: object) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: shutil.rmtree(d), "No folder"),
        (lambda d: (d / "manifest.json").unlink(), "has no manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{oops"), "not valid JSON"),
        (
            lambda d: _edit_manifest(d, lambda m: m.update(format="other")),
            "not a dsvb Parquet manifest",
        ),
        (
            lambda d: _edit_manifest(d, lambda m: m.update(schema_version=SCHEMA_VERSION - 1)),
            f"schema version {SCHEMA_VERSION - 1}; this dsvb reads schema version",
        ),
        (
            lambda d: _edit_manifest(d, lambda m: m["tables"].pop("crimes")),
            "does not list the table crimes",
        ),
        (lambda d: (d / "people.parquet").unlink(), "people.parquet is missing"),
        (
            lambda d: shutil.copy(d / "crime_people.parquet", d / "people.parquet"),
            "people.parquet holds",
        ),
        (lambda d: (d / "crimes.parquet").write_bytes(b"PAR1 not really"), "not a readable"),
    ],
    ids=[
        "missing folder",
        "no manifest",
        "bad JSON",
        "not dsvb's",
        "other schema",
        "table missing from manifest",
        "file missing",
        "rows changed",
        "not Parquet",
    ],
)
def test_a_folder_that_is_not_a_whole_current_export_is_refused_with_the_reason(
    made_store: Path, tmp_path: Path, spoil: object, message: str
) -> None:
    out = _exported(made_store, tmp_path)
    spoil(out)  # type: ignore[operator]
    with pytest.raises(parquet.ParquetExportError, match=message):
        parquet.read_manifest(out)


def _dsvb(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dsvb", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "DSVB_QUERY_CACHE": ""},
    )


def test_the_command_writes_the_export_and_says_what(made_store: Path, tmp_path: Path) -> None:
    done = _dsvb("export-parquet", "--store", str(made_store), "--out", str(tmp_path / "pq"))
    assert done.returncode == 0, done.stderr
    counts = _counts(made_store)
    assert f"incidents {counts['incidents']:,}" in done.stdout
    assert parquet.read_manifest(tmp_path / "pq").rows("crimes") == counts["crimes"]


def test_the_command_fails_clearly_without_a_store(tmp_path: Path) -> None:
    done = _dsvb("export-parquet", "--store", str(tmp_path / "none.duckdb"), "--out", "x")
    assert done.returncode == 1
    assert "No store at" in done.stderr
    not_store = tmp_path / "text.duckdb"
    not_store.write_text("hello", encoding="utf-8")
    done = _dsvb("export-parquet", "--store", str(not_store), "--out", str(tmp_path / "x"))
    assert done.returncode == 1
    assert "is not a dsvb store" in done.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (["--engine", "spark"], 2, "--engine spark needs --parquet DIR"),
        (["--parquet", "somewhere"], 2, "--parquet need --engine spark"),
        (["--engine", "spark", "--parquet", "p", "--store", "s"], 2, "--store cannot be used"),
        (["--engine", "spark", "--parquet", "{missing}"], 1, "No folder"),
    ],
)
def test_indicators_on_spark_refuse_what_they_cannot_use(
    tmp_path: Path, args: list[str], status: int, message: str
) -> None:
    """Checked before Spark starts: these answer in a moment, with no Java needed."""
    args = [a.replace("{missing}", str(tmp_path / "missing")) for a in args]
    done = _dsvb("indicators", *args)
    assert done.returncode == status, done.stderr
    assert message in done.stderr


def test_indicators_on_spark_without_java_say_what_to_install(
    made_store: Path, tmp_path: Path
) -> None:
    out = _exported(made_store, tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env.update(PATH=str(tmp_path), DSVB_QUERY_CACHE="")  # no java on PATH
    done = subprocess.run(
        [sys.executable, "-m", "dsvb", "indicators", "--engine", "spark", "--parquet", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 1, done.stderr
    assert "Spark needs Java 17" in done.stderr
    assert "default-jre-headless" in done.stderr  # a package Debian 12 and 13 both have
    assert done.stdout == ""


def test_indicators_on_spark_with_an_old_java_say_which_was_found(
    made_store: Path, tmp_path: Path
) -> None:
    out = _exported(made_store, tmp_path)
    old = tmp_path / "jdk8"
    (old / "bin").mkdir(parents=True)
    java = old / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"1.8.0_292\"' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    env = {**os.environ, "JAVA_HOME": str(old), "DSVB_QUERY_CACHE": ""}
    done = subprocess.run(
        [sys.executable, "-m", "dsvb", "indicators", "--engine", "spark", "--parquet", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 1, done.stderr
    assert f"Spark needs Java 17 (or later), and JAVA_HOME={old} is Java 8" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_system_deps_warns_when_java_home_points_below_17(tmp_path: Path) -> None:
    """scripts/system_deps.sh, run where it cannot install anything (no apt-get on PATH):
    a JAVA_HOME at Java 8 is named, since a Java installed here would not be used."""
    old = tmp_path / "jdk8"
    (old / "bin").mkdir(parents=True)
    java = old / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"1.8.0_292\"' >&2\n", encoding="utf-8")
    java.chmod(0o755)
    tools = tmp_path / "bin"  # the script's tools, and no apt-get
    tools.mkdir()
    for tool in ("sed", "head", "cut", "cat"):
        (tools / tool).symlink_to(shutil.which(tool))
    script = Path(__file__).parents[2] / "scripts" / "system_deps.sh"
    done = subprocess.run(
        ["/bin/bash", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": str(tools),
            "JAVA_HOME": str(old),
            "DSVB_CHROMIUM": "/bin/sh",
            "PG_BINDIR": str(tmp_path),
        },
    )
    assert done.returncode == 1, done.stderr
    assert f"warning: JAVA_HOME={old} is not a Java 17 or later" in done.stderr
    assert "missing java" in done.stderr

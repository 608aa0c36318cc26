"""The indicators on Apache Spark: the same definitions, run by Spark over a Parquet export.

The engine (:func:`dsvb.indicators.engine.compute`) builds every indicator as an Ibis
expression over the store's five tables; on DuckDB the expression is compiled to DuckDB SQL,
here Ibis's PySpark backend turns it into Spark SQL. Nothing in a definition is written for
one engine: this module only starts (or joins) a Spark session and shows it the tables of a
folder written by ``dsvb export-parquet`` (:mod:`dsvb.store.parquet`) as temporary views
with the store's table names. A test in CI (tests/integration/test_spark_agreement.py) runs
every indicator on both engines from the same data and requires every numerator and
denominator to agree.

Local mode (the default outside ``spark-submit``) runs Spark inside this machine; under
``spark-submit`` the session the submitter configured (its master, memory, object-store
credentials) is used as it is. See docs/spark.md. PySpark (and Java) are needed only here:
the DuckDB path never imports this module.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dsvb.indicators.engine import VIEWS
from dsvb.store.parquet import LINK_TABLES, MANIFEST, Manifest, ParquetExportError, read_manifest

if TYPE_CHECKING:
    import ibis
    from pyspark.sql import SparkSession

    from dsvb.indicators.model import Period

__all__ = [
    "LOCAL_CONFIG",
    "SparkUnavailable",
    "backend",
    "has_records",
    "open_parquet",
    "session",
]

#: settings for a session this module starts itself (a submitted job keeps its own)
LOCAL_CONFIG: Mapping[str, str] = {
    # Timestamps are stored as UTC instants without a zone (see dsvb.store): Spark must
    # not move them into the JVM's zone when it reads or compares them.
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    # A handful of groups per cut: a few shuffle partitions, not Spark's default 200.
    "spark.sql.shuffle.partitions": "4",
}
ENV_MASTER = "DSVB_SPARK_MASTER"


class SparkUnavailable(RuntimeError):
    """Spark cannot be started here (PySpark or Java missing); the message says what to install."""


def _submitted() -> bool:
    """Whether this process was started by ``spark-submit`` (or pyspark's shell), whose
    JVM and configuration are already there to join."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def session(master: str | None = None, *, config: Mapping[str, str] | None = None) -> SparkSession:
    """A Spark session: the running one if there is one (``spark-submit``), else a new one.

    ``master`` (else ``$DSVB_SPARK_MASTER``, else ``local[*]``) applies only to a session
    started here, as do :data:`LOCAL_CONFIG` and ``config``; a submitted job's own settings
    win, except the session time zone, which the figures depend on and is always UTC."""
    # PySpark 4.3 warns, on every conversion, that it does not yet fully support pandas 3;
    # the conversions used here (small aggregates to Arrow) are checked by the agreement test
    warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise SparkUnavailable(f"PySpark is not installed ({exc}): run make install.") from exc
    active = SparkSession.getActiveSession()
    if active is None and not _submitted():
        import shutil

        java_home = os.environ.get("JAVA_HOME")
        if not shutil.which("java") and not java_home:
            raise SparkUnavailable(
                "Spark needs Java 17 (or later), and no java is on PATH and JAVA_HOME is not "
                "set: install a JRE (Debian: default-jre-headless, or openjdk-17-jre-headless "
                "on Debian 12; make system-deps installs one)."
            )
        _check_java(java_home)
        chosen = master or os.environ.get(ENV_MASTER) or "local[*]"
        if chosen.startswith("local"):
            # a sandbox without a resolvable host name: Spark binds to the loopback address
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(chosen).appName("dsvb")
        logging = Path(__file__).with_name("spark-log4j2.properties")
        quiet = {"spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{logging}"}
        for key, value in {**LOCAL_CONFIG, **quiet, **(config or {})}.items():
            builder = builder.config(key, value)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # Java present but the JVM could not start
            raise SparkUnavailable(f"Spark could not start: {exc}") from exc
        spark.sparkContext.setLogLevel("ERROR")
    else:
        spark = active or SparkSession.builder.appName("dsvb").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


#: the oldest Java Spark 4 runs on
JAVA_MIN = 17


def java_major(java: str) -> int | None:
    """The major version of the ``java`` program (8 for "1.8.0_292", 17 for "17.0.9"), or
    None when it cannot be run or says no version."""
    import re
    import subprocess

    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def _check_java(java_home: str | None) -> None:
    """Refuse, saying which Java was found, a Java older than Spark runs on: Spark itself
    only says "Java gateway process exited before sending its port number". Spark starts
    ``$JAVA_HOME/bin/java`` when JAVA_HOME is set, else java on PATH."""
    java = str(Path(java_home) / "bin" / "java") if java_home else "java"
    major = java_major(java)
    where = f"JAVA_HOME={java_home}" if java_home else "java on PATH"
    if major is None:
        raise SparkUnavailable(
            f"Spark needs Java {JAVA_MIN} (or later), and {java} ({where}) did not run or "
            "say its version: point JAVA_HOME at a Java 17 or later, or install one (Debian: "
            "default-jre-headless)."
        )
    if major < JAVA_MIN:
        raise SparkUnavailable(
            f"Spark needs Java {JAVA_MIN} (or later), and {where} is Java {major}: point "
            "JAVA_HOME at a newer Java (or unset it to use java on PATH), or install one "
            "(Debian: default-jre-headless)."
        )


def _remote(folder: str) -> bool:
    """Whether ``folder`` is a URI Spark reads (``s3a://``, ``abfss://``, ``hdfs://``, …)
    rather than a local path."""
    return "://" in folder and not folder.startswith("file://")


def _join(folder: str, name: str) -> str:
    return folder.rstrip("/") + "/" + name


def _manifest(spark: SparkSession, folder: str) -> Manifest:
    if not _remote(folder):
        return read_manifest(folder.removeprefix("file://"))
    try:
        rows = spark.read.text(_join(folder, MANIFEST), wholetext=True).collect()
    except Exception as exc:  # Spark's AnalysisException: path not found, no credentials
        raise ParquetExportError(f"Cannot read {_join(folder, MANIFEST)}: {exc}") from None
    return read_manifest(folder, text=rows[0][0] if rows else "")


def backend(spark: SparkSession, folder: str | os.PathLike[str]) -> ibis.BaseBackend:
    """An Ibis backend on ``spark`` that sees the export in ``folder`` (checked against its
    manifest first: :func:`dsvb.store.parquet.read_manifest`) under the store's table names,
    as temporary views of this session (a second folder opened in the same session replaces
    the first's views)."""
    import ibis

    where = str(folder)
    manifest = _manifest(spark, where)
    for name in manifest.tables:  # the five tables, and linkage's keys when exported
        path = _join(where.removeprefix("file://"), manifest.file(name))
        frame = spark.read.parquet(path)
        columns = list(manifest.tables[name]["columns"])  # type: ignore[call-overload]
        if frame.columns != columns:
            raise ParquetExportError(
                f"{path} has columns {frame.columns}, not those its manifest gives."
            )
        frame.createOrReplaceTempView(name)
    for name in LINK_TABLES:  # an earlier folder's keys must not count for this one's people
        if name not in manifest.tables:
            spark.catalog.dropTempView(name)
    con = ibis.pyspark.connect(spark)
    # only the views registered here are the export's: a permanent person_links in the
    # session's current database (under spark-submit) must not pass for linkage's keys
    setattr(con, VIEWS, frozenset(manifest.tables))
    return con


@contextlib.contextmanager
def open_parquet(
    folder: str | os.PathLike[str],
    *,
    master: str | None = None,
    config: Mapping[str, str] | None = None,
) -> Iterator[ibis.BaseBackend]:
    """An Ibis backend on Spark over an export, for the length of the ``with`` block; a
    session started here is stopped after it (a submitted job's is left to its owner)."""
    from pyspark.sql import SparkSession

    if not _remote(str(folder)):  # a local folder is checked before Spark takes seconds to start
        read_manifest(str(folder).removeprefix("file://"))
    started = SparkSession.getActiveSession() is None and not _submitted()
    spark = session(master, config=config)
    try:
        yield backend(spark, folder)
    finally:
        if started:
            spark.stop()


def has_records(con: Any, period: Period) -> bool:
    """Whether any incident was reported, or any crime recorded, in the period (what the
    command line warns about when a period holds nothing), on an Ibis backend."""
    start, end = period.start_utc, period.end_utc
    incidents, crimes = con.table("incidents"), con.table("crimes")
    reported = incidents.filter(incidents.reported_at >= start, incidents.reported_at < end)
    recorded = crimes.filter(crimes.recorded_at >= start, crimes.recorded_at < end)
    return any(con.to_pyarrow(t.limit(1).count()).as_py() for t in (reported, recorded))

"""Scoring a linkage run's candidate pairs on Apache Spark, for data beyond one machine.

A run (:func:`dsvb.linkage.run.link`) prepares the records, trains or loads the model,
clusters the linking pairs and writes the keys on the machine running it; what grows with
the data is the scoring: blocking (the candidate pairs) and the comparisons. With
``dsvb link --engine spark`` that part runs on Spark through Splink's ``SparkAPI``, and
everything else is the DuckDB path's own code (the run's ``score`` hook), so the two engines
cannot drift apart in clustering, keys or what is written.

**One model.** The comparisons and blocking rules are those of
:func:`dsvb.linkage.model.settings` (the one definition) rendered by Splink for Spark's SQL
dialect (Splink's Jaro-Winkler and Damerau-Levenshtein are the UDFs of the similarity jar
that ships inside Splink; ``substr`` is the same in both); the trained parameters (m and u
of every level, the prior, the term-frequency settings) are copied level by level from the
run's saved model (:func:`spark_settings`). A test in CI
(tests/integration/test_link_spark.py) links the same records on both engines and requires
the same people, the same keys and the same pair weights.

**Identifiers stay in the process.** The prepared records go to Spark as an Arrow table
in memory and the scored pairs come back the same way; Splink's intermediate tables are
cached in memory (``persist``, not its default of Parquet files in a checkpoint folder),
spilling only into ``spark.local.dir``, which a session started here points at a private
temporary folder removed when the session stops (:func:`spark_scoring`). A session joined
under ``spark-submit`` keeps the submitter's settings: its local folders are the
cluster's, configured by its owner (docs/linkage.md).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from dsvb.linkage import model as link_model

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

__all__ = ["DRIVER_MEMORY", "SparkScorer", "spark_scoring", "spark_settings"]

#: the Spark SQL function computing DuckDB's Jaro-Winkler (:func:`_register_jaro_winkler`)
JARO_WINKLER = "dsvb_jaro_winkler"

#: the memory of the driver of a session started here (a JVM maximum, taken as needed)
DRIVER_MEMORY = "4g"


class SparkModelError(ValueError):
    """The saved model does not match the comparisons of :mod:`dsvb.linkage.model`."""


def spark_settings(model: dict[str, Any]) -> dict[str, Any]:
    """The trained ``model`` (a run's saved model, written in DuckDB's dialect) as Splink
    takes it on Spark: every level's SQL and the blocking rules from
    :func:`dsvb.linkage.model.settings` rendered for Spark, every trained number kept.

    Levels are matched by comparison name and position, and their labels must agree: a
    model saved by another version of the comparisons is refused (a run of that version
    trains afresh instead, as :func:`dsvb.linkage.model.loads` decides)."""
    trained = json.loads(json.dumps(link_model.splink_settings(model)))
    fresh = link_model.settings().create_settings_dict("spark")
    theirs = {c["output_column_name"]: c for c in fresh["comparisons"]}
    for comparison in trained["comparisons"]:
        name = comparison["output_column_name"]
        other = theirs.get(name)
        levels = comparison["comparison_levels"]
        if other is None or len(other["comparison_levels"]) != len(levels):
            raise SparkModelError(
                f"The saved model's comparison {name!r} is not the model's of this version."
            )
        for level, spark_level in zip(levels, other["comparison_levels"], strict=True):
            if level.get("label_for_charts") != spark_level.get("label_for_charts"):
                raise SparkModelError(
                    f"The saved model's level {level.get('label_for_charts')!r} of {name!r} "
                    f"is not the model's ({spark_level.get('label_for_charts')!r})."
                )
            level["sql_condition"] = spark_level["sql_condition"].replace(
                "jaro_winkler(", f"{JARO_WINKLER}("
            )
    trained["blocking_rules_to_generate_predictions"] = fresh[
        "blocking_rules_to_generate_predictions"
    ]
    trained["sql_dialect"] = "spark"
    return trained


def _register_jaro_winkler(spark: SparkSession) -> None:
    """Register :data:`JARO_WINKLER`: rapidfuzz's Jaro-Winkler, which is DuckDB's
    ``jaro_winkler_similarity`` to the last bit (DuckDB's is ported from it; checked on
    9,772 name pairs). Splink's jar computes another variant (it scores transpositions
    lower: atkinnson/atkinson 0.940 against 0.953), which put 3 of 56,087 linking pairs at
    100k records on the other side of a level's threshold. On a cluster the executors need
    rapidfuzz (a dsvb dependency) in their Python."""
    from pyspark.sql.functions import udf

    def jaro_winkler(left: str | None, right: str | None) -> float | None:
        from rapidfuzz.distance import JaroWinkler

        if left is None or right is None:
            return None
        return float(JaroWinkler.similarity(left, right))

    spark.udf.register(JARO_WINKLER, udf(jaro_winkler, "double", useArrow=True))


class SparkScorer:
    """The run's ``score`` hook on a Spark session: Splink's predictions of the prepared
    records in the run's work connection, computed on Spark, returned as a table of that
    connection (in memory)."""

    def __init__(self, spark: SparkSession, *, local_dir: str | None = None) -> None:
        self.spark = spark
        _register_jaro_winkler(spark)
        #: the private folder Spark spills into (None in a joined session)
        self.local_dir = local_dir

    def _api(self) -> Any:
        from splink.backends.spark import SparkAPI

        # persist: Splink's default ("parquet") would write the records' identifiers into
        # files in a checkpoint folder
        return SparkAPI(spark_session=self.spark, break_lineage_method="persist")

    def __call__(
        self,
        work: duckdb.DuckDBPyConnection,
        model: dict[str, Any],
        incremental: bool,
        threshold: float,
    ) -> str:
        from splink import Linker

        api = self._api()
        views: list[str] = []

        def put(table: str) -> Any:
            views.append(table)
            arrow = work.sql(f"SELECT * FROM {table} ORDER BY unique_id").to_arrow_table()
            return api.register(arrow, table_name=table)

        def back(frames: list[Any]) -> str:
            parts = []
            for i, frame in enumerate(frames):
                name = f"dsvb_spark_predictions_{i}"
                work.register(f"{name}_arrow", frame.as_spark_dataframe().toArrow())
                work.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
                work.unregister(f"{name}_arrow")
                parts.append(f"SELECT * FROM {name}")
            work.execute(
                "CREATE TABLE dsvb_spark_predictions AS " + " UNION ALL BY NAME ".join(parts)
            )
            return "dsvb_spark_predictions"

        linker = Linker(put("dsvb_prepared"), spark_settings(model))
        try:
            if not incremental:
                return back(
                    [
                        linker.inference.predict(
                            threshold_match_probability=threshold, warning_mode="never"
                        )
                    ]
                )
            for column in link_model.TF_COLUMNS:  # frequencies over every record
                linker.table_management.compute_tf_table(column)
            new = put("dsvb_new")
            within = linker.inference.predict_within(
                new, threshold_match_probability=threshold, warning_mode="never"
            )
            between = linker.inference.predict_between(
                new, put("dsvb_old"), threshold_match_probability=threshold, warning_mode="never"
            )
            return back([within, between])
        finally:  # nothing of these records stays in the session
            api.delete_tables_created_by_splink_from_db()
            for view in views:
                self.spark.catalog.dropTempView(view)
            self.spark.catalog.clearCache()


@contextlib.contextmanager
def spark_scoring(
    master: str | None = None, *, config: Mapping[str, str] | None = None
) -> Iterator[SparkScorer]:
    """A :class:`SparkScorer` for the length of the ``with`` block.

    Starts a Spark session (:func:`dsvb.indicators.spark.session`: ``master``, else
    ``$DSVB_SPARK_MASTER``, else local mode) with Splink's similarity jar and
    ``spark.local.dir`` in a private temporary folder; the session is stopped and the folder
    removed after the block; ``config`` adds settings to a session started here (the
    driver's memory is :data:`DRIVER_MEMORY` unless given: in local mode the driver does all
    the work, and Spark's default of 1 GB runs out at 100k records). Under ``spark-submit``
    the submitted session is joined (the jar added to it) and left to its owner."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    from dsvb.indicators.spark import _submitted, session

    jar = similarity_jar_location()
    started = SparkSession.getActiveSession() is None and not _submitted()
    local_dir = tempfile.mkdtemp(prefix="dsvb-link-spark-") if started else None
    try:
        settings = {"spark.driver.memory": DRIVER_MEMORY, **(config or {}), "spark.jars": jar}
        if local_dir:
            settings["spark.local.dir"] = local_dir
            # the Jaro-Winkler UDF runs in Python workers: this interpreter (rapidfuzz)
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        spark = session(master, config=settings)
        try:
            if not started:
                spark.sql(f"ADD JAR '{jar}'")
            yield SparkScorer(spark, local_dir=local_dir)
        finally:
            if started:
                spark.stop()
    finally:
        if local_dir:
            shutil.rmtree(local_dir, ignore_errors=True)

"""How a problem names where it is."""

from dsvb.ingest.extract import Problem


def test_an_unnamed_column_is_said_to_be_unnamed() -> None:
    text = str(Problem("incidents.csv", "column appears more than once", column="", line=1))
    assert text == "incidents.csv, line 1, a column (unnamed): column appears more than once"


def test_a_named_column_is_named() -> None:
    text = str(Problem("incidents.csv", "required column is missing", column="channel", line=1))
    assert text == "incidents.csv, line 1, column channel: required column is missing"

"""Published aggregate returns: read them, reconcile them, store them and read them back.

A *return* is a small table published by the force or a borough (an annual report table, a
borough's data sheet), transcribed to CSV. Published returns have flaws (DOMAIN.md): typos in
names, cells garbled by PDF extraction, total rows, totals that are not the sum of their rows,
parts that do not add up to the whole, percentages printed rounded or truncated. The reader
keeps every cell exactly as published, normalises what it can and records a note for each
change, marks what it cannot read as garbled (never guessing a value), and reports every
reconciliation difference with the figure expected and the figure found. It never "fixes" a
figure. What it cannot read at all (an unknown header, row label or measure, a file that is
not UTF-8) is rejected with a :class:`ReturnError` naming the file, the row, the true line
and the column. Only a regular file within the ceilings of ``limits`` is read (``files``), and
a table cut short is refused or its last cell kept as garbled, never stored as a figure
(docs/decisions/0016-bounded-published-tables.md).

Four layouts are recognised from the header:

``by_area``
    ``borough`` / ``borough_or_unit`` / ``area``, then one column per family and measure
    (``dv_incidents``, ``sexual_offence_cautions``, …). Rows are areas (matched to the
    reference list), specialist units (``SCD2``) or totals (``Borough Total``,
    ``Non-Borough Total``, ``MPS Total``).
``measure_by_period``
    ``measure``, then one column per period (``2009/10``). Rows are measures
    (``Crimes as a % of Incidents`` is the printed ``crime_conversion``).
``key_value``
    ``indicator,value,comparator,note``: one borough's return, one figure a row.
``offence_headline``
    ``offence``, then measures; rows are offence families or groups.

Print precision (``precision``): a printed rate stands for the true values that print as it.
Whole percentages may be rounded or truncated, one-decimal figures are rounded (DOMAIN.md).
A printed rate that no whole number over its printed denominator can give (3% of 12) is a
reconciliation difference.

Readings: whatever the tool supplies that the table does not state is a note of kind
``interpreted``: a period from the file name, a key-value row's period taken from the
return's, a denominator given to a rate printed without its counts (``readings``), a family
read from the file name or from the other rows, a row label that means another family than
dsvb's of that name (``Other Sexual Offences`` in the headline table is all sexual offences
minus rape: family ``sexual_not_rape``, ``reference/data/published_families.csv``, never
dsvb's ``other_sexual``).

Reports: tables published together are one *report*. A file name may name it after two
underscores (``vaw_headline_12m_to_2010-11__annual_report_2010.csv``; the rest of the name is
read as before); otherwise a table's report is its publisher and period (the force for
``by_area``, ``measure_by_period`` and ``offence_headline`` tables, the borough for a
``key_value`` return), so the force's tables for the 12 months to November 2010 are one
report. A table whose period is not known is a report of its own. When a table is stored, the
figures it shares with the tables of its report already in the store are checked against
theirs (``crosscheck``): a difference beyond print precision is a reconciliation note naming
both tables, their rows and their columns, stored with the table being imported.

The package is split by what it does: ``model`` (the vocabulary of measures and rates, cells,
notes, the return as read, its report), ``limits`` (the ceilings), ``files`` (a file's bytes,
text, lines and CSV records, bounded), ``read`` (the four layouts), ``figures``
(a return's figures grouped by area, family and period), ``precision`` (what a printed
figure stands for), ``reconcile`` (the checks within one table), ``readings`` (denominators
supplied), ``crosscheck`` (the checks between tables of one report) and ``storage`` (the
analytical store). Import from the package.

Dates: ``period_start`` and ``period_end`` are the first and the last day of the period, both
included (as the returns print them).
"""

from dsvb.ingest.returns.figures import FigureGroup, Published, figure_groups
from dsvb.ingest.returns.model import (
    GARBLED,
    INTERPRETED,
    LAYOUTS,
    NORMALISED,
    OK,
    RATES,
    RECONCILIATION,
    UNREAD,
    Cell,
    ImportOutcome,
    Note,
    PublishedReturn,
    ReturnError,
    ReturnSummary,
    check_printed,
    measure_kind,
    printed_decimals,
    table_identity,
)
from dsvb.ingest.returns.read import read_return
from dsvb.ingest.returns.storage import import_return, list_returns, load_return

__all__ = [
    "GARBLED",
    "INTERPRETED",
    "LAYOUTS",
    "NORMALISED",
    "OK",
    "RATES",
    "RECONCILIATION",
    "UNREAD",
    "Cell",
    "FigureGroup",
    "ImportOutcome",
    "Note",
    "Published",
    "PublishedReturn",
    "ReturnError",
    "ReturnSummary",
    "check_printed",
    "figure_groups",
    "import_return",
    "list_returns",
    "load_return",
    "measure_kind",
    "printed_decimals",
    "read_return",
    "table_identity",
]

"""The board's annual report: data commentary, findings, recommendations, under the policy.

After the 2010 report (``shared/seeds/001_…``): a commentary on the data with the pan-force
tables it prints (headline figures; domestic violence by borough; sexual offences by borough
and investigating unit) and charts; the board's findings by theme; its numbered
recommendations; critical success factors; last year's recommendations with their progress;
and, per borough, what the board commended and asked it to follow up.

**Every number in the prose is written from data.** The sentences of the commentary are made
by functions (:func:`dv_sentence`, :func:`caution_sentences`, …) from the figures, written
with dsvb's formatting; the secretariat's own texts (findings, success factors, what a
borough was commended for) are inputs and are printed as given.

**Under the publication policy** (``docs/decisions/0031-annual-report.md``). Every figure the
report prints — table, chart or sentence, force or borough — is read from one table made by
the same call a statistical release makes for the same figures
(:func:`dsvb.reports.publication.public_results` then :func:`dsvb.reports.disclosure.apply`,
audited), so the report shows a subset of what the release of its period shows, cell for
cell, and the two together give nothing away that the release alone does not. For the same
reason the report prints no charges by borough (the releases leave them out: beside sanction
detections and cautions they give "other" sanction detections by subtraction). The policy
and its version are in the footer. :func:`tables_csv` writes every figure the report prints
in the public download format (what the outsider of ``tests/attack`` reads).

With ``policy=None`` the report shows exact figures: an internal draft, marked as not for
publication on every page.
"""

from dsvb.oversight.annual_report.charts import CAUTIONS as CAUTIONS
from dsvb.oversight.annual_report.charts import FONT as FONT
from dsvb.oversight.annual_report.charts import GREY as GREY
from dsvb.oversight.annual_report.charts import OTHER_SDS as OTHER_SDS
from dsvb.oversight.annual_report.charts import TEXT as TEXT
from dsvb.oversight.annual_report.charts import sd_chart as sd_chart
from dsvb.oversight.annual_report.charts import volume_chart as volume_chart
from dsvb.oversight.annual_report.figures import (
    Figures,
    Printed,
    controlled_table,
    figures_from_assessments,
    figures_from_returns,
    printed,
)
from dsvb.oversight.annual_report.inputs import (
    THEMES,
    AnnualReportInputs,
    BoroughOutcome,
    Outcome,
    SuccessFactor,
    theme_wording,
)
from dsvb.oversight.annual_report.report import NOT_FOR_PUBLICATION as NOT_FOR_PUBLICATION
from dsvb.oversight.annual_report.report import build_annual_report, build_with_download, tables_csv
from dsvb.oversight.annual_report.sentences import (
    caution_sentences,
    dv_sentence,
    incidents_sentence,
    sexual_sentence,
    volume_sentence,
)
from dsvb.oversight.annual_report.tables import CHARGES_NOTE as CHARGES_NOTE
from dsvb.oversight.annual_report.tables import dv_table as dv_table
from dsvb.oversight.annual_report.tables import headline_table as headline_table
from dsvb.oversight.annual_report.tables import sexual_table as sexual_table

__all__ = [
    "THEMES",
    "AnnualReportInputs",
    "BoroughOutcome",
    "Figures",
    "Outcome",
    "Printed",
    "SuccessFactor",
    "build_annual_report",
    "build_with_download",
    "caution_sentences",
    "controlled_table",
    "dv_sentence",
    "figures_from_assessments",
    "figures_from_returns",
    "incidents_sentence",
    "printed",
    "sexual_sentence",
    "tables_csv",
    "theme_wording",
    "volume_sentence",
]

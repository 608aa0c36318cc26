"""The board's annual report (see :mod:`dsvb.oversight.annual_report.report`)."""

from dsvb.oversight.annual_report.report import *  # noqa: F403
from dsvb.oversight.annual_report.report import NOT_FOR_PUBLICATION as NOT_FOR_PUBLICATION
from dsvb.oversight.annual_report.report import __all__ as __all__

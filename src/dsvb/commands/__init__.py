"""The command line's subcommands for the board's cycle, one module each (``cli.py`` holds
the performance and import commands and registers these with :func:`register`)."""

from __future__ import annotations

import datetime as dt
import re

import click


def whole_date(value: str | None, name: str) -> dt.date | None:
    """A whole local date, YYYY-MM-DD: a period is made of whole Europe/London days, so a time
    or an offset is refused rather than dropped."""
    if value is None:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date like 2010-01-01: give YYYY-MM-DD only (periods are "
            "whole local dates, Europe/London, so no time or offset)",
            param_hint=name,
        ) from None


def register(main: click.Group) -> None:
    """Add the cycle's and the cases' subcommands that need no database but the store (those
    over the web's database: :mod:`dsvb.web.commands`)."""
    from dsvb.commands import check_report, compliance, dash, minutes, repeat_victims

    main.add_command(minutes.minutes)
    main.add_command(check_report.check_report)
    main.add_command(dash.dash_wording)
    main.add_command(compliance.compliance_list)
    main.add_command(repeat_victims.repeat_victims)

"""The command line's subcommands for the board's cycle, one module each (``cli.py`` holds
the performance and import commands and registers these with :func:`register`)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add the cycle's and the cases' subcommands that need no database but the store (those
    over the web's database: :mod:`dsvb.web.commands`)."""
    from dsvb.commands import check_report, compliance, dash, minutes

    main.add_command(minutes.minutes)
    main.add_command(check_report.check_report)
    main.add_command(dash.dash_wording)
    main.add_command(compliance.compliance_list)

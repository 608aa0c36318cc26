"""The command line's subcommands for the board's cycle, one module each (``cli.py`` holds
the performance and import commands and registers these with :func:`register`)."""

from __future__ import annotations

import click


def register(main: click.Group) -> None:
    """Add every subcommand of the cycle and the partnership cases to the ``dsvb`` group."""
    from dsvb.commands import check_report, compliance, dash, import_cases, marac_return, minutes

    main.add_command(minutes.minutes)
    main.add_command(check_report.check_report)
    main.add_command(marac_return.marac_return)
    main.add_command(dash.dash_wording)
    main.add_command(import_cases.import_cases)
    main.add_command(compliance.compliance_list)

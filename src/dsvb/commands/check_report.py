"""``dsvb check-report FILE``: every figure a borough's report states, checked (owned by the
report-checking work)."""

from __future__ import annotations

import click


@click.command("check-report")
def check_report() -> None:
    """Check the figures a borough's report states."""
    raise click.ClickException("not yet built")

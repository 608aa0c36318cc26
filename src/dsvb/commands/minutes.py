"""``dsvb minutes parse FILE``: what importing minutes would find (owned by the minutes work)."""

from __future__ import annotations

import click


@click.group("minutes")
def minutes() -> None:
    """Minutes of the board's meetings."""

"""The dsvb command line."""

import click


@click.group()
def main() -> None:
    """dsvb: oversight of the response to domestic and sexual violence."""

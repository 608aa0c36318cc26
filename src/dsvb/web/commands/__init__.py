"""The command line's subcommands over the web's database (partnership cases live there, not
in the analytical store): adapters like the web's views, so they live in the web package and
the domain stays plain Python. Each starts Django itself (:func:`setup`) only when run."""

from __future__ import annotations

import os

import click


def setup() -> None:
    """Start Django once, with the web app's settings (``DATABASE_URL``, ``DSVB_DATA_DIR``);
    harmless when it is already started."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()


def register(main: click.Group) -> None:
    """Add the subcommands over the web's database to the ``dsvb`` group."""
    from dsvb.web.commands import import_cases, linkage, marac_return

    main.add_command(marac_return.marac_return)
    main.add_command(import_cases.import_cases)
    main.add_command(linkage.link)
    main.add_command(linkage.linked_people)

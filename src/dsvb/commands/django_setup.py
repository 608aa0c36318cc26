"""The commands that read or write the web's database (partnership cases live there, not in
the analytical store) start Django first, with the same settings as the web app
(``DATABASE_URL``, ``DSVB_DATA_DIR``)."""

from __future__ import annotations

import os


def setup() -> None:
    """Start Django once (harmless when it is already started)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsvb.web.settings")
    import django

    django.setup()

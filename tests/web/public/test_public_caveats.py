"""Published repeat victimisation says it is understated when its look-back reaches before
the data held (the demo store starts in December 2009; the published year looks back to
December 2008)."""

from __future__ import annotations

from django.test import Client

from tests.web.public.scan import csv_records, xlsx_sheets

LAMBETH = "E09000022"
CAVEAT = (
    "The 12-month look-back reaches back to December 2008, before the first month of data "
    "held (December 2009), so this figure is understated."
)


def _text(html: bytes) -> str:
    return " ".join(html.decode().split())


def test_the_pages_say_published_repeat_victimisation_is_understated(store, db) -> None:
    client = Client()
    family = _text(client.get("/published/families/dv/").content)
    assert (
        '<div class="govuk-inset-text" data-caveat="repeat_victim_rate">'
        f"<strong>Repeat victimisation:</strong> {CAVEAT}</div>"
    ) in family
    assert 'data-caveat="sd_rate"' not in family
    area = _text(client.get(f"/published/areas/{LAMBETH}/").content)
    assert "Understated: see the note below the table" in area
    assert f"<strong>Repeat victimisation:</strong> {CAVEAT}" in area
    home = _text(client.get("/published/").content)
    assert f"<li>Repeat victimisation: {CAVEAT}</li>" in home


def test_the_downloads_say_published_repeat_victimisation_is_understated(store, db) -> None:
    client = Client()
    rows = csv_records(client.get("/published/download.csv").content)
    for row in rows:
        expected = CAVEAT if row["indicator"] == "repeat_victim_rate" else ""
        assert row["caveat"] == expected, row
    sheets = xlsx_sheets(client.get("/published/families/dv/download.xlsx").content)
    assert f"Repeat victimisation: {CAVEAT}" in [row[1] for row in sheets["Notes"]]
    header, *data = sheets["Data"]
    caveats = {r[header.index("indicator")]: r[header.index("caveat")] for r in data}
    assert caveats["repeat_victim_rate"] == CAVEAT and caveats["sd_rate"] is None

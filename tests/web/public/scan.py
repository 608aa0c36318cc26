"""Reading published pages and downloads for counts below force level."""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from typing import Any

from openpyxl import load_workbook

FORCE = "ALL"
_TOKEN = re.compile(r"[\d][\d.,]*%?")


def counts_in(text: str) -> list[int]:
    """The whole numbers written in a piece of text (percentages and decimals are not counts)."""
    found = []
    for token in _TOKEN.findall(text):
        token = token.rstrip(".,")
        if token.endswith("%") or "." in token:
            continue
        found.append(int(token.replace(",", "")))
    return found


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[dict[str, Any]] = []
        self.row: dict[str, Any] | None = None
        self.cell: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "tr":
            self.row = {"attrs": a, "cells": []}
        elif tag in ("td", "th") and self.row is not None:
            self.cell = {"tag": tag, "attrs": a, "text": []}

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.cell["text"] = " ".join("".join(self.cell["text"]).split())
            self.row["cells"].append(self.cell)
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell["text"].append(data)


def table_rows(html: str | bytes) -> list[dict[str, Any]]:
    parser = _Tables()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.rows


def below_force_cells(html: str | bytes) -> list[str]:
    """The text of every data cell that shows a figure below force level.

    Family tables mark each row with ``data-area`` (``ALL`` for the force); borough pages
    mark each cell with ``data-level`` (``area`` or ``force``).
    """
    texts = []
    for row in table_rows(html):
        area = row["attrs"].get("data-area")
        for cell in row["cells"]:
            if cell["tag"] != "td":
                continue
            level = cell["attrs"].get("data-level")
            if level == "area" or (level is None and area not in (None, FORCE)):
                texts.append(cell["text"])
    return texts


def csv_records(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def xlsx_sheets(content: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}

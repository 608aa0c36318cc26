"""Reading the pages' HTML in tests: tables by id, and the text of an element by id."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser
from typing import Any


def _squash(parts: list[str]) -> str:
    return " ".join("".join(parts).split())


class _Table(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.table_id = table_id
        self.inside = False
        self.rows: list[dict[str, Any]] = []
        self.row: dict[str, Any] | None = None
        self.cell: list[str] | None = None
        self.hidden_depth = 0
        self.section = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table" and a.get("id") == self.table_id:
            self.inside = True
            return
        if not self.inside:
            return
        if tag in ("thead", "tbody", "tfoot"):
            self.section = tag
        elif tag == "tr":
            self.row = {"section": self.section, "cells": [], "data": {}, "attrs": a}
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
            self.row.setdefault("cell_attrs", []).append(a)
        if self.row is not None:
            for key, value in a.items():
                if key.startswith("data-"):
                    self.row["data"][key[5:]] = value

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "table":
            self.inside = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row["cells"].append(_squash(self.cell))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.rows.append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(html: str | bytes, table_id: str) -> list[dict[str, Any]]:
    """Rows of the table with this id: ``section``, ``cells`` (text), ``data`` (data-*)."""
    parser = _Table(table_id)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.rows


def body_rows(html: str | bytes, table_id: str) -> list[dict[str, Any]]:
    return [r for r in table(html, table_id) if r["section"] == "tbody"]


class _Element(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.depth = 0
        self.tag: str | None = None
        self.parts: list[str] = []
        self.found = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth:
            if tag == self.tag:
                self.depth += 1
        elif dict(attrs).get("id") == self.element_id:
            self.tag, self.depth, self.found = tag, 1, True

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == self.tag:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def text_of(html: str | bytes, element_id: str) -> str:
    """The text inside the element with this id (whitespace squashed); KeyError if absent."""
    parser = _Element(element_id)
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    if not parser.found:
        raise KeyError(element_id)
    return _squash(parser.parts)


def read_csv(response) -> list[dict[str, str]]:
    """The rows of a CSV export (after checking it is one)."""
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))

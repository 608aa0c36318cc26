"""The fixed London tile grid: one square per borough, neighbours kept next to each other.

The layout (``reference/data/tile_grid.csv``: ``area_code,row,col``, counted from 0 at the
top left) follows the widely used "London squared" grid by After the Flood and the Greater
London Authority. The City of London, which the Metropolitan Police do not police, keeps
its place in the middle as an empty square.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

# Three-letter labels written on the tiles (the full name is in the table beside the map).
ABBREVIATIONS = {
    "E09000002": "BAR",
    "E09000003": "BRN",
    "E09000004": "BXL",
    "E09000005": "BRT",
    "E09000006": "BRM",
    "E09000007": "CMD",
    "E09000008": "CRD",
    "E09000009": "EAL",
    "E09000010": "ENF",
    "E09000011": "GRN",
    "E09000012": "HCK",
    "E09000013": "HMS",
    "E09000014": "HGY",
    "E09000015": "HRW",
    "E09000016": "HVG",
    "E09000017": "HDN",
    "E09000018": "HNS",
    "E09000019": "ISL",
    "E09000020": "KNS",
    "E09000021": "KNG",
    "E09000022": "LAM",
    "E09000023": "LSH",
    "E09000024": "MRT",
    "E09000025": "NWM",
    "E09000026": "RDB",
    "E09000027": "RCH",
    "E09000028": "SWR",
    "E09000029": "STN",
    "E09000030": "TOW",
    "E09000031": "WTH",
    "E09000032": "WNS",
    "E09000033": "WST",
}


@dataclass(frozen=True)
class Tile:
    area_code: str
    row: int
    col: int

    @property
    def abbreviation(self) -> str:
        return ABBREVIATIONS.get(self.area_code, self.area_code[-3:])


@cache
def grid() -> tuple[Tile, ...]:
    text = resources.files("dsvb.reference").joinpath("data", "tile_grid.csv").read_text("utf-8")
    return tuple(
        Tile(r["area_code"], int(r["row"]), int(r["col"]))
        for r in csv.DictReader(text.splitlines())
    )


def size() -> tuple[int, int]:
    """(rows, columns) of the grid."""
    tiles = grid()
    return max(t.row for t in tiles) + 1, max(t.col for t in tiles) + 1

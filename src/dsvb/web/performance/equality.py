"""The equality page's analysis and its export tables, cached per store version.

The analysis is :mod:`dsvb.equality.analysis` (plain Python, typed): one call gives every
borough and London for a family and period, with the correction for multiple comparisons
made over all of them. It runs some twenty engine queries (seconds), so it is done once per
(store version, family, period) and kept like the scorecard's assessment
(:func:`dsvb.web.performance.figures.assessment`): in the shared Django cache under a key
carrying the store token, and the latest few in this process. An import makes it stale at
once. The store is opened read-only for the work (:func:`dsvb.web.performance.data.read_only`),
so a busy or unreadable store is reported as it is on every other page.

The exports here are *internal* (exact figures, the INTERNAL notice on their About sheet).
Published equality tables come from :mod:`dsvb.equality.publication` (``dsvb equality
--published``): every strand's table through disclosure control, which takes seconds to
minutes of linear programmes — work for a publication step, not a page request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from django.core.cache import cache

from dsvb.equality import analysis as equality
from dsvb.equality import recording as rec
from dsvb.equality.analysis import EqualityAnalysis
from dsvb.equality.strands import MEASURES
from dsvb.indicators.results import FORCE_CODE
from dsvb.web.performance import data, exports, figures
from dsvb.web.performance.exports import Column, ExportTable

CACHE_VERSION = 1  # part of the key: change it when the analysis's objects change
TABLES = ("ratios", "recording")
LONDON = "London"
# Where published (disclosure-controlled) equality tables come from: not from these exports.
PUBLICATION = "dsvb.equality.publication"

_guard = threading.Lock()
_locks: dict[str, threading.Lock] = {}
_RECENT_SIZE = 4
_recent: OrderedDict[str, EqualityAnalysis] = OrderedDict()


def _key(sel: figures.Selection) -> str:
    return f"dsvb:perf:v{CACHE_VERSION}:{data.store_path()}:{sel.key}:equality"


def _lock(key: str) -> threading.Lock:
    with _guard:
        if len(_locks) > 64:
            _locks.clear()
        return _locks.setdefault(key, threading.Lock())


def _remember(key: str, value: EqualityAnalysis) -> EqualityAnalysis:
    with _guard:
        _recent[key] = value
        _recent.move_to_end(key)
        while len(_recent) > _RECENT_SIZE:
            _recent.popitem(last=False)
    return value


def analysis(sel: figures.Selection) -> EqualityAnalysis:
    """The equality analysis of the selection's family and period, every area and London
    (built once per store version; threads of a worker wait for one build)."""
    key = _key(sel)
    recent = _recent.get(key)
    if recent is not None:
        return recent
    hit = cache.get(key)
    if hit is not None:
        return _remember(key, hit)
    with _lock(key):
        hit = cache.get(key)
        if hit is not None:
            return _remember(key, hit)
        built = build(sel)
        cache.set(key, built, figures.CACHE_SECONDS)
        return _remember(key, built)


def build(sel: figures.Selection) -> EqualityAnalysis:
    """Run the analysis on the store, opened read-only for it (no cache read or written)."""
    with data.read_only() as con:
        if con is None:  # the store went between choosing the period and now
            raise data.StoreBusy(f"no store at {data.store_path()}")
        return equality.analyse_store(con, sel.family, sel.period)


def place(area_code: str) -> str:
    """The name of an area the page may show: a borough, or London for ``ALL``."""
    return LONDON if area_code == FORCE_CODE else figures.borough_names()[area_code]


# --- exports ----------------------------------------------------------------------------------

_LABELS = {
    "area_code": "Area code",
    "area_name": "Area",
    "family": "Crime family",
    "measure": "Measure",
    "strand": "Strand (whose characteristic)",
    "group": "Group",
    "numerator": "Count",
    "denominator": "Denominator (residents, or crimes)",
    "rate": "Rate",
    "rate_unit": "Rate unit",
    "rate_lower": "Rate 95% interval: lower",
    "rate_upper": "Rate 95% interval: upper",
    "reference_group": "Reference group",
    "ratio": "Ratio to the reference group",
    "ratio_lower_95": "Ratio 95% interval: lower",
    "ratio_upper_95": "Ratio 95% interval: upper",
    "p_value": "p-value",
    "q_value": "q-value (Benjamini-Hochberg)",
    "adjusted_lower": "Corrected interval: lower",
    "adjusted_upper": "Corrected interval: upper",
    "disproportionate": "Disproportionate",
    "direction": "Direction",
    "method": "Ratio method",
    "note": "Note",
    "counted": "Counted",
    "month": "Month (empty: the whole period)",
    "not_recorded": "Not recorded",
    "total": "Total",
    "share": "Share not recorded",
    "share_lower_95": "Share 95% interval: lower",
    "share_upper_95": "Share 95% interval: upper",
    "flag": "Compared with London (funnel plot)",
}
_FORMATS = {
    "numerator": "count",
    "denominator": "count",
    "rate": "value",
    "rate_lower": "value",
    "rate_upper": "value",
    "ratio": "ratio",
    "ratio_lower_95": "ratio",
    "ratio_upper_95": "ratio",
    "adjusted_lower": "ratio",
    "adjusted_upper": "ratio",
    "not_recorded": "count",
    "total": "count",
    "share": "proportion",
    "share_lower_95": "proportion",
    "share_upper_95": "proportion",
}


def columns(table: str) -> list[Column]:
    """The export's columns: the analysis's own (one definition), labelled for people."""
    keys = equality.COLUMNS if table == "ratios" else rec.RECORDING_COLUMNS
    return [Column(k, _LABELS.get(k, k), _FORMATS.get(k, "text")) for k in keys]


def _areas(area_code: str) -> tuple[str, ...]:
    """The areas an export holds: a borough's with London's for comparison, or London's."""
    return (FORCE_CODE,) if area_code == FORCE_CODE else (area_code, FORCE_CODE)


def export_table(sel: figures.Selection, table: str, area_code: str) -> ExportTable:
    """The page's ratios or recording-quality table for an area (and London beside a
    borough), exact figures, for internal use."""
    judged = analysis(sel)
    name = place(area_code)
    areas = _areas(area_code)
    if table == "ratios":
        rows: list[dict[str, Any]] = [
            {
                **r.record(),
                # how the rate is written in a workbook: a percentage, or per 1,000 residents
                "kind": "proportion" if MEASURES[r.measure].kind == "proportion" else "ratio",
            }
            for code in areas
            for r in judged.for_area(code)
        ]
        title = (
            f"Equality and disproportionality, rates and ratios: {name}, "
            f"{sel.family_label}, {sel.choice.label}"
        )
        stem = "equality-ratios"
    elif table == "recording":
        rows = [r.record() for code in areas for r in judged.recording_for(code)]
        title = (
            f"Recording quality of equality strands: {name}, {sel.family_label}, {sel.choice.label}"
        )
        stem = "equality-recording"
    else:
        raise KeyError(table)
    about = exports._about(
        sel,
        title,
        Area=f"{name} ({area_code})" + ("" if area_code == FORCE_CODE else ", with London"),
        Comparisons=judged.correction.describe(),
        Population=(
            f"{judged.population_source} ({judged.population_year})"
            + (", synthetic" if judged.population_synthetic else "")
            if judged.population_source
            else "no population estimates loaded"
        ),
        Notes=" ".join(judged.notes),
    )
    slug = exports._slug(name)
    return ExportTable(
        table,
        title,
        f"dsvb-{stem}-{slug}-{sel.family}-{exports.period_slug(sel)}",
        columns(table),
        rows,
        about,
    )

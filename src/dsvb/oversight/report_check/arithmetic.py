"""Whether a report's figures agree with each other.

Three checks, each over figures the report states together (:mod:`figures`):

- **a percentage against the counts it is stated with**: by the definitions when the words
  name the indicator and both its counts are stated (crime conversion = offences /
  incidents), else by the part and whole the words tie together ("1474 … of which 791 …
  54%"; "749 of those … This represents 28%"); two counts that merely share a sentence are
  not paired, and a rate the words name only with the counts its definition names. The
  percentage is consistent when the counts, worked out exactly, print as it does under the
  report's printing habits (:mod:`dsvb.ingest.returns.precision`: whole percentages rounded
  or truncated, one decimal rounded). A percentage of what did *not* happen ("Nine % … not
  trained") may be the complement of the part.
- **a part against its whole**: the parts the words state ("of which", "of those", "out
  of"), and counts the definitions say are parts of others (sanction detections of
  offences), add up to at most the whole.
- **a breakdown against its total**: the rows above a table's Total row add up to it (only
  in a table that starts with its header and has no subtotal; a failed total accuses the
  total, not its rows).

Changes ("a 32% increase", "759 more") and force averages or targets are not checked.

A check that fails makes every figure in it inconsistent: the report does not say which of
them is wrong.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from dsvb.indicators.definitions import COUNTS, INDICATORS
from dsvb.ingest.returns.precision import PrintedFigure, printed_figure
from dsvb.oversight.report_check import labels
from dsvb.oversight.report_check.figures import (
    CHANGE,
    COMPARATOR,
    COUNT,
    PERCENTAGE,
    SENTENCE,
    TABLE,
    Found,
    StatedFigure,
)

__all__ = ["Check", "check_arithmetic", "printed", "show_value"]

_ANAPHOR = re.compile(
    r"(?i)^\W*(?:this|that|which|these|it)\s+(?:represents?|is|was|equates?|amounts?|means?)\b"
    r"|\b(?:this|which) represents\b|\brepresenting\b"
)
_NEGATION = re.compile(r"(?i)\b(?:not|no|without|never|un\w+ed)\b")
_STOP = {
    "the", "of", "a", "an", "and", "were", "was", "are", "is", "in", "to", "that", "which",
    "those", "this", "had", "have", "been", "with", "for", "by", "on", "at", "as",
}  # fmt: skip


@dataclass(frozen=True)
class Check:
    """One arithmetic check: the figures it involves, whether it holds, the figure worked
    out ("791 / 1,474 = 53.66%") and a sentence saying what was checked."""

    kind: str  # percentage | part_of | total
    figures: tuple[int, ...]
    holds: bool
    recomputed: str
    explanation: str
    indicator: str | None = None  # the indicator the check shows the percentage to be
    judged: tuple[int, ...] | None = None  # the figures whose verdict it sets (default: all)

    @property
    def judges(self) -> tuple[int, ...]:
        return self.figures if self.judged is None else self.judged


def show_value(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def printed(f: StatedFigure) -> PrintedFigure | None:
    """The figure as the report prints it, read at its printed precision."""
    m = re.search(r"\d+(?:[.,]\d+)*", f.figure)
    digits = m.group(0).replace(",", "") if m else show_value(f.value).replace(",", "")
    return printed_figure(digits + ("%" if f.kind == PERCENTAGE else ""))


def _words(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP}


def check_arithmetic(found: Found) -> list[Check]:
    """Every check the figures allow."""
    figures = found.figures
    checks: list[Check] = []
    by_group: dict[int, list[StatedFigure]] = defaultdict(list)
    for f in figures:
        by_group[f.group].append(f)
    parts_of: dict[int, list[tuple[int, str]]] = defaultdict(list)  # part -> (whole, words)
    for r in found.relations:
        if r.kind == "part_of":
            for p in r.parts:
                parts_of[p].append((r.whole, r.words))
    for f in figures:
        if f.kind == COUNT or f.role in (COMPARATOR, CHANGE):
            continue
        check = _rate_check(f, figures, by_group[f.group], found)
        if check is not None:
            checks.append(check)
    for r in found.relations:
        whole = figures[r.whole]
        parts = [figures[p] for p in r.parts]
        total = sum(p.value for p in parts)
        named = " + ".join(show_value(p.value) for p in parts)
        if r.kind == "part_of":
            holds = total <= whole.value
            checks.append(
                Check(
                    "part_of",
                    (r.whole, *r.parts),
                    holds,
                    f"{named} {'≤' if holds else '>'} {show_value(whole.value)}",
                    f"the part ('{r.words}') is {'at most' if holds else 'more than'} its "
                    f"whole: {named} of {show_value(whole.value)}",
                )
            )
        elif r.kind == "total":
            holds = total == whole.value
            checks.append(
                Check(
                    "total",
                    (r.whole, *r.parts),
                    holds,
                    f"{named} = {show_value(total)}",
                    f"the rows above the Total row add up to {show_value(total)}"
                    + ("" if holds else f", not the {show_value(whole.value)} printed"),
                    judged=(r.whole,),  # the total is checked; its rows are not accused
                )
            )
    checks.extend(_defined_parts(by_group))
    return checks


def _defined_parts(by_group: dict[int, list[StatedFigure]]) -> list[Check]:
    """Counts the definitions make parts of others (sanction detections of offences),
    stated in one label/value run or table row: the part is at most the whole."""
    out = []
    for figures in by_group.values():
        if not figures or figures[0].layout == SENTENCE:
            continue
        rows: dict[int, list[StatedFigure]] = defaultdict(list)
        for f in figures:
            rows[f.line if f.layout == TABLE else 0].append(f)
        for row in rows.values():
            counts = {
                labels.count_of(f.indicator): f for f in row if f.kind == COUNT and not f.role
            }
            for count_id, part in counts.items():
                if count_id is None:
                    continue
                for whole_id in COUNTS[count_id].part_of:
                    whole = counts.get(whole_id)
                    if whole is None:
                        continue
                    holds = part.value <= whole.value
                    out.append(
                        Check(
                            "part_of",
                            (whole.id, part.id),
                            holds,
                            f"{show_value(part.value)} {'≤' if holds else '>'} "
                            f"{show_value(whole.value)}",
                            f"{part.counts} ({count_id}) are counted among {whole.counts} "
                            f"({whole_id}), so cannot be more",
                        )
                    )
    return out


def _rate_check(
    f: StatedFigure, figures: tuple[StatedFigure, ...], group: list[StatedFigure], found: Found
) -> Check | None:
    shown = printed(f)
    if shown is None:
        return None
    scope = _scope(f, figures, group)
    counts = [g for g in scope if g.kind == COUNT and not g.role]
    pair = _defined_pair(f, counts)
    how = "the definitions"
    indicator = f.indicator
    if pair is None and f.kind == PERCENTAGE:
        pair, how = _stated_pair(f, counts, found), "the words"
        if pair is not None:
            paired = labels.rate_for(
                labels.count_of(pair[0].indicator), labels.count_of(pair[1].indicator)
            )
            if indicator is not None and paired != indicator:
                return None  # the words name another rate than these counts give
            indicator = indicator or paired
    if pair is None:
        return None
    part, whole = pair
    if not whole.value:
        return None
    readings = [
        (
            Fraction(part.value) / Fraction(whole.value),
            f"{show_value(part.value)} / {show_value(whole.value)}",
        )
    ]
    if f.kind == PERCENTAGE and _NEGATION.search(f.counts) and how == "the words":
        rest = whole.value - part.value
        readings.append(
            (
                Fraction(rest) / Fraction(whole.value),
                f"({show_value(whole.value)} − {show_value(part.value)}) / "
                f"{show_value(whole.value)}",
            )
        )
    for value, worked in readings:
        if shown.admits(value):
            return Check(
                "percentage",
                (f.id, part.id, whole.id),
                True,
                f"{worked} = {shown.show(value)}",
                f"{f.figure} is {worked} = {shown.show(value)} printed {shown.how()} "
                f"(counts paired by {how})",
                indicator,
            )
    value, worked = readings[0]
    return Check(
        "percentage",
        (f.id, part.id, whole.id),
        False,
        f"{worked} = {shown.show(value)}",
        f"{f.figure} is not {worked} = {shown.show(value)}: printed {shown.how()}, "
        f"{f.figure} stands for {shown.describe()} (counts paired by {how})",
        indicator,
    )


def _scope(
    f: StatedFigure, figures: tuple[StatedFigure, ...], group: list[StatedFigure]
) -> list[StatedFigure]:
    """The figures a percentage may be worked from: its sentence (and the one before when
    it says "this represents …"), or its table row then its table, or its label/value run."""
    if f.layout == SENTENCE:
        same = [g for g in group if g.sentence == f.sentence and g.id != f.id]
        if _ANAPHOR.search(f.text) or f.indicator is not None:
            # "This represents 28%", or a named rate: its counts may be in the sentence before
            same += [g for g in group if g.sentence == f.sentence - 1]
        return same
    if f.layout == TABLE:
        row = [g for g in group if g.line == f.line and g.id != f.id]
        return row + [g for g in group if g.line != f.line and g.column == f.column]
    return [g for g in group if g.id != f.id]


def _defined_pair(
    f: StatedFigure, counts: list[StatedFigure]
) -> tuple[StatedFigure, StatedFigure] | None:
    indicator = INDICATORS.get(f.indicator or "")
    if indicator is None or indicator.denominator is None:
        return None
    num = next((g for g in counts if labels.count_of(g.indicator) == indicator.numerator), None)
    den = next((g for g in counts if labels.count_of(g.indicator) == indicator.denominator), None)
    if num is None or den is None or num.id == den.id:
        return None
    return num, den


def _stated_pair(
    f: StatedFigure, counts: list[StatedFigure], found: Found
) -> tuple[StatedFigure, StatedFigure] | None:
    """The part and whole the words tie together that the percentage is stated with: in its
    sentence, in the sentence before when it says "this represents …", or with a whole
    named in the same words; the nearest before it first. No such pair, no check."""
    ids = {g.id for g in counts}
    candidates = []
    for r in found.relations:
        if r.kind == "part_of" and r.whole in ids and len(r.parts) == 1 and r.parts[0] in ids:
            whole, part = found.figures[r.whole], found.figures[r.parts[0]]
            if (
                f.layout != SENTENCE
                or part.sentence == f.sentence
                or _ANAPHOR.search(f.text)
                or (_words(f.counts) & _words(whole.counts))
            ):
                candidates.append((part, whole))
    before = [c for c in candidates if max(c[0].id, c[1].id) < f.id]
    chosen = max(before, key=lambda c: c[0].id, default=None)
    if chosen is None and f.layout == SENTENCE:
        chosen = min(candidates, key=lambda c: c[0].id, default=None)
    return chosen

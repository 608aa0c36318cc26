"""Plain-English sentences generated from an equality analysis.

The board's papers state findings in words ("significant disproportionality … which
requires further exploration"); these sentences say the same things with the figure, the
comparison group and the interval, and only for differences that survive the correction
for multiple comparisons — so a sentence never claims more than the numbers carry.
"""

from __future__ import annotations

import math

from dsvb.equality.analysis import EqualityAnalysis, EqualityRow
from dsvb.equality.recording import RecordingRow
from dsvb.equality.strands import MEASURES, ROLE_PLURALS, group_label, group_noun
from dsvb.indicators import comparison
from dsvb.indicators.formatting import percent
from dsvb.indicators.results import FORCE_CODE

__all__ = ["findings", "recording_sentences", "summary"]

IMPORTANT_RECORDING = ("victim_ethnicity", "victim_disability", "victim_lgbt", "lgbt_flag")


def _ratio(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _interval(row: EqualityRow) -> str:
    low = row.adjusted_lower
    high = row.adjusted_upper
    upper = "no upper limit" if high is None else _ratio(high)
    return f"{_ratio(low or 0.0)} to {upper}"


def _place(analysis: EqualityAnalysis, code: str) -> str:
    return "London" if code == FORCE_CODE else analysis.area_name(code)


def sentence(analysis: EqualityAnalysis, row: EqualityRow) -> str:
    """One finding in words (a row called disproportionate)."""
    measure = MEASURES[row.measure]
    place = _place(analysis, row.area_code)
    family = analysis.family_label.lower()
    strand = row.strand_def.id
    group, reference = group_noun(strand, row.group), group_noun(strand, row.reference_group)
    confidence = analysis.correction.confidence_text
    after = f"({confidence} interval {_interval(row)}, after correction)"
    recorded = measure.phrase.removeprefix("to be ")  # "recorded as victims"
    if measure.kind == "population_rate":
        if row.ratio == 0:
            text = (
                f"In {place}, no {group} were {recorded} of {family}, where {reference} "
                f"were {after}."
            )
        elif row.ratio is None:
            text = f"In {place}, {group} were {recorded} of {family} and no {reference} were."
        else:
            text = (
                f"In {place}, {group} were {_ratio(row.ratio)} times as likely as {reference} "
                f"{measure.phrase} of {family} {after}."
            )
        return text[0].upper() + text[1:]
    ref_rate = next(
        (
            r.rate
            for r in analysis.rows
            if r.area_code == row.area_code
            and r.measure == row.measure
            and r.strand == row.strand
            and r.group == row.reference_group
        ),
        None,
    )
    whose = f"{row.role}'s {_lower_first(row.strand_def.label)}"
    against = f"{percent(ref_rate)} where it was {_lower_first(group_label(row.reference_group))}"
    if ref_rate is None:
        against = "no figure for the comparison group"
    judged = ""
    if row.served_less_well:
        judged = ": worse for this group"
    elif row.served_less_well is False:
        judged = ": better for this group"
    ratio = "" if row.ratio is None else f"{_ratio(row.ratio)} times the rate, "
    return (
        f"In {place}, {measure.phrase} for {family} where the {whose} was "
        f"{_lower_first(row.group_label)} was {percent(row.rate)} against {against} "
        f"({ratio}{confidence} interval {_interval(row)}, after correction){judged}."
    )


def _lower_first(text: str) -> str:
    """Ethnic groups stay capitalised in running text ("Black"); "Not disabled" becomes
    "not disabled"; an acronym (LGBT) is left alone."""
    proper = ("Black", "White", "Asian", "Mixed", "LGBT")
    if text[:1].isupper() and text not in proper and not text[1:2].isupper():
        return text[0].lower() + text[1:]
    return text


def findings(analysis: EqualityAnalysis, area_code: str, limit: int = 10) -> list[str]:
    """The area's differences called disproportionate, largest first, in words."""
    called = [r for r in analysis.for_area(area_code) if r.disproportionate]
    # largest differences first; a group with none recorded (ratio 0) or none in the
    # comparison group (no ratio) last: those usually say who the offences concern
    called.sort(key=lambda r: -abs(math.log(r.ratio)) if r.ratio and r.ratio > 0 else math.inf)
    out = [sentence(analysis, r) for r in called[:limit]]
    if len(called) > limit:
        out.append(
            f"{len(called) - limit} more difference(s) are called disproportionate: see the "
            "tables below."
        )
    if not called:
        out.append(
            f"No difference between groups in {_place(analysis, area_code)} is large enough "
            f"to be called disproportionate after the correction for the "
            f"{analysis.correction.tested:,} comparisons made."
        )
    return out


def recording_sentence(row: RecordingRow, london: RecordingRow | None, place: str) -> str:
    share = percent(row.share) if row.share is not None else "no figure"
    text = f"{row.label} was not recorded for {share} of {row.counted} in {place}"
    if london is not None and london is not row and london.share is not None:
        text += f" ({percent(london.share)} in London)"
    if row.flag and comparison.Flag(row.flag).outside_95:
        direction = "more" if row.flag.startswith("above") else "less"
        text += (
            f": {direction} often than London beyond what chance explains "
            f"({comparison.Flag(row.flag).label.lower()})"
        )
    return text + "."


def recording_sentences(analysis: EqualityAnalysis, area_code: str) -> list[str]:
    """The recording of the strands the board asked about (ethnicity, disability, LGBT),
    and of any other strand recorded worse than London beyond chance."""
    place = _place(analysis, area_code)
    rows = {r.strand: r for r in analysis.recording_for(area_code) if r.month is None}
    london = {r.strand: r for r in analysis.recording_for(FORCE_CODE) if r.month is None}
    out = []
    for strand, row in rows.items():
        flagged = row.flag is not None and comparison.Flag(row.flag).outside_95
        if (strand in IMPORTANT_RECORDING or flagged) and row.total:
            out.append(recording_sentence(row, london.get(strand), place))
    return out


def summary(analysis: EqualityAnalysis, area_code: str) -> list[str]:
    """Findings, then recording quality (how the comparisons were corrected is
    ``analysis.correction.describe()``, said once beside them)."""
    return [*findings(analysis, area_code), *recording_sentences(analysis, area_code)]


def role_plural(role: str) -> str:
    return ROLE_PLURALS.get(role, role)

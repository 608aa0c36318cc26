"""Sentences: the commentary's sentences, every number in them written from the figures.

Each function writes one sentence (or none, when its figures are not printed) from a
:class:`~dsvb.oversight.annual_report.figures.Printed`, with dsvb's formatting. Separate so
the wording can be read and changed apart from the tables and the layout, and tested one
sentence at a time.
"""

from __future__ import annotations

from collections.abc import Sequence

from dsvb.indicators import formatting
from dsvb.indicators.definitions import FAMILIES
from dsvb.indicators.periods import months_label
from dsvb.oversight.annual_report.figures import Printed


def _family_words(family: str) -> str:
    return FAMILIES[family].label.lower()


def dv_sentence(view: Printed, family: str = "dv") -> str | None:
    """ "The MPS recorded 49,883 domestic violence offences in the 12 months to November 2010,
    of which 48.9% (24,406) were sanction detected; 45.6% of those were cautions.\""""
    offences = view.count(family, "offences")
    if offences is None:
        return None
    text = (
        f"The {view.force_name} recorded {formatting.count(offences)} {_family_words(family)} "
        f"offences in the {months_label(view.figures.period)}"
    )
    sd_rate, sds = view.rate(family, "sd_rate"), view.count(family, "sd_rate")
    if sd_rate is None or sds is None:
        return text + "."
    text += (
        f", of which {formatting.percent(sd_rate)} ({formatting.count(sds)}) were sanction detected"
    )
    share = view.rate(family, "caution_share")
    if share is not None:
        text += f"; {formatting.percent(share)} of those were cautions"
    return text + "."


def incidents_sentence(view: Printed, family: str = "dv") -> str | None:
    """Incidents and how many became offences (crime conversion)."""
    incidents = view.count(family, "incidents")
    conversion = view.rate(family, "crime_conversion")
    if incidents is None or conversion is None:
        return None
    offences = view.count(family, "crime_conversion")
    return (
        f"{formatting.count(incidents)} {_family_words(family)} incidents were reported to the "
        f"{view.force_name}; {formatting.percent(conversion)} of them "
        f"({formatting.count(offences)}) were recorded as offences."
    )


def sexual_sentence(view: Printed) -> str | None:
    """All sexual offences, the serious ones among them, and their sanction detection rate."""
    offences = view.count("sexual", "offences")
    if offences is None:
        return None
    text = (
        f"The {view.force_name} recorded {formatting.count(offences)} sexual offences in the "
        f"{months_label(view.figures.period)}"
    )
    serious = view.count("serious_sexual", "offences")
    if serious is not None:
        text += (
            f", {formatting.count(serious)} of them serious sexual offences "
            f"({formatting.percent(serious / offences if offences else None)})"
        )
    rate = view.rate("sexual", "sd_rate")
    if rate is not None:
        text += (
            f"; the sanction detection rate for all sexual offences was {formatting.percent(rate)}"
        )
    return text + "."


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def caution_sentences(
    view: Printed, family: str = "dv", highest: int = 2, lowest: int = 3
) -> list[str]:
    """The boroughs whose sanction detections were most and least made up of cautions, with
    their sanction detection rates (the 2010 report's "Newham's overall Sanction Detection
    rate (which was 47%) was made up of 60% cautions"). Boroughs whose figures are withheld
    are not named."""
    rows = []
    for code, name in view.areas(family, units=False):
        share, sd_rate = (
            view.rate(family, "caution_share", code),
            view.rate(family, "sd_rate", code),
        )
        if share is not None and sd_rate is not None:
            rows.append((share, name, sd_rate))
    if len(rows) < highest + lowest:
        return []
    rows.sort(key=lambda r: (-r[0], r[1]))
    top, bottom = rows[:highest], sorted(rows[-lowest:], key=lambda r: (r[0], r[1]))
    first, *rest = top
    words = _family_words(family)
    high = (
        f"Of the boroughs, cautions made up the largest share of {words} sanction detections in "
        f"{first[1]}: {_possessive(first[1])} sanction detection rate "
        f"({formatting.percent(first[2])}) was made up of {formatting.percent(first[0])} cautions"
    )
    high += "".join(
        f", and {_possessive(name)} ({formatting.percent(rate)}) of {formatting.percent(share)}"
        for share, name, rate in rest
    )
    low = (
        f"At the other end, {_names([r[1] for r in bottom])} had the smallest shares of cautions: "
        f"{_names([formatting.percent(r[0]) for r in bottom])} of their sanction detections "
        f"(sanction detection rates {_names([formatting.percent(r[2]) for r in bottom])})."
    )
    force = view.rate(family, "caution_share")
    force_text = (
        f" Across the {view.force_name} the share was {formatting.percent(force)}."
        if force is not None
        else ""
    )
    return [high + "." + force_text, low]


def volume_sentence(view: Printed, family: str = "sexual", top: int = 2) -> str | None:
    """The boroughs recording the most offences of the family, with their incidents."""
    rows = []
    for code, name in view.areas(family, units=False):
        offences, incidents = (
            view.count(family, "offences", code),
            view.count(family, "incidents", code),
        )
        if offences is not None and incidents is not None:
            rows.append((offences, name, incidents))
    if len(rows) < top:
        return None
    rows.sort(key=lambda r: (-r[0], r[1]))
    parts = [
        f"{name} ({formatting.count(incidents)} incidents of which {formatting.count(offences)} "
        "were offences)"
        for offences, name, incidents in rows[:top]
    ]
    return f"The most {_family_words(family)} were recorded in {_names(parts)}."

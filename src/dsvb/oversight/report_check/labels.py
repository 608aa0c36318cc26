"""Which dsvb indicator a report's words name, and which period a sentence states for itself.

The indicators are dsvb's one set of definitions (:mod:`dsvb.indicators.definitions`): a
figure is matched first by an indicator's own label ("Sanction detection rate", "Charge
rate", "Offences per repeat victim"), then by the words boroughs use for the same thing
(:data:`PHRASES`: "sanctioned detection rate", "criminal offences" as a share of incidents,
"124D … supervised"). A count is matched by the first thing the words after it name
("1474 domestic violence incidents" is ``incidents``; "749 … repeat victims" is
``repeat_victims``, a count of the definitions). Words that name nothing dsvb computes give
no indicator: the figure is then checked only by its arithmetic.
"""

from __future__ import annotations

import re
from functools import cache

from dsvb.indicators.definitions import COUNTS, INDICATORS

__all__ = ["COUNT_NOUNS", "PHRASES", "indicator_for", "period_phrase", "rate_for"]

#: (pattern, id) for a percentage or rate, tried in order after the indicators' own labels
PHRASES: tuple[tuple[str, str], ...] = (
    (r"sanction(?:ed)?\s+detection\s+rate|\bSD\s+rate", "sd_rate"),
    (r"charge\s+rate", "charge_rate"),
    (
        r"caution(?:s)?\s+(?:as\s+a\s+)?(?:share|proportion|percentage)|caution\s+share",
        "caution_share",
    ),
    (r"caution\s+rate", "caution_rate"),
    (
        r"incidents?\s+arrest\s+rate|arrest\s+rate\s+(?:for|at|of)\s+(?:dv\s+|domestic\s+violence\s+)?incidents",
        "arrest_rate_incidents",
    ),
    (r"arrest\s+rate", "arrest_rate_offences"),
    (r"repeat\s+victim", "repeat_victim_rate"),
    (r"CAD[\s-]+(?:to[\s-]+)?CRIS", "cad_to_cris"),
    (
        r"(?:124D|DASH|risk\s+(?:assessment\s+)?forms?)\b.*\bsupervis|supervis\w*.*\b(?:124D|DASH|risk\s+forms?)",
        "risk_form_supervision",
    ),
    (
        r"(?:124D|DASH|risk\s+(?:assessment\s+)?forms?)\b.*\bcomplet|complet\w*.*\b(?:124D|DASH|risk\s+forms?)",
        "risk_form_completion",
    ),
    (r"victims'?\s+code|\bVCOP\b", "vcop_compliance"),
    (r"attrition", "attrition_rate"),
    (r"no[\s-]crime", "no_crime_rate"),
    (
        r"crime[\s-]+conversion|(?:criminal\s+offences|crimes|offences)\b.*\bincidents|incidents\b.*\b(?:criminal\s+offences|crimes|offences)\b",
        "crime_conversion",
    ),
    (r"havens", "havens_referral_rate"),
    (r"front\s+counter", "front_counter_share"),
)

#: (pattern, count or indicator id) for a count, by what the words after it name
COUNT_PHRASES: tuple[tuple[str, str], ...] = (
    (r"repeat\s+victims?", "repeat_victims"),
    (r"victims?|survivors?", "victims"),
    (r"suspects?", "suspects"),
    (
        r"sanction(?:ed)?\s+detections?|\bSDs?\b|detected\s+(?:with|by)\s+(?:a\s+)?sanctions?",
        "sanction_detections",
    ),
    (r"incidents?|calls?", "incidents"),
    (
        r"(?:notifiable\s+|criminal\s+|substantive\s+|recorded\s+|confirmed\s+)*(?:offences?|crimes?)",
        "offences",
    ),
    (r"cautions", "cautions"),
    (r"charges", "charges"),
    (r"no[\s-]crimes", "no_crimes"),
    (r"homicides?|murders?", "homicides"),
    (r"unsupported\s+prosecutions?", "unsupported_prosecutions"),
    (r"lgbt", "lgbt_flagged"),
)

#: the nouns a count may be a count of (a year-like number before one is a count)
COUNT_NOUNS = (
    r"incidents?|offences?|crimes?|victims?|survivors?|suspects?|cautions?|charges?|"
    r"arrests?|detections?|calls?|referrals?|cases?|reports?|people|persons?"
)


@cache
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    own = tuple(
        (re.compile(r"\b" + re.escape(i.label.lower()) + r"\b", re.I), i.id)
        for i in INDICATORS.values()
        if i.is_rate and "(" not in i.label
    )
    return own + tuple((re.compile(p, re.I), i) for p, i in PHRASES)


@cache
def _compiled_counts() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(r"\b(?:" + p + r")\b", re.I), i) for p, i in COUNT_PHRASES)


_PREPOSITION = re.compile(
    r"(?i)\b(?:with(?!\s+(?:a\s+)?sanction)|of|for|at|in|on|by|from|to|per|within|over|under|than|against)\b"
)


def indicator_for(words: str, kind: str) -> str | None:
    """The indicator (for a percentage or rate) or count (for a count) the words name."""
    if not words.strip():
        return None
    if kind == "count":
        # what the count is of comes before any preposition: "76 SSOs with SD rates of …"
        words = _PREPOSITION.split(words, maxsplit=1)[0]
        best: tuple[int, str] | None = None
        for pattern, found in _compiled_counts():
            m = pattern.search(words)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), found)
        if best is None or best[0] > 40:
            return None
        return best[1]
    for pattern, found in _compiled():
        if pattern.search(words):
            return found
    return None


def rate_for(numerator: str | None, denominator: str | None) -> str | None:
    """The indicator that is ``numerator`` over ``denominator`` (count or indicator ids)."""
    if numerator is None or denominator is None:
        return None
    num = INDICATORS[numerator].numerator if numerator in INDICATORS else numerator
    den = INDICATORS[denominator].numerator if denominator in INDICATORS else denominator
    for ind in INDICATORS.values():
        if ind.numerator == num and ind.denominator == den:
            return ind.id
    return None


def count_of(figure_id: str | None) -> str | None:
    """The count an indicator or count id names (a bare-count indicator's numerator)."""
    if figure_id is None:
        return None
    if figure_id in COUNTS:
        return figure_id
    ind = INDICATORS.get(figure_id)
    if ind is not None and not ind.is_rate:
        return ind.numerator
    return None


# --- periods a sentence states for itself ------------------------------------------------

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "eighteen": 18, "twenty-four": 24,
}  # fmt: skip
_MONTHS = {
    m: n
    for n, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for m in names
}  # fmt: skip
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_LAST = re.compile(
    r"(?i)\b(?:last|past|previous)\s+(\d+|" + "|".join(_NUMBER_WORDS) + r")\s+(year|month|week)s?\b"
)
_RANGE = re.compile(
    rf"(?i)\b(?:from|between)?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}\s+(\d{{4}})\s+"
    rf"(?:to|until|till|and|-|–)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}\s+(\d{{4}})"
)
_SINCE = re.compile(
    rf"(?i)\b(?:since|from)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH}\s+(\d{{4}})"
)
_ISO_RANGE = re.compile(r"\b(\d{4})-(\d{2})\s+to\s+(\d{4})-(\d{2})\b")
_ISO_FROM = re.compile(r"(?i)\bfrom\s+(\d{4})-(\d{2})\b")


def period_phrase(text: str) -> str:
    """A period the words state, in one spelling for reports and returns alike: ``last 3
    years``, ``2007-04 to 2007-07``, ``from 2007-04``; "" when they state none."""
    m = _RANGE.search(text)
    if m:
        a = f"{m.group(2)}-{_MONTHS[m.group(1).lower()[:3]]:02d}"
        z = f"{m.group(4)}-{_MONTHS[m.group(3).lower()[:3]]:02d}"
        return f"{a} to {z}"
    m = _ISO_RANGE.search(text)
    if m:
        return f"{m.group(1)}-{m.group(2)} to {m.group(3)}-{m.group(4)}"
    m = _LAST.search(text)
    if m:
        raw = m.group(1).lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw]
        return f"last {n} {m.group(2).lower()}{'s' if n != 1 else ''}"
    m = _SINCE.search(text)
    if m:
        return f"from {m.group(2)}-{_MONTHS[m.group(1).lower()[:3]]:02d}"
    m = _ISO_FROM.search(text)
    if m:
        return f"from {m.group(1)}-{m.group(2)}"
    return ""

"""The population estimates format, version 1, as data.

One declaration of the file dsvb reads population estimates from (see
``docs/population-format.md``): the long layout in which ONS, the GLA and Nomis publish
them, one row per area x mid-year x sex x age x ethnic group. The importer
(:mod:`dsvb.equality.population`) validates against it and the demo writes to it.

The values are read as the publishers write them (``Females``, ``90+``, ``Asian/Asian
British: Indian``, ``1,234``) and mapped onto dsvb's own groups, the ones the extract's
people are counted in: sex ``female``/``male``, the age bands of
:data:`dsvb.indicators.sources.AGE_BANDS` and the five broad ethnic groups. The mapping of
published ethnic group labels is reference data (``reference/data/ethnic_groups.csv``),
so a force whose records group a category differently edits the list, not the code.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from dsvb.indicators.sources import AGE_BANDS
from dsvb.ingest import extract_format
from dsvb.reference import normalise_name

FORMAT_VERSION = 1

#: a row that is a total of others (``Persons``, ``All ages``, ``All usual residents``):
#: skipped, never added to its parts
TOTAL = "total"

#: the groups a population is counted in, those of the extract's people who have one
SEXES: tuple[str, ...] = tuple(s for s in extract_format.SEXES if s in ("female", "male"))
ETHNIC_GROUPS: tuple[str, ...] = tuple(e for e in extract_format.ETHNICITIES if e != "not_recorded")

#: the ages each dsvb band holds (inclusive; None: no upper limit), as the indicators band
#: a person's age (``sources.age_band``)
BAND_AGES: tuple[tuple[str, int, int | None], ...] = (
    ("under_18", 0, 17),
    ("18_35", 18, 35),
    ("36_60", 36, 60),
    ("61_plus", 61, None),
)
assert tuple(b for b, _, _ in BAND_AGES) == AGE_BANDS, "the bands are those of the indicators"

#: the strands a population is cut by, with their groups
STRANDS: dict[str, tuple[str, ...]] = {
    "sex": SEXES,
    "age_band": AGE_BANDS,
    "ethnicity": ETHNIC_GROUPS,
}

MAX_AGE = 120  # a single year of age above it is a mistake


@dataclass(frozen=True)
class Column:
    """One column of the file: its name and the other names publishers give it (matched
    case-insensitively, with spaces, ``_`` and ``-`` alike), in order of preference."""

    name: str
    aliases: tuple[str, ...]
    meaning: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


AREA = Column(
    "area",
    (
        "area_code", "geography_code", "geogcode", "ons_code", "code", "la_code", "lad_code",
        "local_authority_code", "borough_code", "area_name", "geography", "geography_name",
        "name", "borough", "local_authority", "la_name", "lad_name",
    ),
    "the borough: its ONS code (E09000022) or its name, matched as the extract's areas are",
)  # fmt: skip
YEAR = Column(
    "year",
    ("mid_year", "date", "calendar_year", "period"),
    "the mid-year (30 June) the estimate is for: 2011 or mid-2011",
)
SEX = Column(
    "sex",
    ("gender", "sex_name", "gender_name", "c_sex_name"),
    "female or male (also F/M, Female/Male, Females/Males); Persons or All are totals, skipped",
)
AGE = Column(
    "age",
    ("age_band", "age_group", "ageband", "age_name", "c_age_name", "single_year_of_age"),
    "a single year of age (0, 1, ... 89, 90+) or a band (25-29, 65+) inside one dsvb band",
)
ETHNIC_GROUP = Column(
    "ethnic_group",
    ("ethnicity", "ethnic_group_name", "ethnicity_name", "ethnic", "ethnic_origin"),
    "one of the labels of reference/data/ethnic_groups.csv (broad or detailed groups)",
)
POPULATION = Column(
    "population",
    ("count", "value", "obs_value", "observation", "estimate", "number", "usual_residents"),
    "the number of people: a whole number, not negative; thousands separators allowed",
)

COLUMNS: tuple[Column, ...] = (AREA, YEAR, SEX, AGE, ETHNIC_GROUP, POPULATION)


def header_key(name: str) -> str:
    """A header name as it is matched: lower case, with ``_``, ``-`` and spaces alike."""
    return re.sub(r"[\s_\-]+", " ", name.replace("\ufeff", "")).strip().lower()


@cache
def header_names() -> dict[str, tuple[Column, int]]:
    """Each accepted header name (as :func:`header_key` makes it) -> its column and its
    rank among that column's names (0 = preferred)."""
    found: dict[str, tuple[Column, int]] = {}
    for column in COLUMNS:
        for rank, name in enumerate(column.names):
            key = header_key(name)
            assert key not in found, f"header name {name!r} given to two columns"
            found[key] = (column, rank)
    return found


# --- values ------------------------------------------------------------------------------


class ValueProblem(ValueError):
    """A value that cannot be read; its message says why in plain words."""


_TOTAL_WORDS = {
    "sex": {"persons", "all", "all persons", "all people", "people", "total", "both sexes",
            "all usual residents"},
    "age": {"all ages", "all", "total", "all persons", "all usual residents",
            "all categories age"},
    "ethnic_group": {"all", "total", "all ethnic groups", "all usual residents",
                     "all categories ethnic group", "all persons", "all people"},
}  # fmt: skip

_SEX_WORDS = {
    "female": "female", "f": "female", "females": "female", "women": "female",
    "male": "male", "m": "male", "males": "male", "men": "male",
}  # fmt: skip

#: rows of areas that are totals of the boroughs (a region, a country): skipped, never
#: added to the boroughs they are made of
AREA_TOTALS = {
    "e12000007": "London (the region: the total of its boroughs)",
    "london": "London (the region: the total of its boroughs)",
    "e13000001": "Inner London (a total of boroughs)",
    "inner london": "Inner London (a total of boroughs)",
    "e13000002": "Outer London (a total of boroughs)",
    "outer london": "Outer London (a total of boroughs)",
    "e92000001": "England (a total of areas)",
    "england": "England (a total of areas)",
    "k04000001": "England and Wales (a total of areas)",
    "england and wales": "England and Wales (a total of areas)",
}
#: areas published beside the boroughs that no force in reference/data/areas.csv polices
AREAS_NOT_POLICED = {
    "e09000001": "City of London (policed by the City of London Police, not a borough here)",
    "city of london": "City of London (policed by the City of London Police, not a borough here)",
}


def skipped_area(raw: str) -> str | None:
    """Why rows of this area are skipped (a total of areas, or an area no force here
    polices), or None for an area to be matched."""
    key = normalise_name(raw)
    return AREA_TOTALS.get(key) or AREAS_NOT_POLICED.get(key)


_YEAR = re.compile(r"^(?:mid[\s\-]?)?(\d{4})$", re.IGNORECASE)


def read_year(text: str, low: int, high: int) -> int:
    """The mid-year: ``2011``, ``mid-2011`` or ``Mid 2011``, between ``low`` and ``high``."""
    match = _YEAR.match(text.strip())
    if not match:
        raise ValueProblem("not a year (2011 or mid-2011)")
    year = int(match.group(1))
    if not low <= year <= high:
        raise ValueProblem(f"not a year between {low} and {high}")
    return year


def read_sex(text: str) -> str:
    """``female`` or ``male``, or :data:`TOTAL` for a row of both sexes."""
    key = normalise_name(text)
    if key in _SEX_WORDS:
        return _SEX_WORDS[key]
    if key in _TOTAL_WORDS["sex"]:
        return TOTAL
    raise ValueProblem("not a sex: female or male (F/M, Females/Males); Persons rows are totals")


_AGE_WORDS = re.compile(r"\b(?:aged?|years?|yrs?|olds?)\b")
_SINGLE = re.compile(r"^(\d{1,3})$")
_OPEN = re.compile(r"^(\d{1,3})\s*(?:\+|plus|and over|or over|and above|or older|and older)$")
_BAND = re.compile(r"^(\d{1,3})\s*(?:-|–|—|to)\s*(\d{1,3})$")
_UNDER = re.compile(r"^(?:under|less than|below)\s*(\d{1,3})$")


def read_age(text: str) -> tuple[int, int | None] | str:
    """The ages a row holds, ``(first, last)`` inclusive (``last`` None: and over), or
    :data:`TOTAL` for a row of all ages."""
    raw = text.strip().lower()
    if normalise_name(raw) in _TOTAL_WORDS["age"]:
        return TOTAL
    value = re.sub(r"\s+", " ", _AGE_WORDS.sub(" ", raw)).strip()
    if match := _SINGLE.match(value):
        age = int(match.group(1))
        if age > MAX_AGE:
            raise ValueProblem(f"not an age: above {MAX_AGE}")
        return age, age
    if match := _OPEN.match(value):
        return int(match.group(1)), None
    if match := _UNDER.match(value):
        under = int(match.group(1))
        if under < 1:
            raise ValueProblem("not an age band: under 0")
        return 0, under - 1
    if match := _BAND.match(value):
        first, last = int(match.group(1)), int(match.group(2))
        if last < first:
            raise ValueProblem("not an age band: its last age is before its first")
        return first, last
    raise ValueProblem("not an age: a single year (0 ... 89), 90+, or a band such as 25-29")


def band_of(first: int, last: int | None) -> str:
    """The dsvb age band that holds every age from ``first`` to ``last``."""
    for band, low, high in BAND_AGES:
        if first >= low and (high is None or (last is not None and last <= high)):
            return band
    names = ", ".join(
        f"{low}-{high}" if high is not None else f"{low}+" for _, low, high in BAND_AGES
    )
    raise ValueProblem(
        "an age band across two of dsvb's age bands (" + names + "): give single years "
        "of age, or bands that lie inside one of them"
    )


def split_band(first: int, last: int | None) -> tuple[tuple[str, int], ...]:
    """A closed band across dsvb's bands, as (dsvb band, how many of its single years fall
    in it): ``15-19`` -> ``(("under_18", 3), ("18_35", 2))``.

    Published estimates by ethnic group come in bands that do not meet dsvb's boundaries
    (the GLA's five-year bands; the Census's 35-49 and 50-64), so such a band's people are
    shared between the dsvb bands in proportion to the years of age each holds — people
    taken as evenly spread over a band's years, the usual assumption, stated in the import
    report. An open band across dsvb's bands ("16+") has no number of years to share by:
    refused, as by :func:`band_of`."""
    if last is None:
        band_of(first, last)  # raises unless it lies inside the open dsvb band
        return ((band_of(first, last), 1),)
    shares = []
    for band, low, high in BAND_AGES:
        top = last if high is None else min(last, high)
        years = top - max(first, low) + 1
        if years > 0:
            shares.append((band, years))
    return tuple(shares)


@dataclass(frozen=True)
class EthnicLabel:
    """A published ethnic group label and the group it counts in."""

    label: str
    broad_group: str  # one of ETHNIC_GROUPS
    category: str  # the same for every label of one category (Indian, Asian/Asian British: Indian)
    level: str  # broad | detailed


@cache
def ethnic_labels() -> dict[str, EthnicLabel]:
    """Every label of ``reference/data/ethnic_groups.csv``, by its normalised form."""
    text = resources.files("dsvb.reference").joinpath("data", "ethnic_groups.csv")
    rows = csv.DictReader(text.read_text(encoding="utf-8").splitlines())
    labels: dict[str, EthnicLabel] = {}
    for row in rows:
        label = EthnicLabel(row["label"], row["broad_group"], row["category"], row["level"])
        if label.broad_group not in ETHNIC_GROUPS or label.level not in ("broad", "detailed"):
            raise ValueError(f"ethnic_groups.csv: {row!r} is not a group dsvb counts")
        key = normalise_name(label.label)
        if key in labels and labels[key] != label:
            raise ValueError(f"ethnic_groups.csv: {label.label!r} is listed twice")
        labels[key] = label
    return labels


def read_ethnic_group(text: str) -> EthnicLabel | str:
    """The label's group, or :data:`TOTAL` for a row of all groups."""
    key = normalise_name(text)
    if key in _TOTAL_WORDS["ethnic_group"]:
        return TOTAL
    found = ethnic_labels().get(key)
    if found is None:
        raise ValueProblem(
            "not an ethnic group dsvb knows: use one of the labels of "
            "reference/data/ethnic_groups.csv (White, Black, Asian, Mixed, Other, or the "
            "2011 and 2021 Census categories)"
        )
    return found


_WHOLE = re.compile(r"^(\d+)(?:\.0+)?$")
_GROUPED = re.compile(r"^(\d{1,3}(?:,\d{3})+)(?:\.0+)?$")


def read_population(text: str) -> int:
    """A number of people: a whole number, not negative (``1234``, ``1,234``, ``1234.0``)."""
    value = text.strip()
    if match := _WHOLE.match(value):
        return int(match.group(1))
    if match := _GROUPED.match(value):
        return int(match.group(1).replace(",", ""))
    if re.match(r"^-\s*[\d,]+(?:\.\d+)?$", value):
        raise ValueProblem("a negative number of people")
    if re.match(r"^[\d,]+\.\d+$", value):
        raise ValueProblem("not a whole number of people")
    raise ValueProblem("not a number of people (a whole number such as 1234 or 1,234)")

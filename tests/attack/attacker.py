"""An outsider who tries to recover suppressed small numbers from dsvb's published files.

Independent of the suppression code on purpose (``dsvb.reports.disclosure``): it reads only
the CSV files the public can download (the releases, and the figures the annual report
prints, written in the same format: ``tests/attack/README.md``), and knows only what is
written down in this module — the public definitions of the indicators
(:data:`INDICATOR_COUNTS`, :data:`COUNT_SOURCES`) and the relations between their counts
(:data:`RELATIONS`, one record per relation, with a sentence saying why an outsider may
assume it). It imports nothing from dsvb, so a mistake in the suppression code's model of the
outsider cannot be repeated here.

The attack (DOMAIN.md, "Disclosure control"): every count in every published file, for
every area, family, count and period, is an unknown whole number. Published figures fix
their unknowns; the relations tie the unknowns together as linear equations and
inequalities. For every *target* — each count below force level (published, ``[c]`` or not
published at all) and each count an outsider can derive from them (a whole minus its part,
offences minus victims, other sexual offences, the records of a stretch of time two
overlapping publications do not share) — two linear programmes (HiGHS, through scipy) give
its least and greatest value; the integer range between them is what the outsider learns.
A target is *disclosed* when that range is narrower than the protection width (``hi − lo <
3``) and its true value is a small number (1 to the threshold, 9): "1..2" is a disclosure,
"1..6" is not, and zero is not protected. The true values come from the test (the indicator
engine on the same store), never from the files: :func:`judge` marks the findings.

Two strengths of outsider: one who knows only the files (the records no area counts, the
*remainder* of a force total, are an unknown count ≥ 0), and one who also knows each
remainder exactly (side knowledge — the worst case the policy must resist). An optional
integer programme (:meth:`Attack.integer_finding`) is stronger still: it uses that every
count is a whole number throughout, not just in the final range.

Run it on files: ``.venv/bin/python -m tests.attack.attacker FILE.csv [FILE.csv ...]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import math
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

# --- the public format -----------------------------------------------------------------------

COLUMNS = (
    "area_code",
    "area_name",
    "geography_level",
    "family",
    "family_label",
    "indicator",
    "indicator_label",
    "period_start",
    "period_end",
    "numerator",
    "denominator",
    "value",
    "disclosure_policy",
    "disclosure_policy_version",
    "caveat",
)
SUPPRESSED = "[c]"
NOT_APPLICABLE = "[z]"
VALUE_DECIMALS = 6  # rates are written as proportions rounded to 6 decimals (trailing 0s cut)
THRESHOLD = 9  # DOMAIN.md: a count of 1 to 9 people or crimes below force level is protected
PROTECTION_WIDTH = 3  # ... and an outsider must not narrow it to a range with hi − lo < 3

FORCE = "(force)"  # the area of a force row
REMAINDER = "(no area)"  # records and people a force total counts but no area row does
TOLERANCE = 1e-6
RANDOM_OBJECTIVES = 16  # per part of the model, to find wide ranges cheaply (Attack._seen)

# --- what the public definitions say ----------------------------------------------------------
# Written from the indicator notes and the glossary, not imported; test_attacker.py checks
# them against dsvb.indicators.definitions so that a change there is noticed here.

CONTACT_REASONS = (
    "support_referral",
    "update",
    "arrest",
    "suspect_released",
    "suspect_charged",
    "non_court_disposal",
    "bail_change",
)

#: what each count counts. Records (incidents, crimes, Victims' Code contacts) belong to one
#: day each, so a period's count is the sum of its parts in time; people do not (a person
#: counted in two periods may be counted once in a period covering both).
COUNT_SOURCES: dict[str, str] = {
    **dict.fromkeys(
        (
            "incidents",
            "incidents_with_arrest",
            "incidents_suspect_present",
            "arrests_suspect_present",
            "incidents_compliant",
            "havens_referrals",
            "front_counter_incidents",
        ),
        "incidents",
    ),
    **dict.fromkeys(
        (
            "offences",
            "sanction_detections",
            "charges",
            "cautions",
            "other_sds",
            "offences_with_arrest",
            "offences_risk_form_completed",
            "risk_forms",
            "risk_forms_supervised",
            "no_crimes",
            "cris",
            "unsupported_prosecutions",
            "withdrawn_after_charge",
            "hbv_fm_crimes",
            "fgm_crimes",
            "lgbt_flagged",
            "dv_and_serious_sexual",
            "homicides",
        ),
        "crimes",
    ),
    "contacts_due": "contacts",
    "contacts_on_time": "contacts",
    **{f"contacts_due_{r}": "contacts" for r in CONTACT_REASONS},
    **{f"contacts_on_time_{r}": "contacts" for r in CONTACT_REASONS},
    **dict.fromkeys(
        ("victims", "repeat_victims", "repeat_offences", "offences_against_repeat_victims"),
        "victims",
    ),
    "cautioned_offenders": "cautioned_offenders",
    "suspects": "suspects",
    "repeat_caution_offenders": "cautioned_offenders",
}
RECORD_SOURCES = ("incidents", "crimes", "contacts")

#: indicator -> (numerator count, denominator count or None for a bare count)
INDICATOR_COUNTS: dict[str, tuple[str, str | None]] = {
    "incidents": ("incidents", None),
    "offences": ("offences", None),
    "victims": ("victims", None),
    "suspects": ("suspects", None),
    "crime_conversion": ("offences", "incidents"),
    "sanction_detections": ("sanction_detections", None),
    "sd_rate": ("sanction_detections", "offences"),
    "charge_rate": ("charges", "offences"),
    "caution_share": ("cautions", "sanction_detections"),
    "caution_rate": ("cautions", "offences"),
    "other_sd": ("other_sds", None),
    "arrest_rate_offences": ("offences_with_arrest", "offences"),
    "arrest_rate_incidents": ("incidents_with_arrest", "incidents"),
    "arrest_rate_suspect_present": ("arrests_suspect_present", "incidents_suspect_present"),
    "repeat_victim_rate": ("repeat_victims", "victims"),
    "offences_per_repeat_victim": ("offences_against_repeat_victims", "repeat_victims"),
    "repeat_victim_offences": ("repeat_offences", None),
    "repeat_caution_offenders": ("repeat_caution_offenders", None),
    "risk_form_completion": ("offences_risk_form_completed", "offences"),
    "risk_form_supervision": ("risk_forms_supervised", "risk_forms"),
    "cad_to_cris": ("incidents_compliant", "incidents"),
    "no_crime_rate": ("no_crimes", "incidents"),
    "cri_rate": ("cris", "incidents"),
    "havens_referral_rate": ("havens_referrals", "incidents"),
    "vcop_compliance": ("contacts_on_time", "contacts_due"),
    **{
        f"vcop_compliance_{r}": (f"contacts_on_time_{r}", f"contacts_due_{r}")
        for r in CONTACT_REASONS
    },
    "unsupported_prosecutions": ("unsupported_prosecutions", None),
    "attrition_rate": ("withdrawn_after_charge", "charges"),
    "hbv_fm_crimes": ("hbv_fm_crimes", None),
    "fgm_crimes": ("fgm_crimes", None),
    "lgbt_flagged": ("lgbt_flagged", None),
    "dv_and_serious_sexual": ("dv_and_serious_sexual", None),
    "homicides": ("homicides", None),
    "front_counter_share": ("front_counter_incidents", "incidents"),
}

SEXUAL, SERIOUS_SEXUAL, OTHER_SEXUAL = "sexual", "serious_sexual", "other_sexual"

#: (part, whole, why): the part's records or people are among the whole's, in the same
#: family, area and period. The whole minus the part is itself a count of crimes or people
#: ("offences with no arrest"), so it is a target too.
PARTS: tuple[tuple[str, str, str], ...] = (
    ("incidents_with_arrest", "incidents", "incidents with an arrest are incidents"),
    ("incidents_suspect_present", "incidents", "incidents with the suspect present"),
    ("arrests_suspect_present", "incidents_suspect_present", "arrests where present"),
    ("arrests_suspect_present", "incidents_with_arrest", "arrests where present are arrests"),
    ("incidents_compliant", "incidents", "CAD-to-CRIS compliant incidents"),
    ("havens_referrals", "incidents", "referrals to the Havens are counted on incidents"),
    ("front_counter_incidents", "incidents", "incidents reported at a front counter"),
    ("sanction_detections", "offences", "a sanction detection is a confirmed offence's outcome"),
    ("charges", "sanction_detections", "a charge is a sanction detection"),
    ("cautions", "sanction_detections", "a caution is a sanction detection"),
    ("other_sds", "sanction_detections", "other sanction detections"),
    ("offences_with_arrest", "offences", "offences with an arrest are offences"),
    ("risk_forms", "offences", "risk forms are counted on confirmed offences"),
    ("offences_risk_form_completed", "risk_forms", "a completed risk form is a risk form"),
    ("risk_forms_supervised", "risk_forms", "supervised risk forms"),
    ("withdrawn_after_charge", "charges", "attrition after charge is counted on charges"),
    ("unsupported_prosecutions", "offences", "flagged confirmed offences"),
    ("hbv_fm_crimes", "offences", "flagged confirmed offences"),
    ("fgm_crimes", "offences", "flagged confirmed offences"),
    ("lgbt_flagged", "offences", "flagged confirmed offences"),
    ("dv_and_serious_sexual", "offences", "flagged confirmed offences"),
    ("homicides", "offences", "homicides are confirmed offences"),
    ("contacts_on_time", "contacts_due", "contacts made on time were due"),
    *(
        (f"contacts_on_time_{r}", f"contacts_due_{r}", "contacts made on time were due")
        for r in CONTACT_REASONS
    ),
    ("repeat_victims", "victims", "repeat victims are victims"),
    (
        "repeat_victims",
        "repeat_offences",
        "each repeat victim has at least one repeat offence in the period, counted in the "
        "area the victim is counted in",
    ),
    ("repeat_caution_offenders", "cautioned_offenders", "repeat cautioned offenders"),
)

#: whole = the sum of its disjoint parts (a part not published is an unknown count ≥ 0)
PARTITIONS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    (
        "sanction_detections",
        ("charges", "cautions", "other_sds"),
        "sanction detections are charges, cautions and the other sanction detections",
    ),
    (
        "contacts_due",
        tuple(f"contacts_due_{r}" for r in CONTACT_REASONS),
        "every Victims' Code contact has one reason",
    ),
    (
        "contacts_on_time",
        tuple(f"contacts_on_time_{r}" for r in CONTACT_REASONS),
        "every Victims' Code contact has one reason",
    ),
)

# --- reading the published files -------------------------------------------------------------

Period = tuple[dt.date, dt.date]  # first and last day, as the files print them
Key = tuple[Period, str, str, str]  # (period, family, area, count)


class PublishedFileError(ValueError):
    """A published file the attacker cannot read: names the file, row and column."""


@dataclass(frozen=True)
class RateShown:
    """A rate printed with a suppressed part: value × denominator gives the numerator back."""

    numerator: Key
    denominator: Key
    value: float
    half_step: float  # half the last printed decimal: the rounding of the value
    where: str


@dataclass
class Published:
    """Everything the files say, merged: a figure printed in several files is one figure."""

    periods: list[Period] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)  # area code -> name
    shown: dict[tuple[Period, str], set[str]] = field(default_factory=dict)  # counts shown
    values: dict[Key, int | None] = field(default_factory=dict)  # None = [c]
    zero_denominators: set[Key] = field(default_factory=set)  # a rate printed [z]
    rates: list[RateShown] = field(default_factory=list)
    where: dict[Key, str] = field(default_factory=dict)


def _count_text(text: str) -> int | None:
    """A published count: None for [c]; raises ValueError otherwise."""
    if text == SUPPRESSED:
        return None
    if not re.fullmatch(r"\d{1,3}(,\d{3})*|\d+", text):
        raise ValueError("not a count")
    return int(text.replace(",", ""))


def read_published(paths: Iterable[Path | str]) -> Published:
    """Read the published CSV files (any number, any periods) into one :class:`Published`."""
    pub = Published()
    for path in map(Path, paths):
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise PublishedFileError(f"{path}: missing column(s) {', '.join(missing)}")
            for n, row in enumerate(reader, start=1):
                _read_row(pub, row, f"{path}, row {n}")
    pub.periods.sort()
    return pub


def _read_row(pub: Published, row: Mapping[str, str], where: str) -> None:
    def fail(column: str, problem: str) -> PublishedFileError:
        return PublishedFileError(f"{where}, column {column}: {problem} (found {row[column]!r})")

    level = row["geography_level"]
    if level not in ("area", "force"):
        raise fail("geography_level", "expected 'area' or 'force'")
    area = FORCE if level == "force" else row["area_code"]
    if level == "area":
        if not row["area_code"] or row["area_code"] in (FORCE, REMAINDER):
            raise fail("area_code", "not an area code")
        pub.areas.setdefault(area, row["area_name"])
    try:
        period = (
            dt.date.fromisoformat(row["period_start"]),
            dt.date.fromisoformat(row["period_end"]),
        )
    except ValueError:
        column = "period_start" if not _is_date(row["period_start"]) else "period_end"
        raise fail(column, "not a date (YYYY-MM-DD)") from None
    if period[1] < period[0]:
        raise fail("period_end", "before period_start")
    if period not in pub.periods:
        pub.periods.append(period)
    family, indicator = row["family"], row["indicator"]
    if not family:
        raise fail("family", "empty")
    if indicator not in INDICATOR_COUNTS:
        raise fail("indicator", "an indicator the attacker has no definition for")
    numerator, denominator = INDICATOR_COUNTS[indicator]
    try:
        top = _count_text(row["numerator"])
    except ValueError:
        raise fail("numerator", "expected a whole number or [c]") from None
    _merge(pub, (period, family, area, numerator), top, where)
    shown = pub.shown.setdefault((period, family), set())
    shown.add(numerator)
    if denominator is None:
        if row["denominator"] != NOT_APPLICABLE:
            raise fail("denominator", "a count has no denominator: expected [z]")
        return
    shown.add(denominator)
    try:
        bottom = _count_text(row["denominator"])
    except ValueError:
        raise fail("denominator", "expected a whole number or [c]") from None
    den_key = (period, family, area, denominator)
    _merge(pub, den_key, bottom, where)
    value = row["value"]
    if value == NOT_APPLICABLE:
        pub.zero_denominators.add(den_key)
    elif value != SUPPRESSED and (top is None or bottom is None):
        try:
            number = float(value)
        except ValueError:
            raise fail("value", "expected a number, [c] or [z]") from None
        decimals = len(value.partition(".")[2])
        half_step = 0.5 * 10.0 ** -max(VALUE_DECIMALS, decimals)
        pub.rates.append(
            RateShown((period, family, area, numerator), den_key, number, half_step, where)
        )


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _merge(pub: Published, key: Key, value: int | None, where: str) -> None:
    """One figure printed in several places (rows, files) must agree; [c] in one place and a
    number in another gives the number away."""
    old = pub.values.get(key, "absent")
    if old == "absent" or old is None:
        pub.values[key] = value
        pub.where.setdefault(key, where)
        if value is not None:
            pub.where[key] = where
    elif value is not None and value != old:
        raise PublishedFileError(
            f"{where}: {key[3]} for {key[2]}, {key[1]}, {_period_text(key[0])} is {value} "
            f"but {pub.where[key]} gives {old}"
        )


def _period_text(period: Period) -> str:
    return f"{period[0].isoformat()}..{period[1].isoformat()}"


# --- the model: unknowns, relations, targets --------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A count the outsider should not be able to narrow (one area, family, period)."""

    kind: str  # "count" | "segment" | "difference" | "further offences"
    period: Period
    family: str
    area: str
    name: str  # a count id, or "whole − part"
    terms: tuple[tuple[Key, int], ...]  # the target as a sum of counts (for the true value)
    shown: str  # how the files show it: a number, "[c]", or "not published"
    relation: str = ""  # the relation that makes a derived count

    def describe(self) -> str:
        return (
            f"{self.family} {self.name} in {self.area}, {_period_text(self.period)} "
            f"({self.kind}; shown {self.shown})"
        )


@dataclass(frozen=True)
class Row:
    coeffs: dict[int, float]
    lo: float
    hi: float
    relation: str


@dataclass(frozen=True)
class Relation:
    """One thing the outsider knows, applied by ``build`` to every place it holds."""

    name: str
    sentence: str
    build: Callable[[Model], None]
    side_knowledge: bool = False  # only the stronger outsider (remainders known) has it


class Model:
    """The unknown counts of a set of publications and what ties them together."""

    def __init__(
        self,
        pub: Published,
        known_remainders: Callable[[Period, str, str], int | None] | None = None,
    ) -> None:
        self.pub = pub
        self.known_remainders = known_remainders
        self.index: dict[Key, int] = {}
        self.keys: list[Key] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.lb_why: list[frozenset[str]] = []
        self.ub_why: list[frozenset[str]] = []
        self.rows: list[Row] = []
        self.targets: list[Target] = []
        self.periods = list(pub.periods)
        self.segments = _segments(self.periods)
        split = any(len(s) > 1 for s in self.segments.values())
        pieces = sorted({s for ss in self.segments.values() for s in ss}) if split else []
        self.seg_times = [s for s in pieces if s not in self.periods]
        self.areas = sorted(pub.areas)
        self.all_areas = [*self.areas, FORCE, REMAINDER]
        self.counts: dict[tuple[Period, str], list[str]] = {}
        for period in self.periods:
            families = sorted(f for (p, f) in pub.shown if p == period)
            for family in families:
                self.counts[(period, family)] = _completed(pub.shown[(period, family)])
            if SEXUAL in families and SERIOUS_SEXUAL in families:
                both = set(self.counts[(period, SEXUAL)]) & set(
                    self.counts[(period, SERIOUS_SEXUAL)]
                )
                records = {c for c in both if _is_record(c)}
                other = set(self.counts.get((period, OTHER_SEXUAL), ())) | records
                self.counts[(period, OTHER_SEXUAL)] = _completed(other)
        for segment in pieces:  # a piece may itself be a published period (nested periods)
            for (period, family), counts in list(self.counts.items()):
                if period != segment and segment in self.segments.get(period, ()):
                    have = set(self.counts.get((segment, family), ()))
                    have |= {c for c in counts if _is_record(c)}
                    self.counts[(segment, family)] = sorted(have)
        for (time, family), counts in self.counts.items():
            for count in counts:
                for area in self.all_areas:
                    self._new((time, family, area, count))

    # -- building blocks for relations

    def _new(self, key: Key) -> None:
        self.index[key] = len(self.keys)
        self.keys.append(key)
        self.lb.append(-math.inf)
        self.ub.append(math.inf)
        self.lb_why.append(frozenset())
        self.ub_why.append(frozenset())

    def times(self, records_only: bool = False) -> list[Period]:
        """Publication periods, then the segments overlapping periods cut them into."""
        return [*self.periods, *(self.seg_times if records_only else [])]

    def families(self, time: Period) -> list[str]:
        return sorted({f for (t, f) in self.counts if t == time})

    def counts_of(self, time: Period, family: str) -> list[str]:
        return self.counts.get((time, family), [])

    def lower(self, key: Key, value: float, relation: str) -> None:
        i = self.index[key]
        if value > self.lb[i]:
            self.lb[i], self.lb_why[i] = value, frozenset({relation})

    def fix(self, key: Key, value: float, relation: str) -> None:
        i = self.index[key]
        self.lb[i] = self.ub[i] = value
        self.lb_why[i] = self.ub_why[i] = frozenset({relation})

    def add(self, terms: Mapping[Key, float], lo: float, hi: float, relation: str) -> None:
        coeffs: dict[int, float] = defaultdict(float)
        for key, coef in terms.items():
            coeffs[self.index[key]] += coef
        self.rows.append(Row(dict(coeffs), lo, hi, relation))

    def target(
        self, kind: str, key: Key, name: str, terms: Mapping[Key, int], relation: str = ""
    ) -> None:
        period, family, area, _count = key
        shown = "not published"
        if len(terms) == 1:
            (only,) = terms
            if only in self.pub.values:
                value = self.pub.values[only]
                shown = SUPPRESSED if value is None else str(value)
        self.targets.append(
            Target(kind, period, family, area, name, tuple(terms.items()), shown, relation)
        )


def _is_record(count: str) -> bool:
    return COUNT_SOURCES.get(count) in RECORD_SOURCES


def _completed(counts: Iterable[str]) -> list[str]:
    """The counts shown, with the other parts of any partition one of them belongs to."""
    have = set(counts)
    for whole, parts, _ in PARTITIONS:
        if have & {whole, *parts}:
            have |= {whole, *parts}
    return sorted(have)


def _segments(periods: Sequence[Period]) -> dict[Period, tuple[Period, ...]]:
    """Each period cut at every other period's start and end: the stretches of time that are
    in the same set of periods."""
    edges = sorted({p[0] for p in periods} | {p[1] + dt.timedelta(days=1) for p in periods})
    pieces = [(a, b - dt.timedelta(days=1)) for a, b in itertools.pairwise(edges)]
    return {p: tuple(s for s in pieces if p[0] <= s[0] and s[1] <= p[1]) for p in periods}


# --- the relations (what the outsider knows) ------------------------------------------------


def _published(m: Model) -> None:
    for key, value in m.pub.values.items():
        if value is not None:
            m.fix(key, value, "published figure")


def _never_zero(m: Model) -> None:
    for key, value in m.pub.values.items():
        if value is None:
            m.lower(key, 1, "a [c] is never 0")


def _never_negative(m: Model) -> None:
    for key in m.keys:
        m.lower(key, 0, "counts are never negative")


def _area_sum(m: Model) -> None:
    name = "areas + remainder = force"
    for time in m.times(records_only=True):
        for family in m.families(time):
            for count in m.counts_of(time, family):
                terms = {(time, family, a, count): 1.0 for a in m.areas}
                terms[(time, family, REMAINDER, count)] = 1.0
                terms[(time, family, FORCE, count)] = -1.0
                m.add(terms, 0, 0, name)


def _remainder_known(m: Model) -> None:
    if m.known_remainders is None:
        return
    for period in m.periods:
        for family in m.families(period):
            for count in m.counts_of(period, family):
                value = m.known_remainders(period, family, count)
                if value is not None:
                    m.fix((period, family, REMAINDER, count), value, "remainder known")


def _part_of(part: str, whole: str) -> Callable[[Model], None]:
    name = f"{part} ⊆ {whole}"

    def build(m: Model) -> None:
        _apply_part(m, part, whole, name)

    return build


def _apply_part(m: Model, part: str, whole: str, name: str, unless: Sequence[str] = ()) -> None:
    records = _is_record(part) and _is_record(whole)
    for time in m.times(records_only=records):
        for family in m.families(time):
            counts = m.counts_of(time, family)
            if part not in counts or whole not in counts or set(unless) & set(counts):
                continue
            for area in m.all_areas:
                terms = {(time, family, area, whole): 1.0, (time, family, area, part): -1.0}
                m.add(terms, 0, math.inf, name)
                if area in m.areas and time in m.periods:
                    key = (time, family, area, whole)
                    m.target(
                        "difference",
                        key,
                        f"{whole} − {part}",
                        {key: 1, (time, family, area, part): -1},
                        name,
                    )


def _closure() -> dict[tuple[str, str], list[str]]:
    """(part, whole) -> the counts between them, for every chain of PARTS."""
    up: dict[str, set[str]] = defaultdict(set)
    for part, whole, _ in PARTS:
        up[part].add(whole)
    chains: dict[tuple[str, str], list[str]] = {}

    def walk(start: str, node: str, path: list[str]) -> None:
        for whole in up.get(node, ()):
            if (start, whole) not in chains or len(path) < len(chains[(start, whole)]):
                chains[(start, whole)] = path
            walk(start, whole, [*path, whole])

    for part in list(up):
        walk(part, part, [])
    direct = {(part, whole) for part, whole, _ in PARTS}
    return {k: v for k, v in chains.items() if v and k not in direct}


def _parts_through_unpublished(m: Model) -> None:
    """A part within a whole through counts neither published nor implied (cautions ⊆
    offences when sanction detections are not in the files)."""
    for (part, whole), between in _closure().items():
        name = f"{part} ⊆ {whole} (through {', '.join(between)})"
        _apply_part(m, part, whole, name, unless=between)


def _sum_name(whole: str, parts: Sequence[str]) -> str:
    if all(p.startswith(f"{whole}_") for p in parts):
        return f"{whole} = the sum over reasons"
    return f"{whole} = {' + '.join(parts)}"


def _partition(whole: str, parts: tuple[str, ...], name: str) -> Callable[[Model], None]:
    def build(m: Model) -> None:
        for time in m.times(records_only=True):
            for family in m.families(time):
                if whole not in m.counts_of(time, family):
                    continue
                for area in m.all_areas:
                    terms = {(time, family, area, whole): 1.0}
                    terms.update({(time, family, area, p): -1.0 for p in parts})
                    m.add(terms, 0, 0, name)

    return build


def _sexual_split(m: Model) -> None:
    name = "sexual = serious sexual + other sexual"
    for time in m.times(records_only=True):
        for count in m.counts_of(time, OTHER_SEXUAL):
            if count not in m.counts_of(time, SEXUAL) or count not in m.counts_of(
                time, SERIOUS_SEXUAL
            ):
                continue
            for area in m.all_areas:
                terms = {
                    (time, SEXUAL, area, count): 1.0,
                    (time, SERIOUS_SEXUAL, area, count): -1.0,
                    (time, OTHER_SEXUAL, area, count): -1.0,
                }
                m.add(terms, 0, 0, name)


def _further_offences(m: Model) -> None:
    name = "further offences = offences − victims"
    for period in m.periods:
        for family in m.families(period):
            counts = m.counts_of(period, family)
            if "offences" not in counts or "victims" not in counts:
                continue
            for area in m.areas:
                key = (period, family, area, "offences")
                terms = {key: 1, (period, family, area, "victims"): -1}
                m.target("further offences", key, "offences − victims", terms, name)


def _repeat_offence_window(m: Model) -> None:
    name = "offences against repeat victims ≥ repeat offences + repeat victims"
    needed = ("offences_against_repeat_victims", "repeat_offences", "repeat_victims")
    for period in m.periods:
        for family in m.families(period):
            counts = m.counts_of(period, family)
            if not set(needed) <= set(counts):
                continue
            for area in m.all_areas:
                total, repeats, victims = ((period, family, area, c) for c in needed)
                m.add({total: 1.0, repeats: -1.0, victims: -1.0}, 0, math.inf, name)


def _rates(m: Model) -> None:
    name = "rate × denominator = numerator (6 decimals)"
    for rate in m.pub.rates:
        low, high = rate.value - rate.half_step - 1e-12, rate.value + rate.half_step + 1e-12
        m.add({rate.numerator: 1.0, rate.denominator: -high}, -math.inf, 0, name)
        m.add({rate.numerator: 1.0, rate.denominator: -low}, 0, math.inf, name)


def _zero_denominators(m: Model) -> None:
    for key in m.pub.zero_denominators:
        m.add({key: 1.0}, 0, 0, "a rate shown [z] has a zero denominator")


def _time_segments(m: Model) -> None:
    name = "a period's records = the sum of its segments"
    if not m.seg_times:
        return
    for period in m.periods:
        pieces = m.segments[period]
        if len(pieces) < 2:
            continue
        for family in m.families(period):
            for count in m.counts_of(period, family):
                if not _is_record(count):
                    continue
                for area in m.all_areas:
                    terms = {(period, family, area, count): 1.0}
                    terms.update({(s, family, area, count): -1.0 for s in pieces})
                    m.add(terms, 0, 0, name)


#: Everything the outsider knows, in the order it is applied. A reviewer reads this list to
#: see what the attack tries; anything not here, the attacker does not use.
RELATIONS: tuple[Relation, ...] = (
    Relation(
        "published figure",
        "A number in any file is the count, wherever else the same count appears (a count is "
        "the same in every indicator that uses it, e.g. offences in the SD rate and the arrest "
        "rate).",
        _published,
    ),
    Relation(
        "a [c] is never 0",
        "Zero is published as 0, so a [c] below force level is at least 1. There is no upper "
        "bound: a [c] may be a secondary suppression of a large count.",
        _never_zero,
    ),
    Relation(
        "counts are never negative",
        "Every count, published or not, is a number of records or people, at least 0.",
        _never_negative,
    ),
    Relation(
        "areas + remainder = force",
        "For each count, family and period (and each segment of overlapping periods), the "
        "area rows plus the records no area counts (the remainder, unknown, ≥ 0) make the "
        "force row. People are counted in one area only (that of their latest offence).",
        _area_sum,
    ),
    Relation(
        "remainder known",
        "Side knowledge (the worst case): the outsider knows exactly how many records of each "
        "force total no area counts, e.g. from another source or because tables add up.",
        _remainder_known,
        side_knowledge=True,
    ),
    *(
        Relation(
            f"{part} ⊆ {whole}", f"{why}; {whole} − {part} is a count too.", _part_of(part, whole)
        )
        for part, whole, why in PARTS
    ),
    Relation(
        "part ⊆ whole through counts not published",
        "A part is within its whole through counts not in the files (cautions ⊆ offences when "
        "sanction detections are not published).",
        _parts_through_unpublished,
    ),
    *(
        Relation(_sum_name(whole, parts), why, _partition(whole, parts, _sum_name(whole, parts)))
        for whole, parts, why in PARTITIONS
    ),
    Relation(
        "sexual = serious sexual + other sexual",
        "For records (incidents, crimes, contacts and their sub-counts), the sexual offences "
        "family is the serious ones plus the others; 'other sexual' (never published) is a "
        "count of crimes and a target. Not for people: a person may be in both.",
        _sexual_split,
    ),
    Relation(
        "further offences = offences − victims",
        "Offences minus victims is the number of further offences against the same victims, "
        "a count of crimes and a target. Not bounded below by 0: a crime may have several "
        "victims (the demo data has some), so victims can exceed offences in an area.",
        _further_offences,
    ),
    Relation(
        "offences against repeat victims ≥ repeat offences + repeat victims",
        "Each repeat victim has a first offence in the look-back window that is not a repeat "
        "offence, besides their repeat offences.",
        _repeat_offence_window,
    ),
    Relation(
        "rate × denominator = numerator (6 decimals)",
        "A rate printed beside a suppressed part gives that part back: numerator / denominator "
        "is within half the last printed decimal of the value (both parts may be unknown).",
        _rates,
    ),
    Relation(
        "a rate shown [z] has a zero denominator",
        "A rate that cannot be worked out ([z]) has a denominator of 0.",
        _zero_denominators,
    ),
    Relation(
        "a period's records = the sum of its segments",
        "Publications of overlapping periods: for records (not people), a period's count is "
        "the sum of the counts of the stretches of time it shares with the others or not "
        "(A only, A∩B, B only), each an unknown count ≥ 0 with every relation above, and a "
        "target below force level.",
        _time_segments,
    ),
)


def build_model(
    pub: Published,
    known_remainders: Callable[[Period, str, str], int | None] | None = None,
) -> Model:
    """The outsider's model: every relation applied (the side knowledge only when given)."""
    m = Model(pub, known_remainders)
    for relation in RELATIONS:
        if relation.side_knowledge and known_remainders is None:
            continue
        relation.build(m)
    for key in m.keys:
        time, _family, area, count = key
        if area in m.areas:
            m.target("count" if time in m.periods else "segment", key, count, {key: 1})
    return m


# --- solving ---------------------------------------------------------------------------------


class Inconsistent(ValueError):
    """The files contradict what the attacker knows (a wrong relation, or a wrong file)."""


@dataclass(frozen=True)
class Finding:
    """What the outsider learns about one target: a whole-number range."""

    target: Target
    lo: float  # whole numbers (or ±inf)
    hi: float
    relations: tuple[str, ...]  # what pins it: binding relations at the optima
    exact: bool = True  # False: the attack stopped once the range was known to be wide
    method: str = "lp"  # "lp" | "milp"
    truth: int | None = None
    disclosure: bool | None = None

    @property
    def width(self) -> float:
        return self.hi - self.lo

    def describe(self) -> str:
        hi = "∞" if math.isinf(self.hi) else f"{self.hi:.0f}"
        truth = "" if self.truth is None else f", true value {self.truth}"
        if not self.exact:
            return f"{self.target.describe()}: at least {self.lo:.0f}..{hi}{truth} (wide)"
        return (
            f"{self.target.describe()}: {self.lo:.0f}..{hi}{truth} [{self.method}] via "
            f"{'; '.join(self.relations)}"
        )


@dataclass
class _Part:
    """One connected part of the unknowns: its linear programme in matrix form."""

    members: np.ndarray  # model variable indices
    local: dict[int, int]  # model index -> column
    a_eq: sparse.csr_matrix
    b_eq: np.ndarray
    a_ub: sparse.csr_matrix
    b_ub: np.ndarray
    eq_why: list[frozenset[str]]  # per row: its relation and what fixed its constants
    ub_why: list[frozenset[str]]
    witnesses: list[np.ndarray] = field(default_factory=list)  # optima found so far


class Attack:
    """Two linear programmes per target, over the connected parts of the model."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.lb = np.array(model.lb, dtype=float)
        self.ub = np.array(model.ub, dtype=float)
        self.lb_why = list(model.lb_why)
        self.ub_why = list(model.ub_why)
        rows = self._presolve()
        self.free = ~self._fixed()
        n = len(model.keys)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for row in rows:
            free = [i for i in row.coeffs if self.free[i]]
            for i in free[1:]:
                parent[find(i)] = find(free[0])
        self.component = np.array([find(i) for i in range(n)])
        self._rows: dict[int, list[Row]] = defaultdict(list)
        for row in rows:
            some = next(i for i in row.coeffs if self.free[i])
            self._rows[int(self.component[some])].append(row)
        self._parts: dict[int, _Part] = {}

    def _fixed(self) -> np.ndarray:
        return np.abs(self.ub - self.lb) < TOLERANCE

    def _why(self, i: int) -> frozenset[str]:
        return self.lb_why[i] | self.ub_why[i]

    def _presolve(self) -> list[Row]:
        """Substitute the fixed counts, and turn rows left with one unknown into bounds
        (whole numbers: bounds are rounded inwards), until nothing changes. Returns the rows
        with two or more unknowns."""
        rows = list(self.model.rows)
        while True:
            fixed = self._fixed()
            keep, changed = [], False
            for row in rows:
                free = [i for i in row.coeffs if not fixed[i]]
                if len(free) > 1:
                    keep.append(row)
                    continue
                const = sum(c * self.lb[i] for i, c in row.coeffs.items() if fixed[i])
                if not free:
                    if not row.lo - TOLERANCE <= const <= row.hi + TOLERANCE:
                        raise Inconsistent(self._explain(row, const))
                    continue
                i = free[0]
                c = row.coeffs[i]
                lo, hi = (row.lo - const) / c, (row.hi - const) / c
                if c < 0:
                    lo, hi = hi, lo
                lo = math.ceil(lo - TOLERANCE) if math.isfinite(lo) else lo
                hi = math.floor(hi + TOLERANCE) if math.isfinite(hi) else hi
                why = frozenset({row.relation}).union(*(self._why(j) for j in row.coeffs if j != i))
                if lo > self.lb[i]:
                    self.lb[i], self.lb_why[i], changed = lo, why, True
                if hi < self.ub[i]:
                    self.ub[i], self.ub_why[i], changed = hi, why, True
                if self.lb[i] > self.ub[i] + TOLERANCE:
                    raise Inconsistent(self._explain(row, const, i))
            rows = keep
            if not changed:
                return rows

    def _explain(self, row: Row, const: float, var: int | None = None) -> str:
        keys = [self.model.keys[i] for i in row.coeffs]
        where = "; ".join(f"{k[1]} {k[3]} {k[2]} {_period_text(k[0])}" for k in keys[:6])
        extra = f"; bounds of {self.model.keys[var]}" if var is not None else ""
        return f"'{row.relation}' cannot hold: {where} (constant part {const}{extra})"

    def _part(self, comp: int) -> _Part:
        if comp in self._parts:
            return self._parts[comp]
        members = np.flatnonzero((self.component == comp) & self.free)
        local = {int(g): k for k, g in enumerate(members)}
        eq: list[dict[int, float]] = []
        ub: list[dict[int, float]] = []
        b_eq: list[float] = []
        b_ub: list[float] = []
        eq_why: list[frozenset[str]] = []
        ub_why: list[frozenset[str]] = []
        for row in self._rows[comp]:
            const = 0.0
            coeffs = {}
            why = {row.relation}
            for i, c in row.coeffs.items():
                if self.free[i]:
                    coeffs[local[i]] = c
                else:
                    const += c * self.lb[i]
                    why |= self._why(i)
            if row.lo == row.hi:
                eq.append(coeffs)
                b_eq.append(row.lo - const)
                eq_why.append(frozenset(why))
                continue
            if row.hi < math.inf:
                ub.append(coeffs)
                b_ub.append(row.hi - const)
                ub_why.append(frozenset(why))
            if row.lo > -math.inf:
                ub.append({k: -c for k, c in coeffs.items()})
                b_ub.append(const - row.lo)
                ub_why.append(frozenset(why))
        part = _Part(
            members,
            local,
            _matrix(eq, len(members)),
            np.array(b_eq),
            _matrix(ub, len(members)),
            np.array(b_ub),
            eq_why,
            ub_why,
        )
        self._parts[comp] = part
        return part

    def _objective(self, part: _Part, objective: Mapping[int, float]) -> np.ndarray:
        c = np.zeros(len(part.members))
        for i, coef in objective.items():
            c[part.local[i]] = coef
        return c

    def _solve(self, comp: int, objective: Mapping[int, float], sense: int) -> tuple:
        """The least (sense +1) or greatest (-1) value of the objective over one part, and
        the relations binding at the optimum."""
        part = self._part(comp)
        c = self._objective(part, objective)
        res = linprog(
            sense * c,
            A_ub=part.a_ub if part.b_ub.size else None,
            b_ub=part.b_ub if part.b_ub.size else None,
            A_eq=part.a_eq if part.b_eq.size else None,
            b_eq=part.b_eq if part.b_eq.size else None,
            bounds=np.column_stack([self.lb[part.members], self.ub[part.members]]),
            method="highs",
        )
        if res.status == 3:
            return -sense * math.inf, set()
        if res.status != 0:
            keys = [self.model.keys[i] for i in part.members[:4]]
            raise Inconsistent(f"no solution ({res.message}) for the part holding {keys}")
        part.witnesses.append(res.x)
        used: set[str] = set()
        for marginals, whys in (
            (res.eqlin.marginals, part.eq_why),
            (res.ineqlin.marginals, part.ub_why),
        ):
            for k in np.flatnonzero(np.abs(marginals) > 1e-9):
                used |= whys[k]
        for k in np.flatnonzero(np.abs(res.lower.marginals) > 1e-9):
            used |= self.lb_why[part.members[k]]
        for k in np.flatnonzero(np.abs(res.upper.marginals) > 1e-9):
            used |= self.ub_why[part.members[k]]
        return sense * res.fun, used

    def _split(self, target: Target) -> tuple[float, dict[int, dict[int, float]], set[str]]:
        """The target as a constant (from fixed counts) plus an objective per part."""
        const, used = 0.0, set()
        parts: dict[int, dict[int, float]] = defaultdict(dict)
        for key, coef in target.terms:
            i = self.model.index[key]
            if self.free[i]:
                parts[int(self.component[i])][i] = float(coef)
            else:
                const += coef * self.lb[i]
                used |= self._why(i)
        return const, dict(parts), used

    def _seen(self, comp: int, objective: Mapping[int, float]) -> tuple[float, float]:
        """The objective's least and greatest value at the optima found so far in the part:
        the range is at least this wide. The first time, the part is solved for a few random
        objectives, so that most wide ranges are known to be wide without solving for them."""
        part = self._part(comp)
        if not part.witnesses:
            rng = np.random.default_rng(len(part.members))
            for _ in range(min(RANDOM_OBJECTIVES, len(part.members))):
                weights = rng.normal(size=len(part.members))
                self._solve(comp, dict(zip(part.members.tolist(), weights, strict=True)), +1)
        if not part.witnesses:  # every random direction was unbounded: nothing seen yet
            return math.inf, -math.inf
        values = np.array(part.witnesses) @ self._objective(part, objective)
        return float(values.min()), float(values.max())

    def finding(self, target: Target, width: int | None = PROTECTION_WIDTH) -> Finding:
        """The target's range. With ``width``, a target known to range at least that wide
        (from the optima found so far: the random ones, then its own greatest value) is not
        solved further: its finding gives a range it covers at least (exact=False), never a
        disclosure."""
        const, parts, used = self._split(target)
        if target.relation:
            used.add(target.relation)
        if not parts:
            return Finding(target, round(const), round(const), tuple(sorted(used)))
        wide = self._wide(target, const, parts, width)
        if wide is not None:
            return wide
        hi = const
        for comp, obj in parts.items():
            high, why = self._solve(comp, obj, -1)
            hi, used = hi + high, used | why
        wide = self._wide(target, const, parts, width)
        if wide is not None:
            return wide
        lo = const
        for comp, obj in parts.items():
            low, why = self._solve(comp, obj, +1)
            lo, used = lo + low, used | why
        return Finding(target, _ceil(lo), _floor(hi), tuple(sorted(used)))

    def _wide(
        self,
        target: Target,
        const: float,
        parts: Mapping[int, Mapping[int, float]],
        width: int | None,
    ) -> Finding | None:
        if width is None:
            return None
        seen = [self._seen(comp, obj) for comp, obj in parts.items()]
        if any(math.isinf(low) for low, _ in seen):
            return None  # a part with nothing seen yet: solve it
        lo = math.ceil(const + sum(s[0] for s in seen) - TOLERANCE)
        hi = math.floor(const + sum(s[1] for s in seen) + TOLERANCE)
        return Finding(target, lo, hi, (), exact=False) if hi - lo >= width else None

    def findings(
        self,
        width: int | None = PROTECTION_WIDTH,
        select: Callable[[Target], bool] | None = None,
    ) -> list[Finding]:
        """The range of every target (or of those ``select`` picks: a test that knows the
        true values attacks only the small ones, the only ones that can be disclosed)."""
        return [self.finding(t, width) for t in self.model.targets if select is None or select(t)]

    def integer_finding(self, target: Target, time_limit: float = 10.0) -> Finding:
        """The target's range when every unknown is a whole number (a mixed-integer programme
        per part; its dual bound when the time limit is reached)."""
        const, parts, used = self._split(target)
        lo = hi = const
        for comp, obj in parts.items():
            part = self._part(comp)
            c = self._objective(part, obj)
            constraints = []
            if part.b_eq.size:
                constraints.append(LinearConstraint(part.a_eq, part.b_eq, part.b_eq))
            if part.b_ub.size:
                constraints.append(LinearConstraint(part.a_ub, -np.inf, part.b_ub))
            bounds = Bounds(self.lb[part.members], self.ub[part.members])
            for sense in (+1, -1):
                res = milp(
                    sense * c,
                    integrality=np.ones(len(part.members)),
                    bounds=bounds,
                    constraints=constraints,
                    options={"time_limit": time_limit},
                )
                bound = getattr(res, "mip_dual_bound", None)
                if res.status == 0:
                    value = sense * res.fun
                elif res.status == 1 and bound is not None and math.isfinite(bound):
                    value = sense * bound
                else:
                    value = -sense * math.inf
                if sense > 0:
                    lo += value
                else:
                    hi += value
        used.add("every count is a whole number")
        return Finding(target, _ceil(lo), _floor(hi), tuple(sorted(used)), method="milp")


def _ceil(x: float) -> float:
    return math.ceil(x - TOLERANCE) if math.isfinite(x) else x


def _floor(x: float) -> float:
    return math.floor(x + TOLERANCE) if math.isfinite(x) else x


def _matrix(rows: list[dict[int, float]], n: int) -> sparse.csr_matrix:
    data, cols, ptr = [], [], [0]
    for row in rows:
        cols.extend(row)
        data.extend(row.values())
        ptr.append(len(cols))
    return sparse.csr_matrix((data, cols, ptr), shape=(len(rows), n))


def attack(
    paths: Iterable[Path | str],
    known_remainders: Callable[[Period, str, str], int | None] | None = None,
    width: int | None = PROTECTION_WIDTH,
) -> list[Finding]:
    """Every target's range from the published files (see the module's docstring)."""
    return Attack(build_model(read_published(paths), known_remainders)).findings(width)


# --- judging ---------------------------------------------------------------------------------


def judge(
    findings: Iterable[Finding],
    truth: Callable[[Key], int | None],
    threshold: int = THRESHOLD,
    width: int = PROTECTION_WIDTH,
) -> list[Finding]:
    """Mark each finding with its true value and whether it is a disclosure: narrowed below
    the protection width while its true value is a small number (1..threshold). Without a
    true value, a range narrower than the width and wholly within 1..threshold."""
    out = []
    for f in findings:
        value = true_value(f.target, truth)
        narrow = f.exact and f.width < width
        # without a true value: the whole range is small
        small = (f.lo >= 1 and f.hi <= threshold) if value is None else 1 <= value <= threshold
        out.append(replace(f, truth=value, disclosure=narrow and small))
    return out


def true_value(target: Target, truth: Callable[[Key], int | None]) -> int | None:
    """The target's true value from the true counts (None when one is not known)."""
    values = [(truth(key), coef) for key, coef in target.terms]
    if any(v is None for v, _ in values):
        return None
    return sum(v * c for v, c in values)


def unsound(findings: Iterable[Finding]) -> list[Finding]:
    """Findings whose range leaves out the true value: a relation the attacker assumes is
    false for the data (the attack must be re-thought, not the publication)."""
    return [f for f in findings if f.exact and f.truth is not None and not f.lo <= f.truth <= f.hi]


# --- command line ----------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Attack files without knowing the true values: print every range narrower than the
    protection width that may hold a small count (exit status 1 when there is one)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="published CSV files")
    parser.add_argument("--threshold", type=int, default=THRESHOLD)
    parser.add_argument("--width", type=int, default=PROTECTION_WIDTH)
    parser.add_argument("--all", action="store_true", help="print every target's range")
    args = parser.parse_args(argv)
    findings = attack(args.files, width=args.width)
    narrow = [
        f
        for f in findings
        if f.exact and f.width < args.width and f.hi >= 1 and f.lo <= args.threshold
    ]
    for f in findings if args.all else narrow:
        print(f.describe())
    print(
        f"{len(narrow)} of {len(findings)} targets narrowed below a width of {args.width} "
        f"where they may be 1..{args.threshold}"
    )
    return 1 if narrow else 0


if __name__ == "__main__":
    sys.exit(main())

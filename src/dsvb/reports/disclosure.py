"""Disclosure control: the one policy every published output goes through.

``DOMAIN.md`` ("Disclosure control") and ``docs/decisions/0007-disclosure-control.md`` give
the rules; in short, for a table of areas with a force-wide row:

1. **Primary suppression.** Below force level, a count of people or their crimes that is
   between 1 and the threshold (default 9) is suppressed and shown ``[c]``. Zero stays zero.
2. **Secondary suppression.** No suppressed figure may be worked out from what is published,
   nor narrowed to a range narrower than the policy's *protection width* (default 3: an
   outsider who can tell that a figure is 1 or 2 has learnt it).
   The policy writes down every relation an outsider could use — a force total is the sum
   of its areas (plus records not attributed to an area); a part never exceeds its whole
   (sanction detections of offences, cautions of sanction detections, repeat victims of
   victims, …), and the difference is itself a count of people or crimes; sanction
   detections are charges + cautions + other; the sexual family is serious sexual + other
   sexual; crimes against the people they concern (offences minus victims is the number of
   further offences against the same victims, itself a count of crimes) — and treats the
   published cells as known and the rest as unknown. The records
   in a force total that no area counts are taken as known too (an outsider may assume the
   table adds up), so they give no cover. A sensitive figure (1..the threshold, in an area:
   a cell, a difference between a whole and its part, the other sexual offences) must not
   be determined by those relations, exactly (linear algebra), or narrowed to fewer than
   ``protection_width + 1`` whole numbers (the bounds an outsider gets from counts never being
   negative and a ``[c]`` never being zero, solved as linear programmes).
   While one is, the smallest non-zero published cell below force level in the relations
   that give it away is suppressed too; the force-level cell only when nothing else can.
3. **Rates.** A rate is published only when both its numerator and denominator are: a rate
   with a suppressed part is suppressed, so a suppressed count can never be recovered as
   rate × denominator. Every indicator that uses a count shows it the same way.
4. **Rounding** (off by default). Other counts are rounded to the nearest 5 (a non-zero count
   never rounds to 0). Force totals are then recomputed from the published cells — the sum
   of the rounded area figures plus the rounded remainder (areas shown ``[c]`` and records
   not attributed to an area) — and rates are computed from the rounded parts. The pattern
   of suppression is the same with or without rounding.

**Tables by strand** (equality tables; ``docs/decisions/0025-disclosure-of-tables-by-strand.md``)
go through the same rules, in every group: the results all carry one cut of one strand
(``victim_ethnicity`` …), with a force row per group. A group's force figure of 1..the
threshold is suppressed like an area's. The groups of each place add up to the figure without
the cut, which the table of areas beside them publishes: what that table shows is known, what
it withholds is unknown and, when small, protected here too. Where every non-zero group of a
count at a place is withheld, its zeros are withheld too (a ``[c]`` there may be 0), so that
the zeros and the ``[c]`` cannot pin a small total.

Internal views for authorised users show exact figures; only published outputs go through
:func:`apply`. The policy's name and version are printed on every published output.
:func:`audit` checks a finished table from scratch and names each figure it gives away with
the relations that give it away: a publisher runs it before anything leaves the building.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from dsvb.indicators import definitions as defs
from dsvb.indicators import relations
from dsvb.indicators.results import FORCE_CODE, IndicatorResult

__all__ = [
    "DEFAULT_PROTECTION_WIDTH",
    "DEFAULT_THRESHOLD",
    "NOT_APPLICABLE",
    "POLICY_ID",
    "ROUNDING_BASE",
    "SUPPRESSED",
    "Disclosure",
    "DisclosureError",
    "Policy",
    "PublishedCell",
    "PublishedTable",
    "apply",
    "audit",
]

POLICY_ID = "dsvb-sdc"
DEFAULT_THRESHOLD = 9
DEFAULT_PROTECTION_WIDTH = 3
ROUNDING_BASE = 5
SUPPRESSED = "[c]"  # GSS shorthand: confidential
NOT_APPLICABLE = "[z]"  # GSS shorthand: not applicable (a count's denominator, a 0 denominator)
RESIDUAL = "~not-attributed"  # the records in a force total that no area row counts
ALL_GROUPS = "ALL"  # the engine's cut value for every group together (engine.ALL)


class DisclosureError(ValueError):
    """The results cannot be published safely (or are not a table this policy understands)."""


# The rules the code applies. A revision changes what the policy *does* (not its settings);
# each published output names its policy version, and each version the rules it ran under.
RULES_REVISION = 2
RULES_REVISIONS = {
    1: "2026-11-22: exact recovery and pinning to one value; no crimes-against-people relation",
    2: (
        "2026-12-05: protection width; offences minus victims protected as a count of crimes; "
        "publication audited before release"
    ),
}


@dataclass(frozen=True)
class Policy:
    """The disclosure-control settings; the version names the exact settings used.

    ``protection_width``: an outsider must not be able to narrow a suppressed count (or a
    count derived from published ones, such as the offences without an arrest) to a range
    ``lo..hi`` with ``hi - lo`` smaller than this. With 3, "1 or 2" is a disclosure and
    "1 to 4" is not (after the protection intervals of tau-ARGUS). ``rules_revision`` is the
    revision of the rules in code the version was made under (:data:`RULES_REVISIONS`); only
    the current one can be applied, earlier ones describe earlier publications.
    """

    version: int = 2
    threshold: int = DEFAULT_THRESHOLD
    rounding: bool = False
    protection_width: int = DEFAULT_PROTECTION_WIDTH
    rules_revision: int = RULES_REVISION
    id: str = POLICY_ID

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("the suppression threshold must be at least 1")
        if self.version < 1:
            raise ValueError("policy versions start at 1")
        if self.protection_width < 1:
            raise ValueError("the protection width must be at least 1")
        if self.rules_revision not in RULES_REVISIONS:
            raise ValueError(f"unknown rules revision {self.rules_revision}")

    @property
    def name(self) -> str:
        return f"dsvb disclosure control v{self.version}"

    @property
    def rules(self) -> str:
        rounding = (
            f"other counts rounded to the nearest {ROUNDING_BASE}, totals and rates "
            "recomputed from the rounded counts"
            if self.rounding
            else "counts not rounded"
        )
        if self.rules_revision == 1:
            return (
                f"counts of 1–{self.threshold} below force level suppressed ({SUPPRESSED}); "
                "zero stays zero; secondary suppression so that no suppressed count can be "
                "worked out from totals, related counts or rates; rates with a suppressed "
                f"part suppressed; {rounding}"
            )
        return (
            f"counts of 1–{self.threshold} below force level suppressed ({SUPPRESSED}); "
            "zero stays zero; secondary suppression so that no suppressed count, and no "
            "small count derived from published ones, can be worked out or narrowed to a "
            f"range narrower than {self.protection_width} (from totals, parts and wholes, "
            "offences and their victims, related families, rates, or earlier "
            f"publications); rates with a suppressed part suppressed; {rounding}"
        )

    def describe(self) -> str:
        """The line printed on every published output."""
        return f"{self.name} ({self.id}): {self.rules}"

    def round_count(self, value: int) -> int:
        """A published count: unchanged, or rounded to the nearest 5 (never 0 unless 0)."""
        if not self.rounding or value == 0:
            return value
        rounded = ROUNDING_BASE * math.floor(value / ROUNDING_BASE + 0.5)
        return rounded if rounded != 0 else int(math.copysign(ROUNDING_BASE, value))

    def settings(self) -> dict[str, object]:
        return {
            "version": self.version,
            "threshold": self.threshold,
            "rounding": self.rounding,
            "protection_width": self.protection_width,
            "rules_revision": self.rules_revision,
        }


# --- what relates to what -----------------------------------------------------------------

# The relations are declared once, on the counts and families (``indicators/definitions.py``),
# and derived here (``indicators/relations.py``); these names are kept for callers.
_RELATIONS = relations.derive(defs.COUNTS, defs.FAMILIES)
# (whole, part): every record the part counts is also counted by the whole, in the same
# family, area and period. The difference whole − part is then a count of people or crimes.
_DIRECT_SUBSETS = _RELATIONS.direct_subsets
SUBSETS = _RELATIONS.subsets  # closed under transitivity
# Counts that are exactly the sum of other counts (each record in exactly one part).
PARTITIONS = _RELATIONS.partitions
# (crimes, people): every person the second counts is the victim (or offender) of at least one
# crime the first counts, in the same family, area and period, so crimes − people is the
# number of further crimes against (or by) the same people: a count of crimes an outsider
# can work out from the two, protected like a cell. "Offences minus victims gave the repeat
# victims" is the attack this stops.
CRIMES_AGAINST_PEOPLE = _RELATIONS.crimes_against_people
# A sexual offence (and an incident or contact about one) is serious or other, never both.
FAMILY_PARTITIONS = _RELATIONS.family_partitions
ADDITIVE_SOURCES = _RELATIONS.additive_sources


# --- published cells -------------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedCell:
    """One indicator for one area after disclosure control.

    ``numerator`` and ``denominator`` are the published counts (rounded when the policy
    rounds); ``None`` when that count is suppressed (or, for the denominator, when the
    indicator is a count). A rate is ``suppressed`` when either part is; the other part is
    still shown when it is published. ``value`` is computed from the published parts.
    """

    family: str
    indicator: str
    area_code: str
    area_name: str
    is_rate: bool
    numerator: int | None
    denominator: int | None
    suppressed: bool
    force_level: bool
    cuts: tuple[tuple[str, str], ...] = ()  # the group of a table by strand, as on the results

    @property
    def value(self) -> float | int | None:
        if self.suppressed:
            return None
        if not self.is_rate:
            return self.numerator
        if self.numerator is None or not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def zero_denominator(self) -> bool:
        return self.is_rate and not self.suppressed and self.denominator == 0


@dataclass(frozen=True)
class PublishedTable:
    policy: Policy
    cells: tuple[PublishedCell, ...]
    _index: dict[tuple[str, str, str, Cuts], PublishedCell] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index.update({(c.family, c.indicator, c.area_code, c.cuts): c for c in self.cells})

    def get(
        self, family: str, indicator: str, area_code: str, cuts: Cuts = ()
    ) -> PublishedCell | None:
        """A cell; ``cuts`` names its group in a table by strand (``(("victim_sex", "male"),)``)."""
        return self._index.get((family, indicator, area_code, cuts))

    def groups(self) -> list[Cuts]:
        """The groups of a table by strand, in the order of the input (``[()]`` uncut)."""
        return list(dict.fromkeys(c.cuts for c in self.cells))

    def families(self) -> list[str]:
        return list(dict.fromkeys(c.family for c in self.cells))

    def indicators(self, family: str | None = None) -> list[str]:
        return list(dict.fromkeys(c.indicator for c in self.cells if family in (None, c.family)))

    def areas(self) -> list[tuple[str, str]]:
        """(code, name) of every area below force level, in the order of the input."""
        return list(
            dict.fromkeys((c.area_code, c.area_name) for c in self.cells if not c.force_level)
        )

    @property
    def suppressed_cells(self) -> int:
        return sum(c.suppressed for c in self.cells)


# --- the suppression problem -----------------------------------------------------------------

Cuts = tuple[tuple[str, str], ...]  # () uncut, or ((strand, group),) as on the results
Key = tuple[str, str, str, Cuts]  # (family, count or derived count, area code, group)


@dataclass
class _Problem:
    """Cells (published candidates and hidden derived figures) and the relations among them.

    Each relation is a list of (cell, coefficient) summing to zero.
    """

    threshold: int
    width: int = DEFAULT_PROTECTION_WIDTH
    keys: list[Key] = field(default_factory=list)
    values: list[int] = field(default_factory=list)
    hidden: list[bool] = field(default_factory=list)
    force: list[bool] = field(default_factory=list)
    sensitive: list[bool] = field(default_factory=list)
    suppressed: list[bool] = field(default_factory=list)
    assumed: list[bool] = field(default_factory=list)  # hidden, but take it as known
    lower: list[float | None] = field(default_factory=list)
    index: dict[Key, int] = field(default_factory=dict)
    rows: list[list[tuple[int, int]]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # each relation in words
    rows_of: list[list[int]] = field(default_factory=list)
    # a table by strand: the cells of one count at one place, one per group, and whether
    # the whole breakdown is withheld (then a [c] in it may be 0: see _withhold)
    breakdowns: list[list[int]] = field(default_factory=list)
    breakdown: dict[int, int] = field(default_factory=dict)
    withheld: list[bool] = field(default_factory=list)

    def add(self, key: Key, value: int, *, hidden: bool, people: bool, known: bool = False) -> int:
        if key in self.index:
            i = self.index[key]
            if self.values[i] != value:
                raise DisclosureError(
                    f"{key[1]} for {_where(key)} is both {self.values[i]} and {value}"
                )
            return i
        force = key[2] == FORCE_CODE
        i = len(self.keys)
        self.index[key] = i
        self.keys.append(key)
        self.values.append(value)
        self.hidden.append(hidden)
        self.force.append(force)
        # below force level, or at force level for one group of a strand (7 disabled
        # victims London-wide are a small number about identifiable people)
        sensitive = people and (bool(key[3]) or not force) and 1 <= value <= self.threshold
        self.sensitive.append(sensitive)
        self.assumed.append(hidden and known and not sensitive)
        self.suppressed.append(False)
        # What an outsider knows of an unseen figure: counts are never negative (a
        # residual of inconsistent source data may be), and a [c] is never zero.
        self.lower.append(0.0 if value >= 0 else None)
        self.rows_of.append([])
        return i

    def relate(self, terms: Sequence[tuple[int, int]], label: str) -> None:
        row = list(terms)
        r = len(self.rows)
        self.rows.append(row)
        self.labels.append(label)
        for i, _ in row:
            self.rows_of[i].append(r)

    def unknown(self, i: int) -> bool:
        return self.suppressed[i] or (self.hidden[i] and not self.assumed[i])

    def bound(self, i: int) -> float | None:
        if self.suppressed[i] and not self.hidden[i]:
            b = self.breakdown.get(i)
            return 0.0 if b is not None and self.withheld[b] else 1.0
        return self.lower[i]


def _people(count: str) -> bool:
    found = defs.COUNTS.get(count)
    return True if found is None else found.counts_people


def _source(count: str) -> str | None:
    found = defs.COUNTS.get(count)
    return None if found is None else found.source


def _whole_number(value: float | int | None, what: str) -> int:
    if value is None:
        raise DisclosureError(f"{what} is missing")
    if isinstance(value, float):
        if not value.is_integer():
            raise DisclosureError(f"{what} is {value}, not a whole count")
        value = int(value)
    return int(value)


def _strand(results: Sequence[IndicatorResult]) -> str | None:
    """The one strand every result is cut by; None for a table of areas."""
    names = {tuple(name for name, _ in r.cuts) for r in results}
    several = sorted(n for n in names if len(n) > 1)
    if several:
        raise DisclosureError(
            "disclosure control applies to tables of areas, or of areas by one strand; "
            f"these results are cut by {' and '.join(several[0])} at once"
        )
    if len(names) > 1:
        shown = ", ".join(sorted(n[0] if n else "no cut" for n in names))
        raise DisclosureError(
            f"the results mix cuts ({shown}): a table is of areas, or of areas by one strand "
            "with every row cut by it"
        )
    if not names:
        return None
    (only,) = names
    return only[0] if only else None


def _group(result: IndicatorResult) -> Cuts:
    """The group a result is about; () for every group together (the uncut figure)."""
    if result.cuts and result.cuts[0][1] == ALL_GROUPS:
        return ()
    return result.cuts


def _build(
    results: Sequence[IndicatorResult],
    policy: Policy,
    without_cut: PublishedTable | None = None,
) -> _Problem:
    strand = _strand(results)
    problem = _Problem(policy.threshold, policy.protection_width)
    for r in results:
        indicator = defs.INDICATORS.get(r.indicator)
        if indicator is None:
            raise DisclosureError(f"unknown indicator {r.indicator}")
        group = _group(r)
        where = f"{r.indicator} ({_where((r.family, '', r.area_code, group))})"
        problem.add(
            (r.family, indicator.numerator, r.area_code, group),
            _whole_number(r.numerator, f"the numerator of {where}"),
            hidden=False,
            people=_people(indicator.numerator),
        )
        if indicator.denominator is not None:
            problem.add(
                (r.family, indicator.denominator, r.area_code, group),
                _whole_number(r.denominator, f"the denominator of {where}"),
                hidden=False,
                people=_people(indicator.denominator),
            )

    visible = list(problem.keys)
    areas = list(dict.fromkeys(k[2] for k in visible if k[2] != FORCE_CODE))
    # the groups each relation holds in: the one "group" of a table of areas, or every
    # group of the strand (figures for every group together are related to them below)
    groups = list(dict.fromkeys(k[3] for k in visible if k[3] or strand is None))
    placed = list(enumerate(visible))
    if strand is not None:
        if without_cut is None:
            without_cut = apply(_without_cut(results), policy)
        placed += _margins(problem, visible, strand, _shown(without_cut))
        groups.append(())
        by_place: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i, (family, count, place, group) in enumerate(visible):
            if group:
                by_place[(family, count, place)].append(i)
        for cells in by_place.values():
            problem.breakdown.update(dict.fromkeys(cells, len(problem.breakdowns)))
            problem.breakdowns.append(cells)
            problem.withheld.append(False)

    # A force total is the sum of its areas and of the records no area row counts. That
    # remainder is not published, but an outsider can take it to be zero (the engine's
    # tables add up) or learn it elsewhere, so it counts as known: it gives no cover. It is
    # not itself protected: it belongs to no area, so it points at no one.
    by_series: dict[tuple[str, str, Cuts], list[int]] = defaultdict(list)
    for i, (family, count, area, group) in placed:
        if area != FORCE_CODE and group in groups:
            by_series[(family, count, group)].append(i)
    for (family, count, group), members in by_series.items():
        total = problem.index.get((family, count, FORCE_CODE, group))
        if total is None:
            continue
        rest = problem.values[total] - sum(problem.values[i] for i in members)
        residual = problem.add(
            (family, count, RESIDUAL, group), rest, hidden=True, people=False, known=True
        )
        problem.relate(
            [(total, 1), *((i, -1) for i in members), (residual, -1)],
            f"{_in_group(family, group)}: {count} of the areas + not attributed = the force total",
        )
    for family, count, group in {(f, c, g) for _, (f, c, _, g) in placed if g in groups}:
        total = problem.index.get((family, count, FORCE_CODE, group))
        if total is not None and (family, count, group) not in by_series:
            # a force figure with no area figures: everything is "not attributed"
            residual = problem.add(
                (family, count, RESIDUAL, group),
                problem.values[total],
                hidden=True,
                people=False,
                known=True,
            )
            problem.relate(
                [(total, 1), (residual, -1)],
                f"{_in_group(family, group)}: {count} not attributed = force total",
            )

    # Relations among counts hold in every area, at force level and for the records no
    # area counts (whose derived figures, like the remainders, are not protected), in
    # every group of a strand and for every group together.
    places = [*areas, RESIDUAL, FORCE_CODE]
    counts = list(dict.fromkeys(k[1] for k in visible))
    # The sexual family is serious sexual + other sexual for records (not for people).
    for whole, parts in FAMILY_PARTITIONS:
        for count in counts:
            if _source(count) not in ADDITIVE_SOURCES:
                continue
            for group, place in itertools.product(groups, places):
                _partition(
                    problem,
                    (whole, count, place, group),
                    [(p, count, place, group) for p in parts],
                    people=_people(count) and place != RESIDUAL,
                )
    families = list(dict.fromkeys(k[0] for k in problem.keys))  # "other sexual" too
    for family in families:
        for group, place in itertools.product(groups, places):
            _count_relations(problem, family, group, place)
    return problem


def _count_relations(problem: _Problem, family: str, group: Cuts, place: str) -> None:
    """The relations among the counts of a family in one place (and group)."""
    people_here = place != RESIDUAL
    for whole, parts in PARTITIONS:
        _partition(
            problem,
            (family, whole, place, group),
            [(family, p, place, group) for p in parts],
            people=_people(whole) and people_here,
        )
    for whole, part in sorted(SUBSETS):
        _complement(problem, (family, whole, place, group), (family, part, place, group))
    if people_here:
        for crimes, people in CRIMES_AGAINST_PEOPLE:
            _further(problem, (family, crimes, place, group), (family, people, place, group))
    # parts of a partition are disjoint: without their whole, they still fit
    # together inside anything that contains it (cautions + other SDs ≤ offences)
    for whole, parts in PARTITIONS:
        present = [
            (family, p, place, group) for p in parts if (family, p, place, group) in problem.index
        ]
        if (family, whole, place, group) in problem.index or len(present) < 2:
            continue
        for outer, inner in sorted(SUBSETS):
            if inner == whole and (family, outer, place, group) in problem.index:
                _disjoint(problem, (family, outer, place, group), present)


def _without_cut(results: Sequence[IndicatorResult]) -> list[IndicatorResult]:
    """The table of areas a table by strand adds up to: each figure summed over the groups."""
    sums: dict[tuple[str, str, str, str], tuple[int, int]] = {}
    for r in results:
        if _group(r):
            key = (r.area_code, r.area_name, r.family, r.indicator)
            where = f"{r.indicator} ({_where((r.family, '', r.area_code, r.cuts))})"
            n, d = sums.get(key, (0, 0))
            n += _whole_number(r.numerator, f"the numerator of {where}")
            if r.denominator is not None:
                d += _whole_number(r.denominator, f"the denominator of {where}")
            sums[key] = (n, d)
    out = []
    for (code, name, family, indicator), (n, d) in sums.items():
        rate = defs.INDICATORS[indicator].denominator is not None
        out.append(IndicatorResult(code, name, family, indicator, n, d if rate else None, rate))
    return out


def _shown(table: PublishedTable) -> dict[Key, bool]:
    """Each count a published table uses: shown (in any cell) or withheld (in every one)."""
    shown: dict[Key, bool] = {}
    for cell in table.cells:
        indicator = defs.INDICATORS[cell.indicator]
        parts = [(indicator.numerator, cell.numerator)]
        if indicator.denominator is not None:
            parts.append((indicator.denominator, cell.denominator))
        group = () if cell.cuts and cell.cuts[0][1] == ALL_GROUPS else cell.cuts
        for count, value in parts:
            key = (cell.family, count, cell.area_code, group)
            shown[key] = shown.get(key, False) or value is not None
    return shown


def _margins(
    problem: _Problem, visible: list[Key], strand: str, shown: dict[Key, bool]
) -> list[tuple[int, Key]]:
    """Relate each figure for every group together (the *margin*) to its groups; return
    the margins added.

    The groups of a strand add up to the figure without the cut, which the table of areas
    publishes (``shown``: by default the table this policy makes from the same figures).
    What that table shows is known to an outsider and gives no cover; what it withholds
    is an unknown of at least 1 (a ``[c]`` is never 0), protected like a cell when small:
    the table by strand must not give back what the table of areas withholds. A group
    missing from a place is a group with no records there (the engine returns only the
    groups it saw): 0, shown by its absence; the margin is the sum of the groups given.
    """
    members: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, (family, count, place, group) in enumerate(visible):
        if group:
            members[(family, count, place)].append(i)
    added = []
    for (family, count, place), cells in members.items():
        key = (family, count, place, ())
        value = sum(problem.values[i] for i in cells)
        given = problem.index.get(key)
        if given is not None and problem.values[given] != value:
            raise DisclosureError(
                f"{count} for {_where(key)} is {problem.values[given]} for every {strand} "
                f"group together, but its groups add up to {value}"
            )
        known = shown.get(key, False)
        whole = problem.add(key, value, hidden=True, people=_people(count), known=known)
        if given is None:
            added.append((whole, key))
            if not known and value > 0:
                problem.lower[whole] = 1.0
        problem.relate(
            [(whole, 1), *((i, -1) for i in cells)],
            f"{_where(key)}: {count} of every {strand} group = {count} without the cut",
        )
    return added


def _partition(problem: _Problem, whole: Key, parts: list[Key], *, people: bool) -> None:
    """Relate a whole to the parts it is the exact sum of.

    Parts not present become one hidden remainder (the part itself when only one is
    missing); a whole not present becomes a hidden sum when every part is present.
    """
    present = [p for p in parts if p in problem.index]
    if whole not in problem.index:
        if present and len(present) == len(parts):
            value = sum(problem.values[problem.index[p]] for p in present)
            i = problem.add(whole, value, hidden=True, people=people)
            problem.relate(
                [(i, 1), *((problem.index[p], -1) for p in present)], _sum_label(whole, parts)
            )
        return
    if not present:
        return
    total = problem.index[whole]
    terms = [(total, 1), *((problem.index[p], -1) for p in present)]
    missing = [p for p in parts if p not in problem.index]
    if missing:
        value = problem.values[total] - sum(problem.values[problem.index[p]] for p in present)
        if len(missing) == 1:
            key = missing[0]
        else:
            key = (whole[0], " + ".join(p[1] for p in missing), whole[2], whole[3])
        terms.append((problem.add(key, value, hidden=True, people=people), -1))
    problem.relate(terms, _sum_label(whole, parts))


def _disjoint(problem: _Problem, outer: Key, parts: list[Key]) -> None:
    """The records of ``outer`` in none of the disjoint ``parts``: a hidden count."""
    value = problem.values[problem.index[outer]] - sum(
        problem.values[problem.index[p]] for p in parts
    )
    key = (outer[0], f"{outer[1]} not {' or '.join(p[1] for p in parts)}", outer[2], outer[3])
    rest = problem.add(
        key,
        value,
        hidden=True,
        people=_people(outer[1]) and outer[2] != RESIDUAL,
    )
    problem.relate(
        [(problem.index[outer], 1), *((problem.index[p], -1) for p in parts), (rest, -1)],
        f"{_where(outer)}: {outer[1]} = {' + '.join(p[1] for p in parts)} + the rest",
    )


def _complement(problem: _Problem, whole: Key, part: Key) -> None:
    """The records of ``whole`` not in ``part``: a hidden count of people or crimes."""
    if whole not in problem.index or part not in problem.index:
        return
    total, inner = problem.index[whole], problem.index[part]
    key = (whole[0], f"{whole[1]} not {part[1]}", whole[2], whole[3])
    rest = problem.add(
        key,
        problem.values[total] - problem.values[inner],
        hidden=True,
        people=(_people(whole[1]) or _people(part[1])) and whole[2] != RESIDUAL,
    )
    problem.relate(
        [(total, 1), (inner, -1), (rest, -1)],
        f"{_where(whole)}: {part[1]} are some of the {whole[1]}",
    )


def _further(problem: _Problem, crimes: Key, people: Key) -> None:
    """Crimes minus the people they concern: the further crimes against the same people."""
    if crimes not in problem.index or people not in problem.index:
        return
    total, persons = problem.index[crimes], problem.index[people]
    key = (crimes[0], f"{crimes[1]} beyond one per person in {people[1]}", crimes[2], crimes[3])
    rest = problem.add(
        key,
        problem.values[total] - problem.values[persons],
        hidden=True,
        people=crimes[2] != RESIDUAL,
    )
    problem.relate(
        [(total, 1), (persons, -1), (rest, -1)],
        f"{_where(crimes)}: {crimes[1]} − {people[1]} = further crimes against the same people",
    )


def _where(key: Key) -> str:
    family, _, place, group = key
    where = {FORCE_CODE: "force", RESIDUAL: "not attributed"}.get(place, place)
    return _in_group(f"{family}, {where}", group)


def _in_group(text: str, group: Cuts) -> str:
    return text + "".join(f", {strand} {value}" for strand, value in group)


def _sum_label(whole: Key, parts: Sequence[Key]) -> str:
    return f"{_where(whole)}: {whole[1]} = {' + '.join(p[1] for p in parts)}"


# --- auditing what an outsider can work out -------------------------------------------------

_TOLERANCE = 1e-9
# Above this many unknowns in a component's core, the linear algebra (a dense singular value
# decomposition, cubic in the size) costs more than the linear programmes that find the same
# fixed figures (their minimum equals their maximum): a table by strand, where withheld
# cells of every group and area hang together, is left to them.
_DENSE_LIMIT = 400
_ROUNDS = 24  # at most, of combined objectives before each figure's own (see _narrow)


@dataclass(frozen=True)
class _Exposure:
    """What an outsider gets for one sensitive figure: a range, from these relations."""

    relations: set[int]
    low: int
    high: int


def _components(problem: _Problem) -> list[tuple[list[int], list[int]]]:
    """Groups of unknown cells tied together by relations, with the relations that tie them."""
    parent = list(range(len(problem.keys)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in problem.rows:
        unknown = [i for i, _ in row if problem.unknown(i)]
        for i in unknown[1:]:
            a, b = find(unknown[0]), find(i)
            if a != b:
                parent[b] = a
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(problem.keys)):
        if problem.unknown(i):
            members[find(i)].append(i)
    groups = []
    for cells in members.values():
        rows = sorted({r for i in cells for r in problem.rows_of[i]})
        if rows:
            groups.append((cells, rows))
    return groups


def _determined(
    problem: _Problem, cells: list[int], rows: list[int], targets: set[int]
) -> dict[int, _Exposure]:
    """Sensitive unknown cells the relations fix exactly, each with the relations used.

    The system is first reduced: a relation with one unknown left fixes it (and so on); a
    cell in only one relation left is free to absorb it, so that relation says nothing
    about the others and is set aside (the cell is fixed only if the rest of its relation
    is). What remains is solved by linear algebra: a combination of unknowns is fixed when
    its vector lies in the row space of the remaining relations (its projection onto that
    space keeps its length), and the relations that fix it solve ``Aᵀy = v``.
    """
    pending = set(cells)
    members = {r: {i for i, _ in problem.rows[r] if i in pending} for r in rows}
    rows_in = {i: {r for r in problem.rows_of[i] if r in members} for i in cells}
    live = set(rows)
    fixed: dict[int, set[int]] = {}  # cell -> relations that fix it
    set_aside: list[tuple[int, int]] = []  # (cell, the one relation it was in)
    changed = True
    while changed:
        changed = False
        for r in sorted(live):
            if r in live and len(members[r]) == 1:
                (i,) = members[r]
                fixed[i] = {r}.union(*(fixed.get(j, set()) for j, _ in problem.rows[r]))
                pending.discard(i)
                for q in rows_in[i]:
                    members[q].discard(i)
                    if not members[q]:
                        live.discard(q)
                rows_in[i] = set()
                changed = True
        for i in sorted(pending):
            if len(rows_in[i]) == 1:
                (r,) = rows_in[i]
                set_aside.append((i, r))
                pending.discard(i)
                live.discard(r)
                for j in members[r]:
                    rows_in[j].discard(r)
                changed = True

    core = sorted(i for i in pending if rows_in[i])
    column = {i: k for k, i in enumerate(core)}
    core_rows = sorted(r for r in live if members[r])
    dense = len(core) <= _DENSE_LIMIT
    matrix = np.zeros((len(core_rows), len(core)) if dense else (0, 0))
    for k, r in enumerate(core_rows if dense else ()):
        for i, coefficient in problem.rows[r]:
            if i in column:
                matrix[k, column[i]] = coefficient
    if core and dense:
        _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
        top = max(singular[0], 1.0) if len(singular) else 1.0
        basis = vt[: int(np.sum(singular > _TOLERANCE * max(matrix.shape) * top))]
    else:
        basis = np.zeros((0, 0))

    # Every unknown as a combination of core cells (None: it involves a free cell).
    combination: dict[int, dict[int, float] | None] = {i: {} for i in fixed}
    combination.update({i: {i: 1.0} for i in core})
    chain: dict[int, set[int]] = {i: set() for i in combination}
    for i, r in reversed(set_aside):
        terms = dict(problem.rows[r])
        total: dict[int, float] | None = {}
        chain[i] = {r}
        for j, coefficient in terms.items():
            if j == i or not problem.unknown(j):
                continue
            part = combination.get(j)
            if part is None:
                total = None
                break
            chain[i] |= chain.get(j, set())
            for k, weight in part.items():
                total[k] = total.get(k, 0.0) - coefficient / terms[i] * weight
        combination[i] = total

    exposed: dict[int, _Exposure] = {}
    for i in sorted(targets):
        value = problem.values[i]
        if i in fixed:
            exposed[i] = _Exposure(fixed[i], value, value)
            continue
        part = combination.get(i)
        if part is None:
            continue
        vector = np.zeros(len(core))
        for k, weight in part.items():
            vector[column[k]] = weight
        norm = float(vector @ vector)
        if norm > 0 and not dense:
            continue  # left to the linear programmes (_narrow), which find it fixed too
        if norm > 0 and norm - float(np.sum((basis @ vector) ** 2)) > 1e-7 * norm:
            continue
        relations = set(chain.get(i, set()))
        if norm > 0:
            y = np.linalg.lstsq(matrix.T, vector, rcond=None)[0]
            relations |= {core_rows[k] for k in np.flatnonzero(np.abs(y) > 1e-7)}
        for r in list(relations):
            for j, _ in problem.rows[r]:
                relations |= fixed.get(j, set())
        exposed[i] = _Exposure(relations, value, value)
    return exposed


def _narrow(
    problem: _Problem, cells: list[int], rows: list[int], targets: list[int]
) -> dict[int, _Exposure]:
    """Sensitive cells an outsider can narrow to fewer whole numbers than the protection
    width allows, using bounds, each with the relations that narrow it and the range.

    The outsider's knowledge is a polytope: the relations, counts never negative and a
    ``[c]`` never zero. A target is safe when two points of it differ by at least the
    protection width in that target (counting whole numbers between them: an outsider knows
    counts are whole). The true figures are one point; a few linear programmes with combined
    objectives find others that clear most targets at once; the rest get their own minimum
    and maximum, whose binding relations (non-zero duals) are the ones that narrow it.
    """
    column = {i: j for j, i in enumerate(cells)}
    entries: list[tuple[int, int, float]] = []
    b_eq = np.zeros(len(rows))
    for k, r in enumerate(rows):
        for i, coefficient in problem.rows[r]:
            if i in column:
                entries.append((k, column[i], coefficient))
            else:
                b_eq[k] -= coefficient * problem.values[i]
    at, to, weight = zip(*entries, strict=True) if entries else ((), (), ())
    a_eq = sparse.csr_array((weight, (at, to)), shape=(len(rows), len(cells)))
    bounds = [(problem.bound(i), None) for i in cells]
    truth = np.array([problem.values[i] for i in cells], dtype=float)
    low = {i: truth[column[i]] for i in targets}
    high = dict(low)

    def solve(objective: np.ndarray) -> tuple[np.ndarray | None, set[int]]:
        result = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if result.status == 3:  # unbounded: what the objective weighs is not pinned
            return None, set()
        if result.status != 0:
            raise DisclosureError(f"could not bound {problem.keys[cells[0]]}: {result.message}")
        duals = result.eqlin.marginals
        return result.x, {rows[k] for k in np.flatnonzero(np.abs(duals) > 1e-9)}

    def wide(i: int) -> bool:
        return math.floor(high[i] + 1e-6) - math.ceil(low[i] - 1e-6) >= problem.width

    def absorb(point: np.ndarray) -> None:
        """Every point found widens what is known of every target, not just its own."""
        for j in targets:
            value = point[column[j]]
            low[j] = min(low[j], value)
            high[j] = max(high[j], value)

    rng = np.random.default_rng(len(cells))
    signs = [-1.0, 1.0, -1.0, 1.0]
    for round_ in range(_ROUNDS):
        pending = [i for i in targets if not wide(i)]
        if not pending:
            break
        objective = np.zeros(len(cells))
        # all down, all up; then (many targets, as in a table by strand) mixed directions,
        # while that keeps clearing targets: each point is cheaper than a target's own two
        sign = signs[round_] if round_ < len(signs) else rng.choice([-1.0, 1.0], len(pending))
        objective[[column[i] for i in pending]] = sign * rng.uniform(0.5, 1.5, len(pending))
        point, _ = solve(objective)
        if point is None:
            break
        absorb(point)
        if round_ >= len(signs) and len(pending) - sum(not wide(i) for i in pending) < 2:
            break
    exposed: dict[int, _Exposure] = {}
    for i in targets:
        if wide(i):
            continue
        objective = np.zeros(len(cells))
        objective[column[i]] = 1.0
        binding: set[int] = set()
        # small counts sit near their lower bound: try the maximum first, and stop as soon
        # as the range is wide enough
        for sign in (-1.0, 1.0):
            point, relations = solve(sign * objective)
            if point is None:
                low[i], high[i] = -math.inf, math.inf
                break
            absorb(point)
            binding |= relations
            if wide(i):
                break
        if math.isinf(high[i] - low[i]) or wide(i):
            continue
        exposed[i] = _Exposure(
            binding or set(problem.rows_of[i]),
            math.ceil(low[i] - 1e-6),
            math.floor(high[i] + 1e-6),
        )
    return exposed


def _candidate(problem: _Problem, exposed: int, relations: set[int]) -> int | None:
    """The cell to hide to protect ``exposed``.

    In the relations that expose it, those closest to giving it away (fewest unknowns)
    first: the smallest non-zero published cell below force level; failing that, the
    force-level cell (e.g. a force total of 4 in a table of zeros and four ``[c]``). Then
    the same in relations further out.
    """

    def tier(i: int) -> int | None:
        if problem.unknown(i) or problem.hidden[i] or problem.values[i] <= 0:
            return None  # zero stays zero
        return 1 if problem.force[i] else 0

    def pick(rows: Iterable[int], wanted: int) -> int | None:
        options = {i for r in rows for i, _ in problem.rows[r] if tier(i) == wanted}
        if not options:
            return None
        return min(options, key=lambda i: (problem.values[i], problem.keys[i]))

    def unknowns(r: int) -> int:
        return sum(1 for i, _ in problem.rows[r] if problem.unknown(i))

    groups = [list(g) for _, g in itertools.groupby(sorted(relations, key=unknowns), key=unknowns)]
    seen_rows = set(relations)
    frontier = {i for r in relations for i, _ in problem.rows[r] if problem.unknown(i)}
    seen_cells = set(frontier)
    rings = [groups]
    while frontier:
        ring = sorted({r for i in frontier for r in problem.rows_of[i]} - seen_rows)
        if not ring:
            break
        rings.append([ring])
        seen_rows.update(ring)
        frontier = {i for r in ring for i, _ in problem.rows[r] if problem.unknown(i)} - seen_cells
        seen_cells |= frontier
    for ring_groups in rings:
        for wanted in (0, 1):
            for group in ring_groups:
                choice = pick(group, wanted)
                if choice is not None:
                    return choice
    return None


def _exposures(problem: _Problem, safe: set[int] | None = None) -> dict[int, _Exposure]:
    """Sensitive figures an outsider can work out or narrow, given what is suppressed now.

    ``safe`` holds the sensitive figures already shown to be safe; they are not checked
    again, and those shown safe now are added. That is sound because suppressing a cell
    only ever widens what an outsider must allow for (a known value becomes an unknown at
    least 1), so a figure that was safe stays safe. Without ``safe`` (the audit) every
    figure is checked.
    """
    found: dict[int, _Exposure] = {}
    for cells, rows in _components(problem):
        targets = {i for i in cells if problem.sensitive[i]}
        if safe is not None:
            targets -= safe
        if not targets:
            continue
        exposed = _determined(problem, cells, rows, targets)
        rest = sorted(targets - exposed.keys())
        if rest:
            exposed.update(_narrow(problem, cells, rows, rest))
        found.update(exposed)
        if safe is not None:
            safe.update(targets - exposed.keys())
    return found


def _withhold(problem: _Problem, *, complete: bool) -> None:
    """Mark the breakdowns of a table by strand that are withheld entirely.

    Zero stays zero, and a ``[c]`` is never 0 — except in a breakdown (one count at one
    place, by group) whose every non-zero group is withheld: its zeros are withheld too
    (``complete``, when publishing), so an outsider cannot tell which groups have none, and
    a ``[c]`` there is only known to be at least 0. Without that, the groups shown 0 and
    the ``[c]`` (each at least 1) can pin a small total: "3 cautions, in 3 groups, so 1
    each"; or 7 disabled victims in London, the only group with any.
    """
    for b, cells in enumerate(problem.breakdowns):
        if problem.withheld[b]:
            continue
        hidden = [problem.suppressed[i] for i in cells]
        if (
            complete
            and any(hidden)
            and all(h or problem.values[i] == 0 for i, h in zip(cells, hidden, strict=True))
        ):
            for i in cells:
                problem.suppressed[i] = True
        problem.withheld[b] = all(problem.suppressed[i] for i in cells)


def _protect(problem: _Problem) -> None:
    for i in range(len(problem.keys)):
        if problem.sensitive[i] and not problem.hidden[i]:
            problem.suppressed[i] = True
    _withhold(problem, complete=True)
    safe: set[int] = set()  # sensitive figures already shown to be safe
    while True:
        exposures = _exposures(problem, safe)
        if not exposures:
            return
        touched: set[int] = set()
        for exposed in sorted(exposures):
            relations = exposures[exposed].relations
            if touched & relations:
                continue  # a cell suppressed in this round may already protect it
            choice = _candidate(problem, exposed, relations)
            if choice is None:
                found = exposures[exposed]
                raise DisclosureError(
                    f"cannot protect {problem.keys[exposed][1]} ({_where(problem.keys[exposed])}):"
                    f" it can be narrowed to {found.low}..{found.high} and no published cell "
                    "left in the relations that narrow it can be withheld (zero stays zero); "
                    "leave the figure out of the table"
                )
            problem.suppressed[choice] = True
            touched.update(problem.rows_of[choice])
        _withhold(problem, complete=True)


# --- publishing ------------------------------------------------------------------------------


def _published_counts(problem: _Problem, policy: Policy) -> dict[Key, int | None]:
    """Every visible cell's published value (None when suppressed).

    With rounding, a force total is recomputed: the sum of its published (rounded) area
    cells plus the rounded remainder (suppressed areas and records not attributed).
    """
    out: dict[Key, int | None] = {}
    series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, key in enumerate(problem.keys):
        if problem.hidden[i] or problem.force[i]:
            continue
        out[key] = None if problem.suppressed[i] else policy.round_count(problem.values[i])
        series[(key[0], key[1], key[3])].append(i)
    for i, key in enumerate(problem.keys):
        if problem.hidden[i] or not problem.force[i]:
            continue
        if problem.suppressed[i]:
            out[key] = None
        elif not policy.rounding:
            out[key] = problem.values[i]
        else:
            shown = [j for j in series[(key[0], key[1], key[3])] if not problem.suppressed[j]]
            remainder = problem.values[i] - sum(problem.values[j] for j in shown)
            out[key] = sum(out[problem.keys[j]] or 0 for j in shown) + policy.round_count(remainder)
    return out


def apply(
    results: Sequence[IndicatorResult],
    policy: Policy | None = None,
    *,
    without_cut: PublishedTable | None = None,
) -> PublishedTable:
    """Publish a table of areas (each family and indicator, with a force-wide row), or of
    areas by one strand.

    ``results`` are exact figures, e.g. from ``IndicatorQuery(..., by=("area",))``. Every
    family and indicator that will be published anywhere alongside these figures must be
    passed together, because a suppressed cell in one can be recovered from another.

    A table by strand (an equality table) has every result cut by the same one strand,
    e.g. ``IndicatorQuery(..., by=("area", "victim_ethnicity"))``, with a force row per
    group (the sum of the areas and the records not attributed to one). Its figures for
    every group together are taken as published (by the table of areas), see
    :func:`_margins`; a group's figures at force level are protected like an area's.
    ``without_cut`` is the table of areas published beside it, when it is not the one this
    policy makes from the same figures (other families or indicators controlled with it).
    """
    policy = policy or Policy()
    _current_rules(policy)
    problem = _build(results, policy, without_cut)
    _protect(problem)
    counts = _published_counts(problem, policy)
    cells = []
    for r in results:
        indicator = defs.INDICATORS[r.indicator]
        group = _group(r)
        numerator = counts[(r.family, indicator.numerator, r.area_code, group)]
        denominator = (
            counts[(r.family, indicator.denominator, r.area_code, group)]
            if indicator.denominator is not None
            else None
        )
        suppressed = numerator is None or (
            indicator.denominator is not None and denominator is None
        )
        cells.append(
            PublishedCell(
                family=r.family,
                indicator=r.indicator,
                area_code=r.area_code,
                area_name=r.area_name,
                is_rate=indicator.denominator is not None,
                numerator=numerator,
                denominator=denominator,
                suppressed=suppressed,
                force_level=r.area_code == FORCE_CODE,
                cuts=r.cuts,
            )
        )
    return PublishedTable(policy, tuple(cells))


def _current_rules(policy: Policy) -> None:
    if policy.rules_revision != RULES_REVISION:
        raise DisclosureError(
            f"{policy.name} was made under rules revision {policy.rules_revision}; only "
            f"revision {RULES_REVISION} is applied now: add a policy version under it"
        )


# --- the audit of a finished table --------------------------------------------------------------


@dataclass(frozen=True)
class Disclosure:
    """A figure a finished table gives away: the range an outsider can narrow it to and
    the relations that narrow it."""

    family: str
    figure: str  # a count id, or a figure derived from counts, in words
    area_code: str
    low: int
    high: int
    relations: tuple[str, ...]
    cuts: tuple[tuple[str, str], ...] = ()  # its group in a table by strand; () uncut

    def describe(self) -> str:
        found = f"exactly {self.low}" if self.low == self.high else f"{self.low} to {self.high}"
        how = "; ".join(self.relations) if self.relations else "it is published as it is"
        group = "".join(f", {strand} {value}" for strand, value in self.cuts)
        return (
            f"{self.figure} ({self.family}, area {self.area_code}{group}) can be narrowed to "
            f"{found} from: {how}"
        )


def audit(
    results: Sequence[IndicatorResult],
    table: PublishedTable,
    *,
    without_cut: PublishedTable | None = None,
) -> list[Disclosure]:
    """Every small figure that ``table`` gives away, checked from scratch.

    ``results`` are the exact figures the table was made from. A count is taken as known
    when any cell shows it, unknown when every cell that uses it hides it; the exact
    figures stand in for rounded ones (the worst case). A count of 1 up to the threshold
    below force level is given away when it is shown, or when the relations narrow it to
    fewer than the protection width allows. An empty list is a table safe to publish.

    For a table by strand, each finding names its group (``Disclosure.cuts``; ``()`` for a
    figure without the cut), and ``without_cut`` is the table of areas published beside it
    (by default the one the policy makes from the same figures), as for :func:`apply`.
    """
    policy = table.policy
    problem = _build(results, policy, without_cut)
    found = []
    for key, visible in _shown(table).items():
        i = problem.index.get(key)
        if i is None:
            raise DisclosureError(
                f"the table shows {key[1]} for {_where(key)}, which the results do not give"
            )
        problem.suppressed[i] = not visible
        if visible and problem.sensitive[i]:
            value = problem.values[i]
            found.append(Disclosure(key[0], key[1], key[2], value, value, (), key[3]))
    _withhold(problem, complete=False)
    for i, exposure in sorted(_exposures(problem).items()):
        family, figure, area, group = problem.keys[i]
        labels = tuple(dict.fromkeys(problem.labels[r] for r in sorted(exposure.relations)))
        found.append(Disclosure(family, figure, area, exposure.low, exposure.high, labels, group))
    return found

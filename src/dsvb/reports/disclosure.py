"""Disclosure control: the one policy every published output goes through.

``DOMAIN.md`` ("Disclosure control") and ``docs/decisions/0007-disclosure-control.md`` give
the rules; in short, for a table of areas with a force-wide row:

1. **Primary suppression.** Below force level, a count of people or their crimes that is
   between 1 and the threshold (default 7) is suppressed and shown ``[c]``. Zero stays zero.
2. **Secondary suppression.** No suppressed figure may be worked out from what is published.
   The policy writes down every relation an outsider could use — a force total is the sum
   of its areas (plus records not attributed to an area); a part never exceeds its whole
   (sanction detections of offences, cautions of sanction detections, repeat victims of
   victims, …), and the difference is itself a count of people or crimes; sanction
   detections are charges + cautions + other; the sexual family is serious sexual + other
   sexual — and treats the published cells as known and the rest as unknown. The records
   in a force total that no area counts are taken as known too (an outsider may assume the
   table adds up), so they give no cover. A sensitive figure (1..the threshold, in an area:
   a cell, a difference between a whole and its part, the other sexual offences) must not
   be determined by those relations, exactly
   (linear algebra) or to a single whole number (the bounds an outsider gets from counts
   never being negative and a ``[c]`` never being zero, solved as linear programmes).
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

Internal views for authorised users show exact figures; only published outputs go through
:func:`apply`. The policy's name and version are printed on every published output.
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
from dsvb.indicators.results import FORCE_CODE, IndicatorResult

__all__ = [
    "DEFAULT_THRESHOLD",
    "NOT_APPLICABLE",
    "POLICY_ID",
    "ROUNDING_BASE",
    "SUPPRESSED",
    "DisclosureError",
    "Policy",
    "PublishedCell",
    "PublishedTable",
    "apply",
]

POLICY_ID = "dsvb-sdc"
DEFAULT_THRESHOLD = 7
ROUNDING_BASE = 5
SUPPRESSED = "[c]"  # GSS shorthand: confidential
NOT_APPLICABLE = "[z]"  # GSS shorthand: not applicable (a count's denominator, a 0 denominator)
RESIDUAL = "~not-attributed"  # the records in a force total that no area row counts


class DisclosureError(ValueError):
    """The results cannot be published safely (or are not a table this policy understands)."""


@dataclass(frozen=True)
class Policy:
    """The disclosure-control settings; the version names the exact settings used."""

    version: int = 1
    threshold: int = DEFAULT_THRESHOLD
    rounding: bool = False
    id: str = POLICY_ID

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError("the suppression threshold must be at least 1")
        if self.version < 1:
            raise ValueError("policy versions start at 1")

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
        return (
            f"counts of 1–{self.threshold} below force level suppressed ({SUPPRESSED}); "
            "zero stays zero; secondary suppression so that no suppressed count can be "
            "worked out from totals, related counts or rates; rates with a suppressed part "
            f"suppressed; {rounding}"
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
        return {"version": self.version, "threshold": self.threshold, "rounding": self.rounding}


# --- what relates to what -----------------------------------------------------------------

# (whole, part): every record the part counts is also counted by the whole, in the same
# family, area and period. The difference whole − part is then a count of people or crimes.
_DIRECT_SUBSETS: tuple[tuple[str, str], ...] = (
    ("incidents", "incidents_with_arrest"),
    ("incidents", "incidents_suspect_present"),
    ("incidents_suspect_present", "arrests_suspect_present"),
    ("incidents_with_arrest", "arrests_suspect_present"),
    ("incidents", "incidents_compliant"),
    ("incidents", "front_counter_incidents"),
    ("incidents", "havens_referrals"),
    ("offences", "sanction_detections"),
    ("sanction_detections", "charges"),
    ("sanction_detections", "cautions"),
    ("sanction_detections", "other_sds"),
    ("charges", "withdrawn_after_charge"),
    ("offences", "offences_with_arrest"),
    ("offences", "risk_forms"),
    ("risk_forms", "offences_risk_form_completed"),
    ("risk_forms", "risk_forms_supervised"),
    ("offences", "unsupported_prosecutions"),
    ("offences", "hbv_fm_crimes"),
    ("offences", "fgm_crimes"),
    ("offences", "lgbt_flagged"),
    ("offences", "homicides"),
    ("offences", "dv_and_serious_sexual"),
    ("contacts_due", "contacts_on_time"),
    ("victims", "repeat_victims"),
    ("cautioned_offenders", "repeat_caution_offenders"),
)


def _contact_reasons() -> tuple[str, ...]:
    prefix = "contacts_due_"
    return tuple(c[len(prefix) :] for c in defs.COUNTS if c.startswith(prefix))


def _subsets() -> frozenset[tuple[str, str]]:
    """Every (whole, part) pair, closed under transitivity."""
    pairs = set(_DIRECT_SUBSETS)
    for reason in _contact_reasons():
        pairs |= {
            ("contacts_due", f"contacts_due_{reason}"),
            (f"contacts_due_{reason}", f"contacts_on_time_{reason}"),
            ("contacts_on_time", f"contacts_on_time_{reason}"),
        }
    pairs = {(w, p) for w, p in pairs if w in defs.COUNTS and p in defs.COUNTS}
    while True:
        more = {(w, p2) for w, p in pairs for p1, p2 in pairs if p == p1} - pairs
        if not more:
            return frozenset(pairs)
        pairs |= more


def _partitions() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Counts that are exactly the sum of other counts (each record in exactly one part)."""
    reasons = _contact_reasons()
    return (
        ("sanction_detections", ("charges", "cautions", "other_sds")),
        ("contacts_due", tuple(f"contacts_due_{r}" for r in reasons)),
        ("contacts_on_time", tuple(f"contacts_on_time_{r}" for r in reasons)),
    )


SUBSETS = _subsets()
PARTITIONS = _partitions()
# A sexual offence (and an incident or contact about one) is serious or other, never both.
FAMILY_PARTITIONS = (("sexual", ("serious_sexual", "other_sexual")),)
ADDITIVE_SOURCES = frozenset({"incidents", "crimes", "contacts"})


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
    _index: dict[tuple[str, str, str], PublishedCell] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._index.update({(c.family, c.indicator, c.area_code): c for c in self.cells})

    def get(self, family: str, indicator: str, area_code: str) -> PublishedCell | None:
        return self._index.get((family, indicator, area_code))

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

Key = tuple[str, str, str]  # (family, count or derived count, area code)


@dataclass
class _Problem:
    """Cells (published candidates and hidden derived figures) and the relations among them.

    Each relation is a list of (cell, coefficient) summing to zero.
    """

    threshold: int
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
    rows_of: list[list[int]] = field(default_factory=list)

    def add(self, key: Key, value: int, *, hidden: bool, people: bool, known: bool = False) -> int:
        if key in self.index:
            i = self.index[key]
            if self.values[i] != value:
                raise DisclosureError(
                    f"{key[1]} for {key[0]} in {key[2]} is both {self.values[i]} and {value}"
                )
            return i
        area = key[2]
        force = area == FORCE_CODE
        i = len(self.keys)
        self.index[key] = i
        self.keys.append(key)
        self.values.append(value)
        self.hidden.append(hidden)
        self.force.append(force)
        self.sensitive.append(people and not force and 1 <= value <= self.threshold)
        self.assumed.append(hidden and known and not self.sensitive[-1])
        self.suppressed.append(False)
        # What an outsider knows of an unseen figure: counts are never negative (a
        # residual of inconsistent source data may be), and a [c] is never zero.
        self.lower.append(0.0 if value >= 0 else None)
        self.rows_of.append([])
        return i

    def relate(self, terms: Sequence[tuple[int, int]]) -> None:
        row = list(terms)
        r = len(self.rows)
        self.rows.append(row)
        for i, _ in row:
            self.rows_of[i].append(r)

    def unknown(self, i: int) -> bool:
        return self.suppressed[i] or (self.hidden[i] and not self.assumed[i])

    def bound(self, i: int) -> float | None:
        if self.suppressed[i] and not self.hidden[i]:
            return 1.0
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


def _build(results: Sequence[IndicatorResult], threshold: int) -> _Problem:
    problem = _Problem(threshold)
    for r in results:
        if r.cuts:
            raise DisclosureError("disclosure control applies to tables of areas (no other cuts)")
        indicator = defs.INDICATORS.get(r.indicator)
        if indicator is None:
            raise DisclosureError(f"unknown indicator {r.indicator}")
        where = f"{r.indicator} ({r.family}, {r.area_code})"
        problem.add(
            (r.family, indicator.numerator, r.area_code),
            _whole_number(r.numerator, f"the numerator of {where}"),
            hidden=False,
            people=_people(indicator.numerator),
        )
        if indicator.denominator is not None:
            problem.add(
                (r.family, indicator.denominator, r.area_code),
                _whole_number(r.denominator, f"the denominator of {where}"),
                hidden=False,
                people=_people(indicator.denominator),
            )

    visible = list(problem.keys)
    areas = list(dict.fromkeys(a for _, _, a in visible if a != FORCE_CODE))

    # A force total is the sum of its areas and of the records no area row counts. That
    # remainder is not published, but an outsider can take it to be zero (the engine's
    # tables add up) or learn it elsewhere, so it counts as known: it gives no cover. It is
    # not itself protected: it belongs to no area, so it points at no one.
    by_series: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (family, count, area) in enumerate(visible):
        if area != FORCE_CODE:
            by_series[(family, count)].append(i)
    for (family, count), members in by_series.items():
        total = problem.index.get((family, count, FORCE_CODE))
        if total is None:
            continue
        rest = problem.values[total] - sum(problem.values[i] for i in members)
        residual = problem.add(
            (family, count, RESIDUAL), rest, hidden=True, people=False, known=True
        )
        problem.relate([(total, 1), *((i, -1) for i in members), (residual, -1)])
    for family, count in {(f, c) for f, c, _ in visible}:
        if (family, count, FORCE_CODE) in problem.index and (family, count) not in by_series:
            # a force figure with no area figures: everything is "not attributed"
            total = problem.index[(family, count, FORCE_CODE)]
            residual = problem.add(
                (family, count, RESIDUAL),
                problem.values[total],
                hidden=True,
                people=False,
                known=True,
            )
            problem.relate([(total, 1), (residual, -1)])

    # Relations among counts hold in every area, at force level and for the records no
    # area counts (whose derived figures, like the remainders, are not protected).
    places = [*areas, RESIDUAL, FORCE_CODE]
    counts = list(dict.fromkeys(c for _, c, _ in visible))

    # The sexual family is serious sexual + other sexual for records (not for people).
    for whole, parts in FAMILY_PARTITIONS:
        for count in counts:
            if _source(count) not in ADDITIVE_SOURCES:
                continue
            for place in places:
                _partition(
                    problem,
                    (whole, count, place),
                    [(p, count, place) for p in parts],
                    people=_people(count) and place != RESIDUAL,
                )

    families = list(dict.fromkeys(f for f, _, _ in problem.keys))
    for family in families:
        for place in places:
            for whole, parts in PARTITIONS:
                _partition(
                    problem,
                    (family, whole, place),
                    [(family, p, place) for p in parts],
                    people=_people(whole) and place != RESIDUAL,
                )
            for whole, part in sorted(SUBSETS):
                _complement(problem, (family, whole, place), (family, part, place))
            # parts of a partition are disjoint: without their whole, they still fit
            # together inside anything that contains it (cautions + other SDs ≤ offences)
            for whole, parts in PARTITIONS:
                present = [(family, p, place) for p in parts if (family, p, place) in problem.index]
                if (family, whole, place) in problem.index or len(present) < 2:
                    continue
                for outer, inner in sorted(SUBSETS):
                    if inner == whole and (family, outer, place) in problem.index:
                        _disjoint(problem, (family, outer, place), present, place)
    return problem


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
            problem.relate([(i, 1), *((problem.index[p], -1) for p in present)])
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
            key = (whole[0], " + ".join(p[1] for p in missing), whole[2])
        terms.append((problem.add(key, value, hidden=True, people=people), -1))
    problem.relate(terms)


def _disjoint(problem: _Problem, outer: Key, parts: list[Key], place: str) -> None:
    """The records of ``outer`` in none of the disjoint ``parts``: a hidden count."""
    value = problem.values[problem.index[outer]] - sum(
        problem.values[problem.index[p]] for p in parts
    )
    key = (outer[0], f"{outer[1]} not {' or '.join(p[1] for p in parts)}", place)
    rest = problem.add(
        key,
        value,
        hidden=True,
        people=_people(outer[1]) and place != RESIDUAL,
    )
    problem.relate(
        [(problem.index[outer], 1), *((problem.index[p], -1) for p in parts), (rest, -1)]
    )


def _complement(problem: _Problem, whole: Key, part: Key) -> None:
    """The records of ``whole`` not in ``part``: a hidden count of people or crimes."""
    if whole not in problem.index or part not in problem.index:
        return
    total, inner = problem.index[whole], problem.index[part]
    key = (whole[0], f"{whole[1]} not {part[1]}", whole[2])
    rest = problem.add(
        key,
        problem.values[total] - problem.values[inner],
        hidden=True,
        people=(_people(whole[1]) or _people(part[1])) and whole[2] != RESIDUAL,
    )
    problem.relate([(total, 1), (inner, -1), (rest, -1)])


# --- auditing what an outsider can work out -------------------------------------------------

_TOLERANCE = 1e-9


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
) -> dict[int, set[int]]:
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
    matrix = np.zeros((len(core_rows), len(core)))
    for k, r in enumerate(core_rows):
        for i, coefficient in problem.rows[r]:
            if i in column:
                matrix[k, column[i]] = coefficient
    if core:
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

    exposed: dict[int, set[int]] = {}
    for i in sorted(targets):
        if i in fixed:
            exposed[i] = fixed[i]
            continue
        part = combination.get(i)
        if part is None:
            continue
        vector = np.zeros(len(core))
        for k, weight in part.items():
            vector[column[k]] = weight
        norm = float(vector @ vector)
        if norm > 0 and norm - float(np.sum((basis @ vector) ** 2)) > 1e-7 * norm:
            continue
        relations = set(chain.get(i, set()))
        if norm > 0:
            y = np.linalg.lstsq(matrix.T, vector, rcond=None)[0]
            relations |= {core_rows[k] for k in np.flatnonzero(np.abs(y) > 1e-7)}
        for r in list(relations):
            for j, _ in problem.rows[r]:
                relations |= fixed.get(j, set())
        exposed[i] = relations
    return exposed


def _narrow(
    problem: _Problem, cells: list[int], rows: list[int], targets: list[int]
) -> dict[int, set[int]]:
    """Sensitive cells an outsider can pin to one whole number using bounds, each with the
    relations that pin it.

    The outsider's knowledge is a polytope: the relations, counts never negative and a
    ``[c]`` never zero. A target is safe when two points of it differ by at least one in
    that target. The true figures are one point; a few linear programmes with combined
    objectives find others that clear most targets at once; the rest get their own minimum
    and maximum, whose binding relations (non-zero duals) are the ones that pin it.
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

    def spread(i: int) -> float:
        return high[i] - low[i]

    rng = np.random.default_rng(len(cells))
    for sign in (1.0, -1.0, 1.0, -1.0):
        pending = [i for i in targets if spread(i) < 1 - 1e-6]
        if not pending:
            break
        objective = np.zeros(len(cells))
        objective[[column[i] for i in pending]] = sign * rng.uniform(0.5, 1.5, len(pending))
        point, _ = solve(objective)
        if point is None:
            break
        for i in pending:
            low[i] = min(low[i], point[column[i]])
            high[i] = max(high[i], point[column[i]])
    exposed: dict[int, set[int]] = {}
    for i in targets:
        if spread(i) >= 1 - 1e-6:
            continue
        objective = np.zeros(len(cells))
        objective[column[i]] = 1.0
        binding: set[int] = set()
        for sign in (1.0, -1.0):
            point, relations = solve(sign * objective)
            if point is None:
                low[i], high[i] = -math.inf, math.inf
                break
            low[i] = min(low[i], point[column[i]])
            high[i] = max(high[i], point[column[i]])
            binding |= relations
        if math.isinf(high[i] - low[i]):
            continue
        if math.floor(high[i] + 1e-6) - math.ceil(low[i] - 1e-6) < 1:
            exposed[i] = binding or set(problem.rows_of[i])
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


def _protect(problem: _Problem) -> None:
    for i in range(len(problem.keys)):
        if problem.sensitive[i] and not problem.hidden[i]:
            problem.suppressed[i] = True
    safe: set[frozenset[int]] = set()  # components already shown to expose nothing
    while True:
        exposures: dict[int, set[int]] = {}
        for cells, rows in _components(problem):
            targets = {i for i in cells if problem.sensitive[i]}
            signature = frozenset(cells)
            if not targets or signature in safe:
                continue
            exposed = _determined(problem, cells, rows, targets)
            if not exposed:
                exposed = _narrow(problem, cells, rows, sorted(targets))
            if exposed:
                exposures.update(exposed)
            else:
                safe.add(signature)
        if not exposures:
            return
        touched: set[int] = set()
        for exposed in sorted(exposures):
            relations = exposures[exposed]
            if touched & relations:
                continue  # a cell suppressed in this round may already protect it
            choice = _candidate(problem, exposed, relations)
            if choice is None:
                raise DisclosureError(f"cannot protect {problem.keys[exposed]}")
            problem.suppressed[choice] = True
            touched.update(problem.rows_of[choice])


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
        series[(key[0], key[1])].append(i)
    for i, key in enumerate(problem.keys):
        if problem.hidden[i] or not problem.force[i]:
            continue
        if problem.suppressed[i]:
            out[key] = None
        elif not policy.rounding:
            out[key] = problem.values[i]
        else:
            shown = [j for j in series[(key[0], key[1])] if not problem.suppressed[j]]
            remainder = problem.values[i] - sum(problem.values[j] for j in shown)
            out[key] = sum(out[problem.keys[j]] or 0 for j in shown) + policy.round_count(remainder)
    return out


def apply(results: Sequence[IndicatorResult], policy: Policy | None = None) -> PublishedTable:
    """Publish a table of areas (each family and indicator, with a force-wide row).

    ``results`` are exact figures, e.g. from ``IndicatorQuery(..., by=("area",))``. Every
    family and indicator that will be published anywhere alongside these figures must be
    passed together, because a suppressed cell in one can be recovered from another.
    """
    policy = policy or Policy()
    problem = _build(results, policy.threshold)
    _protect(problem)
    counts = _published_counts(problem, policy)
    cells = []
    for r in results:
        indicator = defs.INDICATORS[r.indicator]
        numerator = counts[(r.family, indicator.numerator, r.area_code)]
        denominator = (
            counts[(r.family, indicator.denominator, r.area_code)]
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
            )
        )
    return PublishedTable(policy, tuple(cells))

"""Which count is a part of which, which counts sum to which: derived from the declarations.

The relations are declared once, on the counts and families in
:mod:`dsvb.indicators.definitions` (``Count.part_of``, ``Count.parts``, ``Count.people``,
``Family.parts``). Disclosure control (:mod:`dsvb.reports.disclosure`) needs them to know what
an outsider can work out from a published table, and the published-returns reader needs the
numerator and denominator of each rate it reads. Both derive their lists here, so a count
added with its relations is known to both without editing either.

:func:`check` runs when the definitions are imported and refuses, with a message naming the
count, an unknown name, a part whose source is not its whole's, a cycle (a count that would
be part of itself), or a crimes/people pair that is not crimes over people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dsvb.indicators.model import Count, Family, Indicator

__all__ = ["DefinitionError", "Relations", "check", "derive", "rates"]

#: sources whose rows are records (incidents, crimes, contacts) rather than people: a record
#: is in exactly one part of a family split, a person may be in several
RECORD_SOURCES = frozenset({"incidents", "crimes", "contacts"})


class DefinitionError(LookupError):
    """The indicator definitions contradict themselves (raised at import)."""


@dataclass(frozen=True)
class Relations:
    """Every relation among counts and families, in the forms disclosure control uses.

    ``direct_subsets``: (whole, part) as declared (partitions included); ``subsets``: the
    same closed under transitivity; ``partitions``: (whole, parts) where the whole is exactly
    the sum of the parts, in declaration order; ``crimes_against_people``: (records, people);
    ``family_partitions``: (family, its parts); ``additive_sources``: the sources whose
    records add up across a family split.
    """

    direct_subsets: frozenset[tuple[str, str]]
    subsets: frozenset[tuple[str, str]]
    partitions: tuple[tuple[str, tuple[str, ...]], ...]
    crimes_against_people: tuple[tuple[str, str], ...]
    family_partitions: tuple[tuple[str, tuple[str, ...]], ...]
    additive_sources: frozenset[str]


def _direct(counts: Mapping[str, Count]) -> set[tuple[str, str]]:
    pairs = set()
    for c in counts.values():
        pairs |= {(whole, c.id) for whole in c.part_of}
        pairs |= {(c.id, part) for part in c.parts}
    return pairs


def _closure(pairs: Iterable[tuple[str, str]]) -> frozenset[tuple[str, str]]:
    closed = set(pairs)
    while True:
        more = {(w, p2) for w, p in closed for p1, p2 in closed if p == p1} - closed
        if not more:
            return frozenset(closed)
        closed |= more


def check(
    counts: Mapping[str, Count],
    families: Mapping[str, Family],
    indicators: Mapping[str, Indicator] | None = None,
) -> None:
    """Refuse definitions whose relations name unknown counts or contradict themselves."""

    def known(count: Count, other: str, relation: str) -> Count:
        found = counts.get(other)
        if found is None:
            raise DefinitionError(f"count {count.id}: {relation} names unknown count {other}")
        return found

    for key, c in counts.items():
        if key != c.id:
            raise DefinitionError(f"count {c.id} is filed under the id {key}")
        for whole in c.part_of:
            if known(c, whole, "part_of").source != c.source:
                raise DefinitionError(
                    f"count {c.id} (source {c.source}) is declared part of {whole} (source "
                    f"{counts[whole].source}): a part must count rows of its whole's source"
                )
        for part in c.parts:
            if known(c, part, "parts").source != c.source:
                raise DefinitionError(
                    f"count {c.id} (source {c.source}) is declared the sum of {part} (source "
                    f"{counts[part].source}): the parts of a sum must count rows of its source"
                )
        if len(set(c.parts)) != len(c.parts) or len(c.parts) == 1:
            raise DefinitionError(f"count {c.id}: parts must be two or more different counts")
        if c.people is not None:
            people = known(c, c.people, "people")
            if c.source not in RECORD_SOURCES and c.sum_of is None:
                raise DefinitionError(
                    f"count {c.id}: people is for counts of records, not of {c.source}"
                )
            if people.source in RECORD_SOURCES:
                raise DefinitionError(
                    f"count {c.id}: people names {c.people}, a count of {people.source}, "
                    "not of people"
                )
    for whole, part in _closure(_direct(counts)):
        if whole == part:
            raise DefinitionError(f"count {whole} is declared, through its parts, part of itself")
    for f in families.values():
        for part in f.parts:
            if part not in families:
                raise DefinitionError(f"family {f.id}: parts names unknown family {part}")
            if part == f.id:
                raise DefinitionError(f"family {f.id} is declared a part of itself")
    for indicator in (indicators or {}).values():
        for count in (indicator.numerator, indicator.denominator):
            if count is not None and count not in counts:
                raise DefinitionError(f"indicator {indicator.id} uses unknown count {count}")
        for family in indicator.families:
            if family not in families:
                raise DefinitionError(f"indicator {indicator.id} names unknown family {family}")


def derive(counts: Mapping[str, Count], families: Mapping[str, Family]) -> Relations:
    """The relations disclosure control uses, from the declarations (checked first)."""
    check(counts, families)
    direct = frozenset(_direct(counts))
    return Relations(
        direct_subsets=direct,
        subsets=_closure(direct),
        partitions=tuple((c.id, c.parts) for c in counts.values() if c.parts),
        crimes_against_people=tuple(
            (c.id, c.people) for c in counts.values() if c.people is not None
        ),
        family_partitions=tuple((f.id, f.parts) for f in families.values() if f.parts),
        additive_sources=RECORD_SOURCES,
    )


def rates(
    counts: Mapping[str, Count], indicators: Mapping[str, Indicator], ids: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """Rate id -> (numerator, denominator) for the given rate indicators, as the
    published-returns reader names the counts (``Count.measure``)."""
    out = {}
    for rate in ids:
        indicator = indicators.get(rate)
        if indicator is None or indicator.denominator is None:
            raise DefinitionError(f"{rate} is not a rate indicator")
        out[rate] = (counts[indicator.numerator].measure, counts[indicator.denominator].measure)
    return out

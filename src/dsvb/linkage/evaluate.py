"""How good a linkage is, against the truth (the generator's, for synthetic records).

Pairwise measures, the usual ones for entity resolution: every pair of records put under
one person key is a *predicted* link, every pair of records of one true person a *true*
link. Precision is the share of predicted links that are true, recall the share of true
links that were predicted, F1 their harmonic mean. Counted from cluster sizes (no pair is
listed), so a million records evaluate in a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["Evaluation", "evaluate"]

R = TypeVar("R", bound=Hashable)


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


@dataclass(frozen=True)
class Evaluation:
    records: int
    predicted_pairs: int
    true_pairs: int
    true_positives: int

    @property
    def precision(self) -> float:
        """1.0 when nothing was linked (no predicted link is wrong)."""
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        """1.0 when no two records are of one person (no true link was missed)."""
        return self.true_positives / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __str__(self) -> str:
        return (
            f"records {self.records:,}: precision {self.precision:.4f}, recall "
            f"{self.recall:.4f}, F1 {self.f1:.4f} ({self.true_positives:,} of "
            f"{self.predicted_pairs:,} predicted links true; {self.true_pairs:,} true links)"
        )


def evaluate(predicted: Mapping[R, Hashable], truth: Mapping[R, Hashable]) -> Evaluation:
    """Pairwise precision and recall of ``predicted`` (record -> person key) against
    ``truth`` (record -> true person), over the records in ``truth``. A record of the truth
    without a key counts as a person of its own."""
    pred_sizes: Counter[Hashable] = Counter()
    true_sizes: Counter[Hashable] = Counter()
    both: Counter[tuple[Hashable, Hashable]] = Counter()
    for record, person in truth.items():
        key = predicted.get(record)
        key = ("unkeyed", record) if key is None else ("key", key)
        pred_sizes[key] += 1
        true_sizes[person] += 1
        both[(key, person)] += 1
    return Evaluation(
        records=len(truth),
        predicted_pairs=sum(_pairs(n) for n in pred_sizes.values()),
        true_pairs=sum(_pairs(n) for n in true_sizes.values()),
        true_positives=sum(_pairs(n) for n in both.values()),
    )

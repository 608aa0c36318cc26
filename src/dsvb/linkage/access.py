"""Who may see what linkage did, and who may undo a link: the linkage's actions, added to
the one place that decides (:func:`dsvb.access.decide`).

- The summary (how many records, how many people, how many found across sources) holds
  counts only: the board and force analysts (:data:`VIEW_LINKAGE`).
- A person's records and the evidence that linked them show the police extract's
  identifiers (names, date of birth, postcode): force analysts only, who work with the
  police records (:data:`REVIEW_LINKS`), and they split a wrong link (:data:`SPLIT_LINK`).
  Borough users, partner agencies, the secretariat and auditors do not: a person's linked
  records across agencies are exactly what need-to-know keeps apart.
- A partner agency's case record inside a cluster is shown by its agency and id only,
  unless the viewer may see that case itself (:func:`shows_case_identifiers`, asked with
  the case's own decision): a force analyst never sees a case's identifiers through
  linkage (need to know, as in :mod:`dsvb.cases.access`).
"""

from __future__ import annotations

from dsvb.access.model import Decision
from dsvb.access.permissions import by_role, register
from dsvb.access.roles import Role

BOARD = (Role.SECRETARIAT, Role.BOARD_MEMBER)

VIEW_LINKAGE = register(
    "linkage.view",
    "See how many records linkage joined into people (counts only): the board and force analysts",
    by_role((*BOARD, Role.FORCE_ANALYST), "see the linkage summary"),
).name
REVIEW_LINKS = register(
    "linkage.review",
    "See a linked person's records, their identifiers and the match weights that linked "
    "them (force analysts)",
    by_role((Role.FORCE_ANALYST,), "review linked records"),
).name
SPLIT_LINK = register(
    "linkage.split",
    "Split records off a linked person: another person (force analysts; audited)",
    by_role((Role.FORCE_ANALYST,), "split a link"),
).name


def shows_case_identifiers(case_decisions: list[Decision]) -> bool:
    """Whether a case record's identifiers may be shown inside a cluster: only when the
    viewer may see at least one case the person is part of (each asked of the one decide,
    ``case.view``). No case, or none seen: agency and id only."""
    return any(d.allowed for d in case_decisions)

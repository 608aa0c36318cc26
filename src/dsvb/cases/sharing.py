"""Need-to-know sharing between agencies, and emergency ("break glass") access: the checks a
share must pass before it is recorded, and how long an emergency view lasts.

A share names the field groups one agency receives of another's case, and why it is lawful:
the victim's consent (with the day it was recorded) or a legal basis (in words, e.g. "Crime
and Disorder Act 1998 s.115"). A share can only name groups the recipient's kind of agency
needs (:func:`dsvb.cases.fields.needed_groups`): a refuge's address offered to children's
services is refused here, by name, rather than silently dropped later -- the person sharing
learns that the share was wider than the need. Case notes are never shared: each agency's
notes stay its own (decision 0035). :func:`dsvb.cases.fields.visible_groups` still
intersects shares with needs when a case is shown, so a share row written by other means
(an import, a forged row) cannot widen what is seen either.

Break glass needs a reason a reviewer can understand without asking: at least
:data:`MIN_REASON_WORDS` words and :data:`MIN_REASON_CHARS` characters (decision 0038).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.settings import number
from dsvb.cases.states import ShareBasis

#: a break-glass reason must be a sentence a reviewer can judge: "urgent" or "child at risk"
#: says nothing about *why this case, now*; four words and twenty characters is the least
#: that can (e.g. "Victim in A&E tonight, need risk level").
MIN_REASON_WORDS = 4
MIN_REASON_CHARS = 20


class ShareRefused(ValueError):
    """A share, or a break-glass request, that cannot be made; the message says why in words."""


@dataclass(frozen=True)
class ShareRequest:
    """A share that passed every check, ready to be recorded."""

    owner: str
    recipient: str
    recipient_kind: AgencyKind
    groups: frozenset[FieldGroup]
    basis: ShareBasis
    legal_basis: str
    consent_recorded_on: dt.date | None


def check_share(
    *,
    owner: str,
    recipient: str,
    recipient_kind: AgencyKind | str,
    groups: Iterable[FieldGroup | str],
    basis: ShareBasis | str,
    legal_basis: str,
    consent_recorded_on: dt.date | None,
    on: dt.date,
) -> ShareRequest:
    """The share of ``owner``'s case with ``recipient`` if it may be made; else
    :class:`ShareRefused` saying what is wrong."""
    if recipient == owner:
        raise ShareRefused(f"{owner} owns the case: it cannot share it with itself")
    kind = AgencyKind(recipient_kind)
    chosen: set[FieldGroup] = set()
    for g in groups:
        try:
            chosen.add(FieldGroup(g))
        except ValueError:
            raise ShareRefused(f"{g!r} is not a group of a case's fields") from None
    if not chosen:
        raise ShareRefused("choose at least one group of the case's fields to share")
    if FieldGroup.NOTES in chosen:
        raise ShareRefused("case notes are never shared: they stay with the agency that wrote them")
    need = needed_groups(kind)
    beyond = sorted((g for g in chosen if g not in need), key=list(FieldGroup).index)
    if beyond:
        names = ", ".join(g.label.lower() for g in beyond)
        raise ShareRefused(
            f"{recipient} is a {kind.label.lower()} agency, which does not need: {names}"
        )
    try:
        why = ShareBasis(basis)
    except ValueError:
        raise ShareRefused("say whether the share is on consent or a legal basis") from None
    legal_basis = legal_basis.strip()
    if why == ShareBasis.CONSENT:
        if consent_recorded_on is None:
            raise ShareRefused("give the date the victim's consent was recorded")
        if consent_recorded_on > on:
            raise ShareRefused(f"the consent date {consent_recorded_on:%d %B %Y} is in the future")
        legal_basis = ""
    else:
        if not legal_basis:
            raise ShareRefused("say which legal basis allows sharing without consent")
        consent_recorded_on = None
    return ShareRequest(
        owner=owner,
        recipient=recipient,
        recipient_kind=kind,
        groups=frozenset(chosen),
        basis=why,
        legal_basis=legal_basis,
        consent_recorded_on=consent_recorded_on,
    )


def check_reason(reason: str) -> str:
    """The break-glass reason, tidied, if it is a sentence (see :data:`MIN_REASON_WORDS`);
    else :class:`ShareRefused`."""
    text = " ".join(reason.split())
    if not text:
        raise ShareRefused("give the reason you need emergency access to this case")
    if len(text.split(" ")) < MIN_REASON_WORDS or len(text) < MIN_REASON_CHARS:
        raise ShareRefused(
            f"say in a sentence (at least {MIN_REASON_WORDS} words) why you need this case "
            "now: the owning agency reads it"
        )
    return text


def emergency_expiry(opened_at: dt.datetime) -> dt.datetime:
    """When an emergency view opened at ``opened_at`` ends (setting ``break_glass_hours``
    in force that day)."""
    return opened_at + dt.timedelta(hours=number("break_glass_hours", opened_at.date()))

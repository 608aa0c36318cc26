"""Linked people: how much linkage joined, why two records were linked, and splitting a
wrong link (decision 0048).

Who may do what is :mod:`dsvb.linkage.access` (the one decide): the summary for the board
and force analysts; a person's records, identifiers and match weights, and the split, for
force analysts. Refusals are audited by ``policy_required``; every view of a person is one
``page_viewed`` entry naming its key (never an identifier); a lookup that finds nothing is
audited too (:data:`dsvb.web.linkage.audit.LINK_LOOKUP_MISSED`); a split is audited as
requested before the store is written and as done after (:func:`split`).

A partner agency's case record inside a person shows its agency and record id only, unless
the viewer may see one of that person's cases themselves (the cases' own decide, with
emergency grants) -- and then only the field groups that case shows them. A pair with such a
hidden record shows its total weight only: each comparison's level ("postcode: exact") next
to the police record's identifiers would give the case person's away. Looking up a case
record by its agency and id is refused (403, audited) unless the viewer may see one of that
person's cases: else the lookup would tell an analyst who an agency's clients are.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from dsvb.cases import access as case_rules
from dsvb.cases.fields import FieldGroup
from dsvb.linkage import access as rules
from dsvb.linkage import review
from dsvb.linkage.records import EXTRACT, PersonRecord, RecordRef
from dsvb.store import writer
from dsvb.web.accounts import policies
from dsvb.web.accounts.decorators import policy_required
from dsvb.web.accounts.memberships import decide
from dsvb.web.audit.models import Action
from dsvb.web.audit.pageview import audited_view, viewed
from dsvb.web.audit.recorder import record
from dsvb.web.linkage import audit
from dsvb.web.linkage.forms import SplitForm
from dsvb.web.performance import data
from dsvb.web.performance.views import handles_busy_store

logger = logging.getLogger(__name__)


def can_view_linkage(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.VIEW_LINKAGE))


def can_review_links(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.REVIEW_LINKS))


def can_split_links(user: Any) -> bool:
    return policies._answer(user, decide(user, rules.SPLIT_LINK))


linkage_view = policy_required(lambda user, **_: can_view_linkage(user))
linkage_review = policy_required(lambda user, **_: can_review_links(user))
linkage_split = policy_required(lambda user, **_: can_split_links(user))


@dataclass(frozen=True)
class RecordRow:
    """One record as the page shows it: identifiers only where the viewer may see them."""

    ref: RecordRef
    anchor: str
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: Any = None
    postcode: str | None = None
    shown: bool = True  # False: a case record the viewer may not see (agency and id only)
    note: str = ""

    @property
    def is_extract(self) -> bool:
        return self.ref.source == EXTRACT

    @property
    def label(self) -> str:
        where = "Police extract" if self.is_extract else self.ref.source
        return f"{where}, record {self.ref.record_id}"

    def choice_label(self) -> str:
        if not self.shown:
            return f"{self.label} (identifiers not shown)"
        names = " ".join(n for n in (self.given_name, self.family_name) if n)
        born = f", born {self.date_of_birth:%-d %B %Y}" if self.date_of_birth else ""
        return f"{self.label}: {names or 'no name recorded'}{born}"


def _anchor(ref: RecordRef) -> str:
    safe = "".join(c if c.isalnum() else "-" for c in f"{ref.source}-{ref.record_id}")
    return f"record-{safe.lower()}"


def _extract_row(ref: RecordRef, ids: dict[str, PersonRecord]) -> RecordRow:
    found = ids.get(ref.record_id)
    if found is None:
        return RecordRow(ref, _anchor(ref), note="No identifiers held for this record")
    return RecordRow(
        ref, _anchor(ref), found.given_name, found.family_name, found.date_of_birth,
        found.postcode,
    )  # fmt: skip


def _seen_cases(user: Any, ref: RecordRef) -> tuple[Any, list[Any]]:
    """The case person of ``ref`` and those of their cases the viewer may see (the cases'
    own ``case.view``); (None, []) when the record names no case person."""
    from dsvb.web.cases import guards
    from dsvb.web.cases.models import Case, Person

    if ref.source == EXTRACT or not ref.record_id.isdigit():
        return None, []
    person = Person.objects.filter(pk=int(ref.record_id), agency__name=ref.source).first()
    if person is None:
        return None, []
    cases = list(
        Case.objects.filter(Q(victim=person) | Q(parties__person=person))
        .select_related("agency")
        .distinct()
    )
    decisions = [guards.case_decision(user, case_rules.VIEW_CASE, c) for c in cases]
    if not rules.shows_case_identifiers(decisions):
        return person, []
    return person, [c for c, d in zip(cases, decisions, strict=True) if d.allowed]


def _case_row(user: Any, ref: RecordRef) -> RecordRow:
    """A case person's row: identifiers only through a case of theirs the viewer sees."""
    from dsvb.web.cases import guards

    hidden = RecordRow(
        ref,
        _anchor(ref),
        shown=False,
        note=f"Held by {ref.source}: its identifiers are shown only to those who may see the case",
    )
    person, seen = _seen_cases(user, ref)
    if not seen:
        return hidden
    groups = [guards.visibility(user, c) for c in seen]
    if not any(g.shows(FieldGroup.IDENTITY) for g in groups):
        return hidden
    postcode = None
    for case, shown in zip(seen, groups, strict=True):
        if shown.shows(FieldGroup.ADDRESS) and case.victim_id == person.pk:
            home = case.addresses.filter(kind="home", current=True).first()
            postcode = home.postcode if home is not None else None
            break
    return RecordRow(
        ref, _anchor(ref), person.given_name, person.family_name, person.date_of_birth, postcode
    )


def _rows(user: Any, refs: list[RecordRef], ids: dict[str, PersonRecord]) -> dict:
    return {r: (_extract_row(r, ids) if r.source == EXTRACT else _case_row(user, r)) for r in refs}


def _not_found(request: HttpRequest, summary: str, **looked_up: Any) -> Http404:
    """A lookup that found nothing, audited (someone trying keys or record ids leaves a
    trace), as the 404 to raise. Keys and record ids only, as every linkage entry."""
    record(
        request,
        audit.LINK_LOOKUP_MISSED,
        summary,
        object_type="linked_person",
        object_id=str(looked_up.get("person_key", ""))[:120],
        **looked_up,
    )
    return Http404(summary)


def _read_person(
    request: HttpRequest, person_key: str
) -> tuple[review.Cluster, dict[str, PersonRecord], dict]:
    """The person and the extract identifiers of every record on its page (404: none,
    audited)."""
    with data.read_only() as con:
        found = review.cluster(con, person_key) if con is not None else None
        if found is None:
            raise _not_found(request, f"No linked person {person_key}", person_key=person_key)
        refs = {*found.members, *(p.left for p in found.pairs), *(p.right for p in found.pairs)}
        ids = review.extract_identifiers(con, [r.record_id for r in refs if r.source == EXTRACT])
        keys = {r: review.key_of(con, r) for r in refs if r not in found.members}
    return found, ids, keys


#: comparison names a run may give the starting weight (the prior: two records picked at
#: random being the same person); shown first, as a waterfall chart starts from it
PRIOR_NAMES = frozenset({"prior", "probability_two_random_records_match"})
#: how a comparison's name reads on the page (others: "given_name" -> "Given name")
COMPARISON_NAMES = {"dob": "Date of birth", "date_of_birth": "Date of birth"}
PRIOR_ROW = "Prior: before any comparison"


def _comparison_name(name: str) -> str:
    return COMPARISON_NAMES.get(name, name.replace("_", " ").capitalize())


def _level(level: str) -> str:
    """A level's label in words ("jw>=0.92" -> "Jaro-Winkler similarity ≥ 0.92")."""
    text = str(level or "").strip()
    if text.startswith("jw>="):
        return f"Jaro-Winkler similarity ≥ {text[4:]}"
    return text or "—"


def _waterfall(pair: review.PairEvidence) -> list[dict[str, Any]]:
    """Each comparison with the weight it adds and the running total, the prior first and
    the pair's match weight last: a table a reader follows as a waterfall chart. A part the
    run did not itemise (the prior, if it kept none) is shown as its own row, so the total
    is always the pair's match weight (a run that keeps no prior row: the prior, with the
    rounding of the parts)."""
    steps = sorted(pair.comparisons, key=lambda s: s.comparison.lower() not in PRIOR_NAMES)
    parts = [(_comparison_name(s.comparison), _level(s.level), s.match_weight) for s in steps]
    rest = pair.match_weight - sum(w for _, _, w in parts)
    if abs(rest) >= 0.005:
        parts.insert(0, (PRIOR_ROW, "—", rest))
    total = 0.0
    rows = []
    for name, level, weight in parts:
        total += weight
        direction = "for" if weight > 0 else "against" if weight < 0 else "neither for nor"
        rows.append(
            {"name": name, "level": level, "weight": weight, "total": total, "direction": direction}
        )
    return rows


def _person_page(
    request: HttpRequest, person_key: str, *, highlight: RecordRef | None = None
) -> HttpResponse:
    found, ids, other_keys = _read_person(request, person_key)
    viewed(request, person_key=person_key, records=len(found.members))
    refs = sorted({*found.members, *(p.left for p in found.pairs), *(p.right for p in found.pairs)})
    rows = _rows(request.user, refs, ids)
    pairs = []
    for p in found.pairs:
        # a record the viewer may not see: the total only, never a comparison's level (with
        # the other record's identifiers on the page, the levels would spell out its own)
        itemised = rows[p.left].shown and rows[p.right].shown
        pairs.append(
            {
                "pair": p,
                "left": rows[p.left],
                "right": rows[p.right],
                "steps": _waterfall(p) if itemised else [],
                "itemised": itemised,
                "percent": p.match_probability * 100,
            }
        )
    return render(
        request,
        "linkage/person.html",
        {
            "person": found,
            "records": [rows[m] for m in found.members],
            "pairs": pairs,
            "splits": found.splits,
            "other_keys": {str(r): k for r, k in other_keys.items() if k},
            "highlight": rows.get(highlight) if highlight else None,
            "may_split": len(found.members) > 1 and can_split_links(request.user),
            "split_from": request.GET.get("split_from", ""),
        },
    )


def _months_before(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _repeat_figures(con: Any) -> dict[str, Any] | None:
    """Repeat victimisation by recorded id and by linked person, side by side by area, over
    the latest twelve months held (issue 18's figures: ``dsvb.indicators.linked``, decision
    0047). None when that module is not part of this build, or nothing is linked yet."""
    try:
        from dsvb.indicators import linked as figures
        from dsvb.indicators.engine import IndicatorQuery, NoLinks, unlinked_records
    except ImportError:  # the figures by linked person are another part of issue 18
        return None
    state = data.state()
    if state.last_month is None:
        return None
    start = _months_before(state.last_month, 11)
    if state.first_month is not None and start < state.first_month:
        start = state.first_month
    end = _months_before(state.last_month, -1)
    try:
        rows = figures.side_by_side(con, IndicatorQuery(start=start, end=end))
    except NoLinks:
        return None
    shown = [
        {
            "row": r,
            "family": _family(r.family),
            "recorded_rate": _percent(r.recorded.repeat_victim_rate),
            "linked_rate": _percent(r.linked.repeat_victim_rate),
        }
        for r in rows
        if not r.cuts
    ]
    # records imported since the last link run count as their own person: say how many
    return {"rows": shown, "start": start, "end": end, "unlinked": unlinked_records(con) or 0}


def _family(family_id: str) -> str:
    from dsvb.indicators.definitions import FAMILIES

    found = FAMILIES.get(family_id)
    return found.label if found is not None else family_id


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{100 * rate:.1f}%"


@linkage_view
@audited_view("the linkage summary")
@handles_busy_store
def summary(request: HttpRequest) -> HttpResponse:
    with data.read_only() as con:
        counts = review.summary(con) if con is not None else review.Summary(0, 0, 0, 0, 0, ())
        repeat = _repeat_figures(con) if con is not None and counts.linked else None
        may_review = can_review_links(request.user)
        to_check = review.to_check(con) if con is not None and may_review else ()
    return render(
        request,
        "linkage/summary.html",
        {
            "summary": counts,
            "repeat": repeat,
            "may_review": may_review,
            "to_check": to_check,
        },
    )


@linkage_review
@audited_view("a linked person's records")
@handles_busy_store
def person(request: HttpRequest, person_key: str) -> HttpResponse:
    return _person_page(request, person_key)


@linkage_review
@audited_view("a record's linked person")
@handles_busy_store
def record_person(request: HttpRequest) -> HttpResponse:
    """The person a record belongs to, found by its source and record id."""
    source = request.GET.get("source", "").strip() or EXTRACT
    record_id = request.GET.get("record_id", "").strip()
    if not record_id:
        raise _not_found(request, "No record id given", source=source)
    ref = RecordRef(source, record_id)
    if ref.source != EXTRACT and not _seen_cases(request.user, ref)[1]:
        # asked before the store: the answer must not tell whether the agency holds the id
        reason = (
            f"may not look up {ref.source}'s records: none of that person's cases is one "
            "you may see"
        )
        record(
            request,
            Action.ACCESS_DENIED,
            f"Refused {request.method} {request.path}: {reason}",
            object_type="url",
            object_id=request.path[:120],
            reason=reason,
            source=ref.source,
            record_id=ref.record_id,
        )
        raise PermissionDenied
    with data.read_only() as con:
        key = review.key_of(con, ref) if con is not None else None
    if key is None:
        raise _not_found(
            request,
            f"Record {ref} holds no person key",
            source=ref.source,
            record_id=ref.record_id,
        )
    viewed(request, source=ref.source, record_id=ref.record_id)
    return _person_page(request, key, highlight=ref)


@linkage_split
@audited_view("the split-a-link form")
@handles_busy_store
def split(request: HttpRequest, person_key: str) -> HttpResponse:
    """Move a group of records (one person's, wrongly merged into this one) out together.

    Audited twice: "requested" before the store is written -- if the audit log cannot be
    written, the request fails and nothing is split, so a committed split always has an
    entry -- and "done" (or "not made") after. Should the "done" entry fail once the store
    has committed, the split is logged instead (keys only) and still reported done: the
    "requested" entry and the store's own ``link_splits`` row (who, when) both name it."""
    found, ids, _ = _read_person(request, person_key)
    viewed(request, person_key=person_key, records=len(found.members))
    rows = _rows(request.user, list(found.members), ids)
    choices = [(str(r.ref), r.choice_label()) for r in rows.values()]
    posted = request.POST if request.method == "POST" else None
    form = SplitForm(posted, choices=choices, initial={"records": request.GET.getlist("record")})
    if len(found.members) < 2:
        form.add_error(None, f"Person {person_key} has one record: there is nothing to split")
    elif posted is not None and form.is_valid():
        chosen = [r for r in found.members if str(r) in set(form.cleaned_data["records"])]
        asked = {"records": [str(r) for r in chosen], "from_key": person_key}
        record(
            request,
            audit.LINK_SPLIT_REQUESTED,
            f"Split of {len(chosen)} record(s) off person {person_key} requested",
            object_type="linked_person",
            object_id=person_key,
            **asked,
        )
        try:
            result = review.split(
                data.store_path(),
                chosen,
                person_key,
                by=request.user.get_username(),
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
                wait=10,
            )
        except (review.SplitRefused, writer.StoreBusy) as exc:
            if isinstance(exc, review.SplitRefused):
                why = str(exc)[:1].upper() + str(exc)[1:]
            else:
                why = (
                    "The store is being written by an import or a linkage run: nothing was "
                    "split. Try again in a minute."
                )
            record(
                request,
                audit.LINK_SPLIT_NOT_MADE,
                f"Split off person {person_key} not made",
                object_type="linked_person",
                object_id=person_key,
                reason=why,
                **asked,
            )
            form.add_error(None, why)
        else:
            fields = result.audit_fields()
            moved = ("Record " if len(chosen) == 1 else "Records ") + ", ".join(fields["records"])
            try:
                record(
                    request,
                    audit.LINK_SPLIT,
                    f"{moved} split off person {result.from_key}: now person {result.new_key}",
                    object_type="linked_person",
                    object_id=result.from_key,
                    **fields,
                )
            except Exception:  # the store has committed: say so where it will be seen
                logger.exception("A committed split has no audit entry: %s", fields)
            url = reverse("linkage:person", args=[result.new_key])
            return redirect(f"{url}?split_from={result.from_key}")
    return render(
        request,
        "linkage/split.html",
        {"person": found, "form": form, "records": list(rows.values())},
    )

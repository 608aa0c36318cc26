"""Sharing a case: only what the recipient's kind of agency needs, on consent (dated) or a
legal basis (in words); notes never; break glass needs a sentence and lasts the setting."""

from __future__ import annotations

import datetime as dt

import pytest

from dsvb.cases.agencies import AgencyKind
from dsvb.cases.fields import FieldGroup, needed_groups
from dsvb.cases.settings import number
from dsvb.cases.sharing import (
    ShareRefused,
    check_reason,
    check_share,
    emergency_expiry,
)
from dsvb.cases.states import ShareBasis

DAY = dt.date(2026, 11, 2)


def share(**changes):
    values = {
        "owner": "Lambeth Police CSU",
        "recipient": "Lambeth IDVA service",
        "recipient_kind": "idva",
        "groups": ["identity", "risk"],
        "basis": "consent",
        "legal_basis": "",
        "consent_recorded_on": dt.date(2026, 11, 1),
        "on": DAY,
    }
    return check_share(**{**values, **changes})


def test_a_share_within_the_need_on_consent_is_made():
    made = share()
    assert made.groups == {FieldGroup.IDENTITY, FieldGroup.RISK}
    assert made.basis == ShareBasis.CONSENT
    assert made.recipient_kind == AgencyKind.IDVA
    assert made.consent_recorded_on == dt.date(2026, 11, 1)


def test_a_share_on_a_legal_basis_keeps_its_text_and_no_consent_date():
    made = share(basis="legal_basis", legal_basis="  Crime and Disorder Act 1998 s.115 ")
    assert made.legal_basis == "Crime and Disorder Act 1998 s.115"
    assert made.consent_recorded_on is None


def test_an_agency_cannot_share_with_itself():
    with pytest.raises(ShareRefused, match="cannot share it with itself"):
        share(recipient="Lambeth Police CSU")


def test_nothing_chosen_is_refused():
    with pytest.raises(ShareRefused, match="at least one group"):
        share(groups=[])


def test_a_refuge_address_to_childrens_services_is_refused_by_name():
    with pytest.raises(ShareRefused) as refused:
        share(
            recipient="Lambeth Children's Services",
            recipient_kind="children_services",
            groups=["identity", "refuge_address"],
        )
    assert "refuge or safe address" in str(refused.value).lower()
    assert "identity" not in str(refused.value).lower()


def test_a_refuge_address_to_a_housing_agency_that_needs_it_is_allowed():
    made = share(recipient="Lambeth Housing", recipient_kind="housing", groups=["refuge_address"])
    assert made.groups == {FieldGroup.REFUGE_ADDRESS}


def test_every_group_an_agency_needs_is_shareable_and_no_other():
    for kind in AgencyKind:
        for group in FieldGroup:
            if group == FieldGroup.NOTES:
                continue
            if group in needed_groups(kind):
                assert share(recipient_kind=kind, groups=[group]).groups == {group}
            else:
                with pytest.raises(ShareRefused, match="does not need"):
                    share(recipient_kind=kind, groups=[group])


def test_notes_are_never_shared_even_with_an_owner_like_agency():
    with pytest.raises(ShareRefused, match="notes are never shared"):
        share(groups=["identity", "notes"])


def test_an_unknown_group_is_refused_in_words():
    with pytest.raises(ShareRefused, match="'diary' is not a group"):
        share(groups=["diary"])


def test_consent_needs_its_date():
    with pytest.raises(ShareRefused, match="date the victim's consent"):
        share(consent_recorded_on=None)


def test_consent_dated_tomorrow_is_refused_today_is_fine():
    with pytest.raises(ShareRefused, match="in the future"):
        share(consent_recorded_on=DAY + dt.timedelta(days=1))
    assert share(consent_recorded_on=DAY).consent_recorded_on == DAY


def test_a_legal_basis_needs_its_text():
    with pytest.raises(ShareRefused, match="which legal basis"):
        share(basis="legal_basis", legal_basis="   ")


def test_a_basis_that_is_neither_is_refused():
    with pytest.raises(ShareRefused, match="consent or a legal basis"):
        share(basis="because")


def test_break_glass_reason_must_be_a_sentence():
    for bad in ("", "   ", "urgent", "child at risk", "a b c d"):
        with pytest.raises(ShareRefused):
            check_reason(bad)
    assert check_reason("  Victim  in A&E tonight, need risk level ") == (
        "Victim in A&E tonight, need risk level"
    )


def test_emergency_access_lasts_the_setting():
    opened = dt.datetime(2026, 11, 2, 22, 30, tzinfo=dt.UTC)
    hours = number("break_glass_hours", opened.date())
    assert emergency_expiry(opened) == opened + dt.timedelta(hours=hours)
    assert emergency_expiry(opened) - opened == dt.timedelta(hours=4)  # the installed setting

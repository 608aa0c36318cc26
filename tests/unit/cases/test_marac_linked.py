"""Repeats by linked person in the MARAC rules (decision 0047): the same rule as by recorded
victim, with victims and perpetrators as linkage found them."""

from __future__ import annotations

import datetime as dt

from dsvb.cases import marac

KEYS = marac.PersonKeys(
    {
        ("Police", "10"): "P0000000000A1",
        ("IDVA", "20"): "P0000000000A1",
        ("Police", "11"): "P0000000000B1",
        ("IDVA", "21"): "P0000000000B1",
    }
)


def test_a_record_with_a_key_is_its_person_and_one_without_is_itself() -> None:
    assert KEYS.of("Police", 10) == KEYS.of("IDVA", "20") == "key:P0000000000A1"
    assert KEYS.of("IDVA", 99) == "IDVA:99"
    assert KEYS.of("Police", 99) != KEYS.of("IDVA", 99)  # the same id in two agencies
    assert KEYS.records("IDVA", 20) == {("Police", "10"), ("IDVA", "20")}
    assert KEYS.records("IDVA", 99) == {("IDVA", "99")}


def test_the_same_man_under_two_agencies_records_makes_a_repeat() -> None:
    referral = marac.ReferralFact(dt.date(2026, 3, 1), frozenset({11}))  # the police's
    incident = marac.IncidentFact(dt.date(2026, 8, 30), "violence", True, 21)  # the IDVA's
    on = dt.date(2026, 9, 2)
    assert marac.latest_repeat([incident], [referral], on) is None  # 21 is not 11
    source = {11: "Police", 21: "IDVA"}
    incidents, referrals = marac.linked_facts([incident], [referral], source, KEYS)
    repeat = marac.latest_repeat(incidents, referrals, on)
    assert repeat is not None and repeat.last_referral_on == dt.date(2026, 3, 1)
    # a man linkage did not join to him stays another man
    other = marac.IncidentFact(dt.date(2026, 8, 30), "violence", True, 22)
    incidents, referrals = marac.linked_facts([other], [referral], {**source, 22: "IDVA"}, KEYS)
    assert marac.latest_repeat(incidents, referrals, on) is None
    # an incident naming nobody keeps naming nobody
    (unnamed,), _ = marac.linked_facts(
        [marac.IncidentFact(dt.date(2026, 8, 30), "threats", False)], [], {}, KEYS
    )
    assert unnamed.perpetrator_id is None


def _case(n: int, *, repeat: bool, linked: bool | None) -> marac.ReturnCase:
    return marac.ReturnCase(
        referral_id=n, discussed_on=dt.date(2026, 12, 15), referring_agency="IDVA",
        referring_kind="idva", is_repeat=repeat, children=0, is_linked_repeat=linked,
    )  # fmt: skip


def test_the_return_puts_repeats_by_linked_person_beside_recorded() -> None:
    cases = [
        _case(1, repeat=True, linked=True),
        _case(2, repeat=False, linked=True),
        _case(3, repeat=False, linked=False),
        _case(4, repeat=True, linked=False),  # recorded a repeat: stays one
    ]
    period = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31), "marac": "M"}
    ret = marac.quarterly_return(cases, **period, linked=True)
    assert (ret.repeats, ret.linked_repeats, ret.hidden_repeats) == (2, 3, 1)
    measures = [r.measure for r in ret.rows()]
    at = measures.index("Repeat cases")
    assert measures[at + 1] == "Repeat cases by linked person"
    row = ret.rows()[at + 1]
    assert row.value == 3 and row.note.startswith("75% of cases; 1 more than by recorded")
    # not judged: no row, nothing changes in the SafeLives return
    plain = marac.quarterly_return(cases, **period)
    assert plain.linked_repeats is None and plain.hidden_repeats is None
    assert "Repeat cases by linked person" not in [r.measure for r in plain.rows()]
    assert marac.as_csv(plain).count("\n") == marac.as_csv(ret).count("\n") - 1

"""The cycle's papers read the same assessment as the pages, for any period of dates."""

from dsvb.web.oversight import data


def test_assessment_for_any_period(demo_store, db):
    start, last = data.latest_period(12)
    assert (last - start).days > 330
    a = data.assessment("dv", start, last)
    assert a is not None and a.indicator("sd_rate").area("E09000022").denominator > 0
    assert a.period.period.start == start
    # a shorter period of the same data counts fewer offences
    quarter = data.assessment("dv", last.replace(day=1).replace(month=max(1, last.month - 2)), last)
    assert quarter is not None
    assert (
        quarter.indicator("offences").area("E09000022").numerator
        < a.indicator("offences").area("E09000022").numerator
    )
    assert data.equality(start, last) is not None

from dsvb.web.oversight import data


def test_assessment_for_any_period(demo_store, db):
    start, last = data.latest_period(12)
    a = data.assessment("dv", start, last)
    assert a is not None and a.indicator("sd_rate").area("E09000022").denominator > 0
    assert data.equality(start, last) is not None

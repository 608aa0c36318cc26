"""The managers' compliance lists over police extracts (a thin adapter over
:mod:`dsvb.cases.compliance`)."""

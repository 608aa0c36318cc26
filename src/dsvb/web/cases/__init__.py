"""Partnership cases in the web: a thin adapter over :mod:`dsvb.cases`."""

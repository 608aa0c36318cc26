"""The board's cycle on the web: a thin adapter over :mod:`dsvb.oversight`."""

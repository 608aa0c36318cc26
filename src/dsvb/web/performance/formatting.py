"""How figures are written on the pages: :mod:`dsvb.indicators.formatting` (one definition,
shared with the assessment's sentences, the CLI and exports)."""

from dsvb.indicators.formatting import (  # noqa: F401
    DASH,
    change,
    count,
    interval,
    ordinal,
    percent,
    ratio,
    signed,
    value,
)

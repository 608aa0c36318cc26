"""gunicorn hooks for `dsvb serve`."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def when_ready(server: Any) -> None:
    """Once the server accepts requests, prepare the pages' first views beside it
    (``dsvb prepare``: `dsvb serve` emptied the cache), so visitors do not do that work;
    a page asked for before its turn is computed on its view, as it would be anyway.
    ``DSVB_PREPARE_PAGES=0`` turns it off."""
    if os.environ.get("DSVB_PREPARE_PAGES", "1").lower() in ("0", "false", "no", "off"):
        return
    subprocess.Popen(
        [sys.executable, "-m", "dsvb", "prepare", "--quiet"],
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )


def post_worker_init(worker: Any) -> None:
    """Start each worker's chart renderer before it takes requests (it costs a few seconds
    the first time), so no visitor waits for it."""
    from dsvb.web.performance.charts import _vega_svg

    _vega_svg(
        {
            "data": {"values": [{"x": 1, "y": 1}]},
            "mark": "point",
            "encoding": {
                "x": {"field": "x", "type": "quantitative"},
                "y": {"field": "y", "type": "quantitative"},
            },
        }
    )

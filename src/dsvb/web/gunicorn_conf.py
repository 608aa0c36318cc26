"""gunicorn hooks for `dsvb serve`."""

from __future__ import annotations

from typing import Any


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

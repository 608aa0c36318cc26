"""A fault-injection hook for the kill tests: inert unless ``DSVB_FAULT_PAUSE`` names a stage.

``DSVB_FAULT_PAUSE=after-commit dsvb import DIR`` makes the process print
``DSVB_FAULT_PAUSE <stage> <pid>`` on stderr when it reaches that stage and then sleep (for an
hour), so a test can ``kill -9`` it at exactly that point. Only the environment of the process
can set it (never a web request). Stages: ``locked`` (the write lock is held, nothing copied),
``before-commit`` (the import is complete in the copy, not yet renamed over the store),
``after-commit`` (the copy has replaced the store; the job or command has not yet said so).
"""

from __future__ import annotations

import os
import sys
import time

ENV_VAR = "DSVB_FAULT_PAUSE"
STAGES = ("locked", "before-commit", "after-commit")


def pause(stage: str) -> None:
    """Sleep at ``stage`` when the environment asks for it; otherwise do nothing."""
    if os.environ.get(ENV_VAR) != stage:
        return
    sys.stderr.write(f"{ENV_VAR} {stage} {os.getpid()}\n")
    sys.stderr.flush()
    time.sleep(3600)

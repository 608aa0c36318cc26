"""Permission-matrix rows for this part of the cycle (see matrix.py)."""

from __future__ import annotations

from dsvb.web.accounts.roles import Role

BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})
SECRETARIAT = frozenset({Role.SECRETARIAT})
CYCLE = BOARD | {Role.BOROUGH_USER}  # the board, and a borough for its own objects

MATRIX: dict = {}

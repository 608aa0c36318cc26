"""The roles people hold, and what each is for: the one definition (the web's choices derive
from it), in plain Python so that the CLI and background jobs decide access without Django."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    BOARD_MEMBER = "board_member"
    FORCE_ANALYST = "force_analyst"
    BOROUGH_USER = "borough_user"
    PARTNER = "partner_agency"
    AUDITOR = "auditor"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Role.SECRETARIAT: "Board secretariat",
    Role.BOARD_MEMBER: "Board member",
    Role.FORCE_ANALYST: "Force performance analyst",
    Role.BOROUGH_USER: "Borough user",
    Role.PARTNER: "Partner agency user",
    Role.AUDITOR: "Auditor",
}

DESCRIPTIONS = {
    Role.SECRETARIAT: "Runs the board; administers users; reads everything; searches the audit.",
    Role.BOARD_MEMBER: "Reads everything the board sees.",
    Role.FORCE_ANALYST: "Reads every area's performance data; imports extracts and returns.",
    Role.BOROUGH_USER: "Reads its own borough's performance data and submissions only.",
    Role.PARTNER: "A partner agency (IDVA, MARAC coordinator); no performance data.",
    Role.AUDITOR: "Searches the audit log.",
}

# Roles that see every area's performance data.
ALL_AREAS = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER, Role.FORCE_ANALYST})

# Roles every account of which must sign in with a second factor (an authenticator app): they
# administer accounts and read everything, import case records, or read the audit log, so a
# guessed or stolen password alone must not open them. Others may opt in, or the secretariat
# may require it of an individual (``User.require_second_factor``).
SECOND_FACTOR_ROLES = frozenset({Role.SECRETARIAT, Role.FORCE_ANALYST, Role.AUDITOR})

# Roles that belong to an area, and roles that belong to an agency (a membership of any other
# role names neither).
AREA_ROLES = frozenset({Role.BOROUGH_USER})
AGENCY_ROLES = frozenset({Role.PARTNER})

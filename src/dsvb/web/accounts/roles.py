"""The roles people hold, and what each is for."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", "Board secretariat"
    BOARD_MEMBER = "board_member", "Board member"
    FORCE_ANALYST = "force_analyst", "Force performance analyst"
    BOROUGH_USER = "borough_user", "Borough user"
    PARTNER = "partner_agency", "Partner agency user"
    AUDITOR = "auditor", "Auditor"


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

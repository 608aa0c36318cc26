"""Permission-matrix rows of the MARAC part (see matrix.py).

The PARTNER test user works for "Lambeth IDVA service", a member of "Lambeth MARAC"
(``{marac}``) but not its coordinator: it sees the MARAC and its meetings' case lists, refers
its own case (not the case shared with it without the MARAC group), and is refused everything
a coordinator does (planning, listing, actions, transfers, closing or withdrawing a
referral, the return) and the police's action
(``{marac_action}``). The return is read by the board (secretariat and members), not by
partners who do not coordinate. ``{case_other}`` is another agency's case: nobody."""

from dsvb.web.accounts.roles import Role
from tests.web.oversight.case import Case

PARTNERS = frozenset({Role.PARTNER})
BOARD = frozenset({Role.SECRETARIAT, Role.BOARD_MEMBER})
NOBODY: frozenset = frozenset()

OWN, SHARED, OTHER = "{case_own}", "{case_shared}", "{case_other}"
MARAC, MEETING, REFERRAL, ACTION = "{marac}", "{marac_meeting}", "{referral}", "{marac_action}"

MATRIX: dict[str, list[Case]] = {
    "cases:marac-refer": [
        Case(f"/cases/{OWN}/refer/", PARTNERS, note="the agency's own case"),
        Case(f"/cases/{SHARED}/refer/", NOBODY, note="shared without the MARAC group"),
        Case(f"/cases/{SHARED}/refer/", NOBODY, method="post", note="shared without MARAC"),
        Case(f"/cases/{OTHER}/refer/", NOBODY, note="another agency's case"),
        Case(f"/cases/{OWN}/refer/", PARTNERS, method="post", note="nothing filled in: errors"),
        Case(f"/cases/{OTHER}/refer/", NOBODY, method="post", note="another agency's case"),
    ],
    "cases:maracs": [Case("/cases/maracs/", PARTNERS)],
    "cases:marac": [Case(f"/cases/maracs/{MARAC}/", PARTNERS, note="a member agency")],
    "cases:marac-meeting-new": [
        Case(f"/cases/maracs/{MARAC}/meetings/new/", NOBODY, note="members do not coordinate"),
        Case(f"/cases/maracs/{MARAC}/meetings/new/", NOBODY, method="post"),
    ],
    "cases:marac-meeting": [
        Case(f"/cases/marac-meetings/{MEETING}/", PARTNERS, note="a member sees the case list"),
    ],
    "cases:marac-meeting-list": [
        Case(f"/cases/marac-meetings/{MEETING}/list/", NOBODY, method="post"),
    ],
    "cases:marac-meeting-unlist": [
        Case(f"/cases/marac-meetings/{MEETING}/unlist/", NOBODY, method="post"),
    ],
    "cases:marac-meeting-held": [
        Case(f"/cases/marac-meetings/{MEETING}/held/", NOBODY, method="post"),
    ],
    "cases:marac-action-new": [
        Case(f"/cases/referrals/{REFERRAL}/actions/new/", NOBODY, note="coordinators only"),
        Case(f"/cases/referrals/{REFERRAL}/actions/new/", NOBODY, method="post"),
    ],
    "cases:marac-action": [
        Case(f"/cases/marac-actions/{ACTION}/", NOBODY, note="the police's action"),
        Case(f"/cases/marac-actions/{ACTION}/", NOBODY, method="post", note="the police's"),
    ],
    "cases:marac-transfer": [
        Case(f"/cases/referrals/{REFERRAL}/transfer/", NOBODY, note="coordinators only"),
        Case(f"/cases/referrals/{REFERRAL}/transfer/", NOBODY, method="post"),
    ],
    "cases:marac-referral-close": [
        Case(f"/cases/referrals/{REFERRAL}/close/", NOBODY, method="post", note="coordinators"),
    ],
    "cases:marac-referral-withdraw": [
        Case(f"/cases/referrals/{REFERRAL}/withdraw/", NOBODY, method="post", note="coordinators"),
    ],
    "cases:marac-return": [
        Case(f"/cases/maracs/{MARAC}/return/", BOARD, note="counts only: the board"),
        Case(
            f"/cases/maracs/{MARAC}/return/?from=2026-10-01&to=2026-12-31&women=100000&idva_fte=2",
            BOARD,
            note="a period and the inputs",
        ),
    ],
    "cases:marac-return-export": [
        Case(f"/cases/maracs/{MARAC}/return.csv", BOARD),
        Case(f"/cases/maracs/{MARAC}/return.json?from=2026-10-01&to=2026-12-31", BOARD),
    ],
}

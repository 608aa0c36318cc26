"""What the audit log records of partnership cases: one name per act. Views of a case are
``page_viewed`` entries (``audited_view`` with ``viewed(request, case=...)``): exactly one
per view. Entries name cases, people and agencies by id and name of agency only -- never a
person's name, address or answers (the audit log outlives the records it describes)."""

from __future__ import annotations

from dsvb.web.audit.models import register_action

CASE_OPENED = register_action("case_opened", "Partnership case opened")
CASE_CHANGED = register_action("case_changed", "Partnership case changed")
CASE_CLOSED = register_action("case_state_changed", "Partnership case closed or reopened")
ASSESSMENT_RECORDED = register_action("assessment_recorded", "DASH risk assessment recorded")
REFERRAL_MADE = register_action("marac_referral_made", "MARAC referral made")
REFERRAL_CHANGED = register_action("marac_referral_changed", "MARAC referral listed or moved")
MARAC_MEETING_CHANGED = register_action("marac_meeting_changed", "MARAC meeting changed")
MARAC_ACTION_CHANGED = register_action("marac_action_changed", "MARAC action given or updated")
MARAC_RETURN_EXPORTED = register_action("marac_return_exported", "MARAC return downloaded")
SHARE_MADE = register_action("case_shared", "Case shared with an agency")
SHARE_WITHDRAWN = register_action("case_share_withdrawn", "Case share withdrawn")
BREAK_GLASS = register_action("break_glass", "Emergency access to a case (break glass)")
ALERT_READ = register_action("case_alert_read", "Case alert read")
SUBJECT_ACCESS = register_action("subject_access", "Everything held on a person produced")
RECORDS_DELETED = register_action("case_records_deleted", "Records past retention deleted")
VCOP_RECORDED = register_action("vcop_recorded", "Victims' Code event or contact recorded")
CASES_IMPORTED = register_action("cases_imported", "Partnership cases imported")

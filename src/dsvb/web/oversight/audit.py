"""What the audit log records of the board's cycle: one name per act (views of a borough's
papers are ``page_viewed`` entries written by ``audited_view``)."""

from __future__ import annotations

from dsvb.web.audit.models import register_action

MEETING_CHANGED = register_action("meeting_changed", "Meeting planned or changed")
PLAN_ACCEPTED = register_action("plan_accepted", "Review plan accepted")
BRIEF_CHANGED = register_action("brief_changed", "Commissioning brief changed")
BRIEF_SENT = register_action("brief_sent", "Commissioning brief sent")
DOCUMENT_DOWNLOADED = register_action("document_downloaded", "Board document downloaded")
REPORT_UPLOADED = register_action("report_uploaded", "Borough report uploaded")
MINUTES_IMPORTED = register_action("minutes_imported", "Minutes entered or imported")
MINUTES_APPROVED = register_action("minutes_approved", "Minutes approved")
ACTION_UPDATED = register_action("action_updated", "Action updated")
FINDING_CHANGED = register_action("finding_changed", "Finding drafted or changed")
LETTER_SENT = register_action("letter_sent", "Letter to a borough sent")
FOLLOW_UP_ANSWERED = register_action("follow_up_answered", "Follow-up item answered")
RECOMMENDATION_CHANGED = register_action("recommendation_changed", "Recommendation changed")
ANNUAL_REPORT_PUBLISHED = register_action("annual_report_published", "Annual report published")
CALENDAR_FETCHED = register_action("calendar_fetched", "Calendar feed fetched")
CALENDAR_REFUSED = register_action("calendar_refused", "Calendar feed refused")
CALENDAR_RENEWED = register_action("calendar_renewed", "Calendar feed address renewed")
FOLLOW_UP_CHANGED = register_action(
    "follow_up_changed", "Follow-up session or report's receipt recorded"
)
ANNUAL_REPORT_CHANGED = register_action("annual_report_changed", "Annual report's texts changed")

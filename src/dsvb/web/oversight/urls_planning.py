"""Addresses of the cycle's planning and papers (the home page, members, meetings, the
planner, briefs, borough reports, what's due, the calendar feed)."""

from django.urls import path

from dsvb.web.oversight.views import (
    briefs,
    calendar,
    due,
    home,
    meetings,
    members,
    planner,
    reports,
)

urlpatterns: list = [
    path("", home.home, name="home"),
    path("members/", members.members, name="members"),
    path("members/new/", members.member_new, name="member-new"),
    path("members/<int:pk>/", members.member_edit, name="member-edit"),
    path("meetings/", meetings.meetings, name="meetings"),
    path("meetings/new/", meetings.meeting_new, name="meeting-new"),
    path("meetings/<int:pk>/", meetings.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/attendance/", meetings.meeting_attendance, name="meeting-attendance"),
    path("meetings/<int:pk>/held/", meetings.meeting_held, name="meeting-held"),
    path("meetings/<int:pk>/cancel/", meetings.meeting_cancel, name="meeting-cancel"),
    path("planner/", planner.planner, name="planner"),
    path("planner/cycles/new/", planner.cycle_new, name="cycle-new"),
    path("planner/past-reviews/new/", planner.past_review_new, name="past-review-new"),
    path("planner/accept/", planner.plan_accept, name="plan-accept"),
    path("planner/change/", planner.plan_change, name="plan-change"),
    path("briefs/", briefs.briefs, name="briefs"),
    path("sessions/<int:pk>/brief/new/", briefs.brief_new, name="brief-new"),
    path("briefs/templates/", briefs.brief_templates, name="brief-templates"),
    path("briefs/templates/<int:year>/", briefs.brief_template, name="brief-template"),
    path("briefs/<int:pk>/", briefs.brief, name="brief"),
    path("briefs/<int:pk>/edit/", briefs.brief_edit, name="brief-edit"),
    path("briefs/<int:pk>/brief.pdf", briefs.brief_pdf, name="brief-pdf"),
    path("briefs/<int:pk>/brief.docx", briefs.brief_docx, name="brief-docx"),
    path("briefs/<int:pk>/send/", briefs.brief_send, name="brief-send"),
    path("briefs/<int:pk>/withdraw/", briefs.brief_withdraw, name="brief-withdraw"),
    path("briefs/<int:pk>/upload/", reports.report_upload, name="report-upload"),
    path("reports/<int:pk>/", reports.report, name="report"),
    path("reports/<int:pk>/download/", reports.report_download, name="report-download"),
    path("document.css", briefs.document_css, name="document-css"),
    path("due/", due.due, name="due"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/renew/", calendar.calendar_renew, name="calendar-renew"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar-feed"),
]

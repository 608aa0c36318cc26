"""Sharing, emergency access (break glass), alerts, subject access and retention."""

from django.urls import path

from dsvb.web.cases.views import sharing

urlpatterns = [
    path("<int:case_id>/shares/", sharing.shares, name="shares"),
    path("<int:case_id>/shares/new/", sharing.share_new, name="share-new"),
    path("shares/<int:pk>/withdraw/", sharing.share_withdraw, name="share-withdraw"),
    path("break-glass/", sharing.break_glass, name="break-glass"),
    path("<int:case_id>/break-glass/", sharing.break_glass, name="case-break-glass"),
    path("alerts/", sharing.alerts, name="alerts"),
    path("alerts/<int:pk>/read/", sharing.alert_read, name="alert-read"),
    path("subject-access/", sharing.subject_access, name="subject-access"),
    path(
        "subject-access/report.<str:fmt>",
        sharing.subject_access_report,
        name="subject-access-report",
    ),
    path("retention/", sharing.retention, name="retention"),
    path("retention/<int:case_id>/delete/", sharing.retention_delete, name="retention-delete"),
    path(
        "retention/meetings/<int:meeting_id>/delete-notes/",
        sharing.retention_meeting_notes,
        name="retention-meeting-notes",
    ),
]

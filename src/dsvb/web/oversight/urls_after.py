"""Addresses of the cycle after a session (minutes, actions, findings, letters, follow-ups,
recommendations, the annual report)."""

from django.urls import path

from dsvb.web.oversight.views import actions, annual, findings, followups, letters, minutes
from dsvb.web.oversight.views import recommendations as recommendations_views

urlpatterns: list = [
    path("meetings/<int:meeting_id>/minutes/", minutes.minutes, name="minutes"),
    path(
        "meetings/<int:meeting_id>/minutes/import/",
        minutes.minutes_import,
        name="minutes-import",
    ),
    path(
        "meetings/<int:meeting_id>/minutes/paragraphs/<int:paragraph_id>/",
        minutes.paragraph,
        name="minutes-paragraph",
    ),
    path("meetings/<int:meeting_id>/minutes/approve/", minutes.approve, name="minutes-approve"),
    path("actions/", actions.action_list, name="actions"),
    path("actions/<int:action_id>/", actions.action_detail, name="action"),
    path("sessions/<int:session_id>/findings/", findings.findings, name="findings"),
    path("findings/<int:finding_id>/", findings.finding_edit, name="finding"),
    path("findings/<int:finding_id>/move/", findings.finding_move, name="finding-move"),
    path("sessions/<int:session_id>/letter/", letters.letter, name="letter"),
    path(
        "sessions/<int:session_id>/letter.<str:fmt>",
        letters.letter_download,
        name="letter-download",
    ),
    path("sessions/<int:session_id>/letter/send/", letters.letter_send, name="letter-send"),
    path("sessions/<int:session_id>/follow-up/", followups.follow_up, name="follow-up"),
    path(
        "sessions/<int:session_id>/follow-up/report.<str:fmt>",
        followups.follow_up_report,
        name="follow-up-report",
    ),
    path("recommendations/", recommendations_views.recommendation_list, name="recommendations"),
    path(
        "recommendations/<int:recommendation_id>/",
        recommendations_views.recommendation_detail,
        name="recommendation",
    ),
    path("annual-report/", annual.annual_reports, name="annual-reports"),
    path("annual-report/<int:year>/", annual.annual_report, name="annual-report"),
    path("annual-report/<int:year>/preview/", annual.annual_preview, name="annual-preview"),
    path(
        "annual-report/<int:year>/report.<str:fmt>",
        annual.annual_download,
        name="annual-download",
    ),
    path("annual-report/<int:year>/publish/", annual.annual_publish, name="annual-publish"),
    path("annual-report/<int:year>/published/", annual.published, name="annual-published"),
    path(
        "annual-report/<int:year>/published.pdf",
        annual.published_pdf,
        name="annual-published-pdf",
    ),
]

"""Cases and people: the caseload, a case, its people, addresses, incidents and notes."""

from django.urls import path

from dsvb.web.cases.views import caseload, cases

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
    path("new/", cases.case_new, name="case-new"),
    path("<int:case_id>/", cases.case, name="case"),
    path("<int:case_id>/edit/", cases.case_edit, name="case-edit"),
    path("<int:case_id>/victim/", cases.victim_edit, name="case-victim"),
    path("<int:case_id>/parties/new/", cases.party_new, name="party-new"),
    path("<int:case_id>/parties/<int:party_id>/remove/", cases.party_remove, name="party-remove"),
    path("<int:case_id>/addresses/new/", cases.address_new, name="address-new"),
    path(
        "<int:case_id>/addresses/<int:address_id>/not-current/",
        cases.address_not_current,
        name="address-not-current",
    ),
    path("<int:case_id>/incidents/new/", cases.incident_new, name="incident-new"),
    path("<int:case_id>/notes/new/", cases.note_new, name="note-new"),
    path("<int:case_id>/close/", cases.case_close, name="case-close"),
    path("<int:case_id>/reopen/", cases.case_reopen, name="case-reopen"),
]

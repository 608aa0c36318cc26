"""DASH risk assessments: a new one for a case, one assessment, a victim's side by side."""

from django.urls import path

from dsvb.web.cases.views import dash

urlpatterns = [
    path("<int:case_id>/assessments/new/", dash.assessment_new, name="assessment-new"),
    path("<int:case_id>/assessments/", dash.assessments, name="assessments"),
    path("assessments/<int:pk>/", dash.assessment, name="assessment"),
]

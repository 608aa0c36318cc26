"""Cases and people: the caseload, a case, its people, addresses, incidents and notes."""

from django.urls import path

from dsvb.web.cases.views import caseload

urlpatterns = [
    path("", caseload.caseload, name="caseload"),
]

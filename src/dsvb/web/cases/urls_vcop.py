"""The Victims' Code: a case's events and contacts, the overdue list, compliance."""

from django.urls import path

from dsvb.web.cases.views import vcop

urlpatterns = [
    path("<int:case_id>/victims-code/", vcop.case_vcop, name="vcop"),
    path(
        "<int:case_id>/victims-code/contacts/<int:pk>/made/",
        vcop.contact_made,
        name="vcop-contact-made",
    ),
    path("victims-code/overdue/", vcop.overdue, name="vcop-overdue"),
    path("victims-code/compliance/", vcop.compliance, name="vcop-compliance"),
]

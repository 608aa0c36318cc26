"""Linked people: the summary, a person (or a record's person), splitting a record off."""

from django.urls import path

from dsvb.web.linkage import views

app_name = "linkage"
urlpatterns = [
    path("", views.summary, name="summary"),
    path("record/", views.record_person, name="record"),
    path("people/<str:person_key>/", views.person, name="person"),
    path("people/<str:person_key>/split/", views.split, name="split"),
]

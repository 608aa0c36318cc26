"""The compliance lists' addresses."""

from django.urls import path

from dsvb.web.compliance import views

app_name = "compliance"
urlpatterns = [
    path("", views.index, name="index"),
    path("records/crime/<str:crime_id>/", views.crime, name="crime"),
    path("records/incident/<str:incident_id>/", views.incident, name="incident"),
    path("<slug:list_id>/<slug:area_code>.csv", views.list_csv, name="list-csv"),
    path("<slug:list_id>/<slug:area_code>/", views.list_area, name="list"),
]

"""URLs of the performance pages and their exports."""

from django.urls import path

from dsvb.web.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/<slug:table>.<slug:fmt>", views.export_overview, name="export"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/<str:area_code>/", views.scorecard, name="scorecard-area"),
    path(
        "scorecard/<str:area_code>/export/<slug:table>.<slug:fmt>",
        views.export_scorecard,
        name="scorecard-export",
    ),
]

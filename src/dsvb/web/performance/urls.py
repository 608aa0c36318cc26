"""URLs of the performance pages and their exports."""

from django.urls import path

from dsvb.web.performance import equality_views, views

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
    path("equality/", equality_views.equality, name="equality"),
    path("equality/<str:area_code>/", equality_views.equality, name="equality-area"),
    path(
        "equality/<str:area_code>/export/<slug:table>.<slug:fmt>",
        equality_views.export_equality,
        name="equality-export",
    ),
]

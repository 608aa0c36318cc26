from django.urls import path

from dsvb.web.performance import views

app_name = "performance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard/<str:area_code>/", views.scorecard, name="scorecard-area"),
]

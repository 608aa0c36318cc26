from django.urls import path

from dsvb.web.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("download.<str:fmt>", views.download, name="download"),
    path("families/<str:family>/", views.family, name="family"),
    path(
        "families/<str:family>/download.<str:fmt>",
        views.family_download,
        name="family-download",
    ),
    path("areas/<str:area_code>/", views.area, name="area"),
    path("areas/<str:area_code>/download.<str:fmt>", views.area_download, name="area-download"),
    path(
        "releases/<int:number>/download.<str:fmt>",
        views.release_download,
        name="release-download",
    ),
    path("publish/", views.publish, name="publish"),
    path("disclosure-control/", views.policy, name="policy"),
    path("disclosure-control/change/", views.policy_change, name="policy-change"),
]

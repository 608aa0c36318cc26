from django.urls import path

from dsvb.web.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
]

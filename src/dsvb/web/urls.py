"""URLs of the web application. Each area of the service has its own module of URLs."""

from django.urls import include, path

from dsvb.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("glossary/", views.glossary, name="glossary"),
    path("accounts/", include("dsvb.web.accounts.urls")),
    path("audit/", include("dsvb.web.audit.urls")),
    path("performance/", include("dsvb.web.performance.urls")),
    path("imports/", include("dsvb.web.imports.urls")),
    path("published/", include("dsvb.web.public.urls")),
    path("board/", include("dsvb.web.oversight.urls")),
    path("cases/", include("dsvb.web.cases.urls")),
    path("compliance/", include("dsvb.web.compliance.urls")),
    path("linkage/", include("dsvb.web.linkage.urls")),
    path("health/", views.health, name="health"),
]

handler403 = "dsvb.web.views.forbidden"
handler404 = "dsvb.web.views.not_found"
handler500 = "dsvb.web.views.server_error"

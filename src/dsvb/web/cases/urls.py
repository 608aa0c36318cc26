"""The partnership cases' addresses, each part's list in its own module: cases and people
(``urls_cases``), DASH (``urls_dash``), MARAC (``urls_marac``), sharing, emergency access,
subject access and retention (``urls_sharing``), the Victims' Code (``urls_vcop``)."""

from dsvb.web.cases.urls_cases import urlpatterns as cases
from dsvb.web.cases.urls_dash import urlpatterns as dash
from dsvb.web.cases.urls_marac import urlpatterns as marac
from dsvb.web.cases.urls_sharing import urlpatterns as sharing
from dsvb.web.cases.urls_vcop import urlpatterns as vcop

app_name = "cases"
urlpatterns = [*cases, *dash, *marac, *sharing, *vcop]

"""Pages that belong to no one area of the service: home, errors, accessibility, glossary,
health."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from dsvb.reference.glossary import glossary as load_glossary
from dsvb.web.accounts import policies


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(reverse(policies.landing_page(request.user)))
    return render(request, "home.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "accessibility.html")


def glossary(request: HttpRequest) -> HttpResponse:
    """The glossary, public: board members, partners and the public meet the same terms."""
    terms = load_glossary()
    letters = [
        (letter, [(t, [terms.get(o) for o in t.see_also]) for t in group])
        for letter, group in terms.letters()
    ]
    return render(request, "glossary.html", {"letters": letters})


def health(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/csrf.html", status=403)

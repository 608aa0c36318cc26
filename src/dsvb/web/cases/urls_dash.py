"""Addresses of one part of the cases app (see urls.py)."""

urlpatterns: list = []

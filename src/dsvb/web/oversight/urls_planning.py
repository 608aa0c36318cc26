"""Addresses of the cycle's planning and papers (the home page, members, meetings, the
planner, briefs, borough reports, what's due, the calendar feed)."""

urlpatterns: list = []

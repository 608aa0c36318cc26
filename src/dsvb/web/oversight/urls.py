"""The cycle's addresses: planning and papers (meetings, planner, briefs, reports, what's
due, the calendar) and after the session (minutes, actions, findings, letters, follow-ups,
recommendations, the annual report), each part's list in its own module."""

from dsvb.web.oversight.urls_after import urlpatterns as after
from dsvb.web.oversight.urls_planning import urlpatterns as planning

app_name = "oversight"
urlpatterns = [*planning, *after]

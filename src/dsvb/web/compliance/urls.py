"""The compliance lists' addresses."""

app_name = "compliance"
urlpatterns: list = []

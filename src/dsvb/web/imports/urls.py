from django.urls import path

from dsvb.web.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_list, name="list"),
    path("extract/", views.upload_extract, name="upload-extract"),
    path("return/", views.upload_return, name="upload-return"),
    path("<int:job_id>/", views.job_detail, name="job"),
    path("<int:job_id>/status/", views.job_status, name="status"),
    path("<int:job_id>/report/", views.job_report, name="report"),
    path("<int:job_id>/report.csv", views.job_report_csv, name="report-csv"),
]

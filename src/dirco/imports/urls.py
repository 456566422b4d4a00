"""The staff import pages under /imports/."""

from django.urls import path

from dirco.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list_view, name="list"),
    path("<int:job_id>/", views.import_detail_view, name="detail"),
    path("<int:job_id>/run/", views.import_run_view, name="run"),
    path("<int:job_id>/progress/", views.import_progress_view, name="progress"),
    path("<int:job_id>/errors.csv", views.import_errors_view, name="errors"),
    path(
        "mappings/<int:mapping_id>/delete/",
        views.import_mapping_delete_view,
        name="mapping_delete",
    ),
]
